/**
 * The open screen and item as the address's hash, so a reload (or a bookmark) comes back to
 * them: `#/generate`, `#/compare`, `#/library/12` (item 12 in the details panel), `#/infill/12` (item 12 open
 * in Infill). Pure.
 */

export const SCREENS = ['generate', 'compare', 'library', 'infill', 'caption', 'models'] as const;
export type RouteScreen = (typeof SCREENS)[number];

export interface Route {
  screen: RouteScreen;
  /** the Library's detail item or the item open in Infill */
  itemId: number | null;
}

export function routeFromHash(hash: string): Route | null {
  const m = /^#\/([a-z]+)(?:\/(\d{1,15}))?\/?$/.exec(hash);
  if (m === null) return null;
  const screen = SCREENS.find((s) => s === m[1]);
  if (screen === undefined) return null;
  const id = m[2] === undefined ? null : Number(m[2]);
  // Only the Library and Infill open an item; elsewhere a number is ignored.
  return { screen, itemId: screen === 'library' || screen === 'infill' ? id : null };
}

export function hashFor(route: Route): string {
  const withItem =
    (route.screen === 'library' || route.screen === 'infill') && route.itemId !== null;
  return withItem ? `#/${route.screen}/${route.itemId}` : `#/${route.screen}`;
}

/** The route the app state shows: the Library's detail item, or the item open in Infill. */
export function routeOf(s: {
  screen: RouteScreen;
  detailId: number | null;
  infillId: number | null;
}): Route {
  const itemId = s.screen === 'library' ? s.detailId : s.screen === 'infill' ? s.infillId : null;
  return { screen: s.screen, itemId };
}
