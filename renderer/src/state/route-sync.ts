/**
 * Keeps the address's hash and the open screen in step (lib/route.ts): the hash a page opens
 * with chooses its screen and item, a screen change adds a history entry (so Back works), and an
 * item change replaces it.
 */
import { hashFor, routeFromHash, routeOf } from '../lib/route.ts';
import { appStore, navigate } from './app.ts';

function applyHash(): void {
  const route = routeFromHash(location.hash);
  if (route === null) return;
  const s = appStore.get();
  if (hashFor(routeOf(s)) === hashFor(route)) return;
  if (route.screen === 'library') navigate('library', { detailId: route.itemId });
  else if (route.screen === 'infill')
    navigate('infill', route.itemId === null ? {} : { infillId: route.itemId, infillFile: null });
  else navigate(route.screen);
}

let started = false;
export function startRouteSync(): void {
  if (started) return;
  started = true;
  applyHash();
  let shownScreen = appStore.get().screen;
  appStore.subscribe(() => {
    const s = appStore.get();
    const hash = hashFor(routeOf(s));
    if (hash === location.hash) return;
    if (s.screen !== shownScreen) history.pushState(null, '', hash);
    else history.replaceState(null, '', hash);
    shownScreen = s.screen;
  });
  window.addEventListener('popstate', applyHash);
  window.addEventListener('hashchange', applyHash);
}
