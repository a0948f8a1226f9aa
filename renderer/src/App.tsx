/** The studio's shell: navigation at the left, the open screen, the queue at the right. */
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { isElectron, on, onConnection, type ConnectionState } from './bridge/index.ts';
import { Icon, type IconName } from './components/Icon.tsx';
import { QueuePanel } from './components/QueuePanel.tsx';
import { isQueueCollapsed, queueLayoutStore } from './state/queue-panel.ts';
import { SidebarBoards } from './components/SidebarBoards.tsx';
import { carriesFiles, carriesItems, draggedItems } from './lib/drag.ts';
import {
  appStore,
  dismissProblem,
  navigate,
  problemsStore,
  toastStore,
  type Screen,
} from './state/app.ts';
import { openFileInInfill, openItemInInfill } from './state/infill-open.ts';
import { jobsStore, startJobs } from './state/jobs.ts';
import { startRouteSync } from './state/route-sync.ts';
import { loadModels } from './state/models.ts';
import { useStore } from './state/store.ts';
import { CaptionScreen } from './screens/caption/CaptionScreen.tsx';
import { CompareScreen } from './screens/compare/CompareScreen.tsx';
import { GenerateScreen } from './screens/generate/GenerateScreen.tsx';
import { InfillScreen } from './screens/infill/InfillScreen.tsx';
import { LibraryScreen } from './screens/library/LibraryScreen.tsx';
import { ModelsScreen } from './screens/Models.tsx';

const NAV: { screen: Exclude<Screen, 'infill'>; label: string; icon: IconName; key: string }[] = [
  { screen: 'generate', label: 'Generate', icon: 'generate', key: '1' },
  { screen: 'compare', label: 'Compare', icon: 'compare', key: '5' },
  { screen: 'library', label: 'Library', icon: 'library', key: '2' },
  { screen: 'caption', label: 'Caption', icon: 'caption', key: '3' },
  { screen: 'models', label: 'Models', icon: 'models', key: '4' },
];

function ErrorBanner() {
  const problems = useStore(problemsStore, (s) => s);
  if (problems.length === 0) return null;
  return (
    <div className="error-banner" data-testid="error-banner" role="alert">
      {problems.map((p) => (
        <div className="error-item" key={p.id}>
          <Icon name="alert" />
          <div className="error-text">
            <strong>{p.title}</strong>
            <span>{p.message}</span>
          </div>
          <code className="error-code" title="Error code">
            {p.code}
          </code>
          <button
            type="button"
            className="btn icon-only ghost small"
            aria-label={`Dismiss: ${p.title}`}
            onClick={() => dismissProblem(p.id)}
          >
            <Icon name="x" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}

function Toasts() {
  const toasts = useStore(toastStore, (s) => s);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div className="toast" key={t.id}>
          <span>{t.message}</span>
          {t.action ? (
            <button
              type="button"
              className="btn small"
              onClick={() => {
                t.action?.run();
                toastStore.set((list) => list.filter((x) => x.id !== t.id));
              }}
            >
              {t.action.label}
            </button>
          ) : null}
        </div>
      ))}
    </div>
  );
}

function Connection() {
  const [state, setState] = useState<ConnectionState>('connecting');
  const [wasOpen, setWasOpen] = useState(false);
  useEffect(
    () =>
      onConnection((s) => {
        setState(s);
        if (s === 'open') setWasOpen(true);
      }),
    [],
  );
  const label =
    state === 'open'
      ? 'Connected'
      : wasOpen
        ? 'Reconnecting…'
        : state === 'connecting'
          ? 'Connecting…'
          : 'Cannot reach Tessera';
  return (
    <div
      className={`connection ${state}`}
      title={
        state === 'open'
          ? isElectron()
            ? 'Desktop app'
            : 'Web mode: live updates are connected'
          : 'Live updates are interrupted; they resume by themselves once Tessera answers again'
      }
      role="status"
    >
      <span className="dot" aria-hidden="true" />
      <span>{label}</span>
      <span className="muted">· {isElectron() ? 'desktop' : 'web'}</span>
    </div>
  );
}

/** How long a drag must rest on the Infill entry before the screen opens under it. */
const SPRING_MS = 500;

/**
 * The Infill entry takes drops (a library item, an image file) and, when a drag rests on it,
 * opens the Infill screen so the drop can land on its canvas.
 */
function InfillNav({ current }: { current: boolean }) {
  const [over, setOver] = useState(false);
  const spring = useRef<ReturnType<typeof setTimeout> | null>(null);
  const stop = () => {
    if (spring.current !== null) clearTimeout(spring.current);
    spring.current = null;
    setOver(false);
  };
  // A drag that ends elsewhere (on the canvas the spring opened, say) never leaves this entry.
  useEffect(() => {
    const ended = () => stop();
    window.addEventListener('drop', ended);
    window.addEventListener('dragend', ended);
    return () => {
      window.removeEventListener('drop', ended);
      window.removeEventListener('dragend', ended);
    };
  }, []);
  const accept = (e: DragEvent) => {
    if (!carriesItems(e.dataTransfer) && !carriesFiles(e.dataTransfer)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setOver(true);
    spring.current ??= setTimeout(() => navigate('infill'), SPRING_MS);
  };
  return (
    <button
      type="button"
      className={`nav-item ${current ? 'current' : ''}${over ? ' drop-target' : ''}`}
      aria-current={current ? 'page' : undefined}
      onClick={() => navigate('infill')}
      onDragEnter={accept}
      onDragOver={accept}
      onDragLeave={stop}
      onDrop={(e) => {
        stop();
        const [id] = draggedItems(e.dataTransfer);
        const file = e.dataTransfer.files[0];
        if (id === undefined && file === undefined) return;
        e.preventDefault();
        if (id !== undefined) openItemInInfill(id);
        else if (file !== undefined) void openFileInInfill(file);
      }}
      data-testid="nav-infill"
      title="Infill: a library image, or an image file opened from disk (drop either here)"
    >
      <Icon name="infill" size={18} />
      <span>Infill</span>
    </button>
  );
}

export function App() {
  const screen = useStore(appStore, (s) => s.screen);
  const announcement = useStore(jobsStore, (s) => s.announcement);
  const queueCollapsed = useStore(queueLayoutStore, isQueueCollapsed);

  useEffect(() => {
    startRouteSync();
    startJobs();
    void loadModels();
    // The desktop menu's File › Export… exports the Library's selection.
    return on('menu:command', ({ command }) => {
      if (command === 'export')
        appStore.set((s) => ({ ...s, screen: 'library', exportRequest: s.exportRequest + 1 }));
    });
  }, []);

  // Files dropped where nothing takes them must not replace the studio with the file itself.
  useEffect(() => {
    const refuse = (e: globalThis.DragEvent) => {
      if (e.defaultPrevented || !e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'none';
    };
    window.addEventListener('dragover', refuse);
    window.addEventListener('drop', refuse);
    return () => {
      window.removeEventListener('dragover', refuse);
      window.removeEventListener('drop', refuse);
    };
  }, []);

  // Alt+1…5 switch screens (Compare took 5, so the others kept their keys).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const item = NAV.find((n) => n.key === e.key);
      if (item !== undefined) {
        e.preventDefault();
        navigate(item.screen);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const label = screen === 'infill' ? 'Infill' : NAV.find((n) => n.screen === screen)?.label;
    document.title = `${label ?? ''} — Tessera`;
  }, [screen]);

  return (
    <div className={`app ${queueCollapsed ? 'queue-collapsed' : ''}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Screens">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Tessera
        </div>
        <ul>
          {NAV.map((n) => (
            <li key={n.screen}>
              <button
                type="button"
                className={`nav-item ${screen === n.screen ? 'current' : ''}`}
                aria-current={screen === n.screen ? 'page' : undefined}
                onClick={() => navigate(n.screen)}
                data-testid={`nav-${n.screen}`}
                title={`${n.label} (Alt+${n.key})`}
              >
                <Icon name={n.icon} size={18} />
                <span>{n.label}</span>
              </button>
            </li>
          ))}
          <li>
            <InfillNav current={screen === 'infill'} />
          </li>
        </ul>
        <SidebarBoards />
        <div className="sidebar-foot">
          <Connection />
        </div>
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        <ErrorBanner />
        <div className="screen-host">
          {screen === 'generate' ? <GenerateScreen /> : null}
          {screen === 'compare' ? <CompareScreen /> : null}
          {screen === 'library' ? <LibraryScreen /> : null}
          {screen === 'infill' ? <InfillScreen /> : null}
          {screen === 'caption' ? <CaptionScreen /> : null}
          {screen === 'models' ? <ModelsScreen /> : null}
        </div>
      </main>
      <QueuePanel />
      <div className="sr-only" aria-live="polite" aria-atomic="true" data-testid="job-status-live">
        {announcement}
      </div>
      <Toasts />
    </div>
  );
}
