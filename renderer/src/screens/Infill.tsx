/**
 * Infill: a library item, or an image file opened from disk without importing it (only the
 * result goes into the library; its recipe names the file by hash). The image at the model's
 * resolution scaled up, a mask painted with brush and eraser (undo/redo), sent at the MODEL's
 * resolution (one byte per model pixel) with a prompt, seed and feather; then the result staged
 * next to the original: accept, discard, or open its lineage (docs/studio.md §Infill).
 */
import {
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type PointerEvent,
} from 'react';
import type { ItemDetailView, ModelView, ResponseOf } from '../../../app/common/contract.ts';
import { samplingOf } from '../../../app/common/inference-contract.ts';
import { dialogs, invoke } from '../bridge/index.ts';
import { LineageList } from '../components/DetailPanel.tsx';
import { Icon } from '../components/Icon.tsx';
import { progressOf } from '../components/QueuePanel.tsx';
import { SeedField, StyleField } from '../components/SeedStyleFields.tsx';
import {
  AssetImage,
  Callout,
  Empty,
  Field,
  PreviewCanvas,
  ProgressBar,
  RangeField,
  StatusBadge,
} from '../components/ui.tsx';
import {
  canRedo,
  canUndo,
  historyOf,
  pushHistory,
  redo,
  undo,
  type History,
} from '../lib/history.ts';
import { bytesToBase64, downsampleMask, maskCoverage, type Stroke } from '../lib/mask.ts';
import { carriesFiles, carriesItems, draggedItems } from '../lib/drag.ts';
import { randomSeed } from '../lib/settings.ts';
import { appStore, navigate, openInLibrary, reportError, toast } from '../state/app.ts';
import { openFileInInfill, openInInfill, openItemInInfill } from '../state/infill-open.ts';
import { jobAction, jobsStore, refreshJobs } from '../state/jobs.ts';
import { canDo, modelsStore } from '../state/models.ts';
import { createStore, useStore } from '../state/store.ts';
import { unitLabel } from '../lib/format.ts';

/** Resolution of the painting surface (display pixels); the mask is downsampled from it. */
const SURFACE = 512;

/** What is being infilled: a library item, or a file opened for it (then `itemId` is null). */
interface InfillSource {
  /** `item:<id>` or `file:<sha256>`: the session belongs to one source */
  key: string;
  itemId: number | null;
  sha256: string;
  title: string;
  width: number;
  height: number;
  recipe: ItemDetailView['recipe'];
  prompt: string;
}

function itemSource(item: ItemDetailView): InfillSource {
  return {
    key: `item:${item.id}`,
    itemId: item.id,
    sha256: item.sha256,
    title: item.title,
    width: item.width,
    height: item.height,
    recipe: item.recipe,
    prompt: item.recipe?.prompt ?? item.foreign?.prompt ?? item.title,
  };
}

function fileSource(file: ResponseOf<'infill:openFile'>): InfillSource {
  return {
    key: `file:${file.sha256}`,
    itemId: null,
    sha256: file.sha256,
    title: file.name,
    width: file.width,
    height: file.height,
    recipe: null,
    prompt: '',
  };
}

interface InfillSession {
  sourceKey: string;
  history: History<Stroke[]>;
  prompt: string;
  seed: number;
  seedLocked: boolean;
  featherPx: number;
  brush: number;
  tool: 'paint' | 'erase';
  modelId: string;
  style: string | null;
  cfgScale: number;
  jobId: string | null;
}

/** Kept across screen switches, so leaving Infill does not lose the mask or the staged result. */
const sessionStore = createStore<InfillSession | null>(null);

function setSession(patch: Partial<InfillSession>): void {
  sessionStore.set((s) => (s === null ? s : { ...s, ...patch }));
}

function replay(ctx: CanvasRenderingContext2D, strokes: readonly Stroke[]): void {
  ctx.globalCompositeOperation = 'source-over';
  ctx.clearRect(0, 0, SURFACE, SURFACE);
  for (const s of strokes) drawStroke(ctx, s, 0);
}

/** Draws a stroke from point `from` on (all of it for 0). */
function drawStroke(ctx: CanvasRenderingContext2D, s: Stroke, from: number): void {
  if (s.mode === 'clear') {
    ctx.globalCompositeOperation = 'source-over';
    ctx.clearRect(0, 0, SURFACE, SURFACE);
    return;
  }
  if (s.mode === 'fill') {
    ctx.globalCompositeOperation = 'source-over';
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, SURFACE, SURFACE);
    return;
  }
  if (s.mode === 'below') {
    const top = Math.round(s.fraction * SURFACE);
    ctx.globalCompositeOperation = 'source-over';
    ctx.clearRect(0, 0, SURFACE, SURFACE);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, top, SURFACE, SURFACE - top);
    return;
  }
  ctx.globalCompositeOperation = s.mode === 'erase' ? 'destination-out' : 'source-over';
  ctx.strokeStyle = '#000';
  ctx.fillStyle = '#000';
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineWidth = s.radius * 2;
  const pts = s.points;
  if (pts.length === 1 || from === 0) {
    const [x, y] = pts[0]!;
    ctx.beginPath();
    ctx.arc(x, y, s.radius, 0, Math.PI * 2);
    ctx.fill();
  }
  const start = Math.max(1, from);
  if (pts.length > 1 && start < pts.length) {
    ctx.beginPath();
    const [x0, y0] = pts[start - 1]!;
    ctx.moveTo(x0, y0);
    for (let i = start; i < pts.length; i++) ctx.lineTo(pts[i]![0], pts[i]![1]);
    ctx.stroke();
  }
  ctx.globalCompositeOperation = 'source-over';
}

/**
 * "Continue from the top" (prefix completion, for models that declare it): masks every model
 * row below the first N, so the model keeps the top and continues the picture downwards.
 */
function ContinueFromTop({
  rows,
  disabled,
  onPick,
}: {
  rows: number;
  disabled: boolean;
  onPick: (keep: number, rows: number) => void;
}) {
  if (rows < 2) return null;
  return (
    <div className="row gap wrap" role="group" aria-label="Continue from the top">
      <span className="muted small-text">Continue from the top, keeping</span>
      {Array.from({ length: rows - 1 }, (_, i) => i + 1).map((keep) => (
        <button
          key={keep}
          type="button"
          className="btn small"
          onClick={() => onPick(keep, rows)}
          disabled={disabled}
          data-testid={`keep-rows-${keep}`}
          title={`Keep the top ${keep} of ${rows} rows and let the model continue the rest`}
        >
          {keep}/{rows}
        </button>
      ))}
    </div>
  );
}

function MaskEditor({
  model,
  item,
  session,
}: {
  model: ModelView;
  item: InfillSource;
  session: InfillSession;
}) {
  const visibleRef = useRef<HTMLCanvasElement>(null);
  const layer = useMemo(() => {
    const c = document.createElement('canvas');
    c.width = SURFACE;
    c.height = SURFACE;
    return c;
  }, []);
  const drawing = useRef<Stroke | null>(null);
  const [cursor, setCursor] = useState<{ x: number; y: number } | null>(null);
  const [coverage, setCoverage] = useState(0);
  const frame = useRef(0);
  const mw = model.image.width;
  const mh = model.image.height;
  const radius = (session.brush * SURFACE) / mw / 2;

  /** Downsamples the painted layer and draws the snapped mask the model will receive. */
  const render = useCallback(() => {
    const lctx = layer.getContext('2d', { willReadFrequently: true });
    const vctx = visibleRef.current?.getContext('2d');
    if (!lctx || !vctx) return;
    const mask = downsampleMask(
      lctx.getImageData(0, 0, SURFACE, SURFACE).data,
      SURFACE,
      SURFACE,
      mw,
      mh,
    );
    setCoverage(maskCoverage(mask));
    vctx.clearRect(0, 0, SURFACE, SURFACE);
    const cw = SURFACE / mw;
    const ch = SURFACE / mh;
    vctx.fillStyle = 'rgba(124, 156, 255, 0.55)';
    for (let y = 0; y < mh; y++)
      for (let x = 0; x < mw; x++)
        if (mask[y * mw + x])
          vctx.fillRect(Math.floor(x * cw), Math.floor(y * ch), Math.ceil(cw), Math.ceil(ch));
    // The model's pixel grid, faintly: the mask snaps to it.
    vctx.strokeStyle = 'rgba(0, 0, 0, 0.08)';
    vctx.lineWidth = 1;
    vctx.beginPath();
    for (let x = 1; x < mw; x++) {
      vctx.moveTo(Math.round(x * cw) + 0.5, 0);
      vctx.lineTo(Math.round(x * cw) + 0.5, SURFACE);
    }
    for (let y = 1; y < mh; y++) {
      vctx.moveTo(0, Math.round(y * ch) + 0.5);
      vctx.lineTo(SURFACE, Math.round(y * ch) + 0.5);
    }
    vctx.stroke();
    // The model's own cells (MCUs, code cells): a painted pixel regenerates its whole cell,
    // and the composite then keeps the source outside what was painted.
    const cell = model.image.cell;
    if (cell > 1) {
      vctx.strokeStyle = 'rgba(0, 0, 0, 0.25)';
      vctx.beginPath();
      for (let x = cell; x < mw; x += cell) {
        vctx.moveTo(Math.round(x * cw) + 0.5, 0);
        vctx.lineTo(Math.round(x * cw) + 0.5, SURFACE);
      }
      for (let y = cell; y < mh; y += cell) {
        vctx.moveTo(0, Math.round(y * ch) + 0.5);
        vctx.lineTo(SURFACE, Math.round(y * ch) + 0.5);
      }
      vctx.stroke();
    }
  }, [layer, mw, mh, model.image.cell]);

  const schedule = useCallback(() => {
    if (frame.current !== 0) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      render();
    });
  }, [render]);

  // Replay the strokes whenever the history moves (undo, redo, clear) or the model changes.
  useEffect(() => {
    const ctx = layer.getContext('2d', { willReadFrequently: true });
    if (ctx === null) return;
    replay(ctx, session.history.present);
    render();
  }, [session.history.present, layer, render]);

  const toSurface = (e: PointerEvent<HTMLCanvasElement>): [number, number] => {
    const r = e.currentTarget.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * SURFACE, ((e.clientY - r.top) / r.height) * SURFACE];
  };

  const onDown = (e: PointerEvent<HTMLCanvasElement>) => {
    if (e.button !== 0 || session.jobId !== null) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const mode = e.altKey || session.tool === 'erase' ? 'erase' : 'paint';
    const stroke: Stroke = { mode, radius, points: [toSurface(e)] };
    drawing.current = stroke;
    const ctx = layer.getContext('2d', { willReadFrequently: true });
    if (ctx) drawStroke(ctx, stroke, 0);
    schedule();
  };
  const onMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    setCursor({ x: e.clientX - r.left, y: e.clientY - r.top });
    const s = drawing.current;
    if (s === null || (s.mode !== 'paint' && s.mode !== 'erase')) return;
    s.points.push(toSurface(e));
    const ctx = layer.getContext('2d', { willReadFrequently: true });
    if (ctx) drawStroke(ctx, s, s.points.length - 1);
    schedule();
  };
  const onUp = () => {
    const s = drawing.current;
    drawing.current = null;
    if (s === null) return;
    sessionStore.set((x) =>
      x === null ? x : { ...x, history: pushHistory(x.history, [...x.history.present, s]) },
    );
  };

  const small = item.width <= 128 && item.height <= 128;
  const displayRadius = (r: HTMLCanvasElement | null) =>
    r === null ? radius : (radius * r.getBoundingClientRect().width) / SURFACE;

  return (
    <div className="mask-editor">
      <div className="mask-stage" onPointerLeave={() => setCursor(null)}>
        <AssetImage
          sha256={item.sha256}
          alt={`The image to infill: ${item.title}`}
          small={small}
          className="mask-image"
        />
        <canvas
          ref={visibleRef}
          width={SURFACE}
          height={SURFACE}
          className={`mask-canvas ${session.tool}`}
          data-testid="mask-canvas"
          aria-label={`Mask: ${Math.round(coverage * 100)}% of the image will be regenerated. Drag to paint; hold Alt to erase.`}
          role="img"
          onPointerDown={onDown}
          onPointerMove={onMove}
          onPointerUp={onUp}
          onPointerCancel={onUp}
        />
        {cursor !== null && session.jobId === null ? (
          <div
            className="brush-cursor"
            aria-hidden="true"
            style={{
              left: cursor.x,
              top: cursor.y,
              width: displayRadius(visibleRef.current) * 2,
              height: displayRadius(visibleRef.current) * 2,
            }}
          />
        ) : null}
      </div>
      <div className="mask-caption muted" data-testid="mask-coverage">
        {coverage === 0
          ? 'Paint over the part to regenerate.'
          : `${Math.round(coverage * 100)}% of the ${mw}×${mh} model pixels will be regenerated`}
      </div>
    </div>
  );
}

/**
 * Opens an image file for infill without importing it: the desktop's file dialog hands the app
 * a path; a browser (web mode) uploads the file's bytes over the loopback server.
 */
function OpenFileButton({ label, className = 'btn' }: { label: string; className?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const run = async (open: () => Promise<void>) => {
    setBusy(true);
    try {
      await open();
    } finally {
      setBusy(false);
    }
  };
  const pick = async () => {
    if (!dialogs.available()) {
      input.current?.click();
      return;
    }
    try {
      const [path] = await dialogs.files('Open an image to infill', {
        buttonLabel: 'Open',
        multiple: false,
      });
      if (path !== undefined) await run(() => openInInfill({ from: 'path', path }));
    } catch (err) {
      reportError('Could not open the file picker', err);
    }
  };
  return (
    <>
      <button
        type="button"
        className={className}
        onClick={() => void pick()}
        disabled={busy}
        title="Infill an image file without adding it to the library; only the result is added"
        data-testid="infill-open-file"
      >
        <Icon name="folder" size={14} /> {busy ? 'Opening…' : label}
      </button>
      <input
        ref={input}
        type="file"
        accept="image/*"
        hidden
        data-testid="infill-file-input"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (file !== undefined) void run(() => openFileInInfill(file));
        }}
      />
    </>
  );
}

/**
 * Drops onto the Infill screen: a library item dragged from the grid opens it here; an image
 * file dragged from the desktop opens it without importing it.
 */
function useInfillDrop() {
  const [over, setOver] = useState(false);
  const accepts = (e: DragEvent) => carriesItems(e.dataTransfer) || carriesFiles(e.dataTransfer);
  return {
    over,
    handlers: {
      onDragOver: (e: DragEvent) => {
        if (!accepts(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setOver(true);
      },
      onDragLeave: (e: DragEvent<HTMLElement>) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
      },
      onDrop: (e: DragEvent) => {
        if (!accepts(e)) return;
        e.preventDefault();
        setOver(false);
        const [id] = draggedItems(e.dataTransfer);
        const file = e.dataTransfer.files[0];
        if (id !== undefined) openItemInInfill(id);
        else if (file !== undefined) void openFileInInfill(file);
      },
    },
  };
}

export function InfillScreen() {
  const infillId = useStore(appStore, (s) => s.infillId);
  const infillFile = useStore(appStore, (s) => s.infillFile);
  const session = useStore(sessionStore, (s) => s);
  const models = useStore(modelsStore, (s) => s.models);
  const jobs = useStore(jobsStore, (s) => s.jobs);
  const live = useStore(jobsStore, (s) => s.live);
  const [item, setItem] = useState<InfillSource | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const ids = { prompt: useId(), seed: useId(), model: useId(), style: useId() };

  const infillers = useMemo(() => models.filter((m) => canDo(m, 'infill')), [models]);
  const drop = useInfillDrop();

  /** A new session for a source, unless the current one is already about it. */
  const begin = useCallback(
    (source: InfillSource) => {
      setItem(source);
      const current = sessionStore.get();
      if (current !== null && current.sourceKey === source.key) return;
      const fromRecipe = source.recipe;
      const model =
        infillers.find((m) => m.id === fromRecipe?.modelId && m.usable) ??
        infillers.find((m) => m.usable);
      sessionStore.set({
        sourceKey: source.key,
        history: historyOf<Stroke[]>([]),
        prompt: source.prompt,
        seed: randomSeed(),
        seedLocked: false,
        featherPx: 2,
        brush: 4,
        tool: 'paint',
        modelId: model?.id ?? '',
        style: fromRecipe?.style ?? null,
        cfgScale: fromRecipe?.sampling.cfgScale ?? model?.sampling.defaults.cfgScale ?? 3,
        jobId: null,
      });
    },
    [infillers],
  );

  useEffect(() => {
    if (infillId === null) {
      setError(null);
      if (infillFile !== null) begin(fileSource(infillFile));
      return;
    }
    let stale = false;
    setItem(null);
    setError(null);
    invoke('gallery:get', { id: infillId })
      .then((detail) => {
        if (!stale) begin(itemSource(detail));
      })
      .catch((err: unknown) => {
        if (!stale) setError(err instanceof Error ? err.message : String(err));
      });
    return () => {
      stale = true;
    };
  }, [infillId, infillFile, begin]);

  // Ctrl+Z / Ctrl+Shift+Z (and Ctrl+Y) for the mask; B / E pick the tool; [ and ] size the brush.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = sessionStore.get();
      if (s === null || s.jobId !== null) return;
      const t = e.target as HTMLElement | null;
      const typing =
        t !== null &&
        (t.tagName === 'TEXTAREA' ||
          (t.tagName === 'INPUT' &&
            (t as HTMLInputElement).type !== 'range' &&
            (t as HTMLInputElement).type !== 'checkbox'));
      const mod = e.ctrlKey || e.metaKey;
      if (mod && !typing && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        setSession({ history: e.shiftKey ? redo(s.history) : undo(s.history) });
      } else if (mod && !typing && e.key.toLowerCase() === 'y') {
        e.preventDefault();
        setSession({ history: redo(s.history) });
      } else if (!mod && !typing && e.key.toLowerCase() === 'b') setSession({ tool: 'paint' });
      else if (!mod && !typing && e.key.toLowerCase() === 'e') setSession({ tool: 'erase' });
      else if (!mod && !typing && e.key === '[') setSession({ brush: Math.max(1, s.brush - 1) });
      else if (!mod && !typing && e.key === ']') setSession({ brush: Math.min(16, s.brush + 1) });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (infillId === null && infillFile === null)
    return (
      <div
        className={`screen${drop.over ? ' drop-target' : ''}`}
        data-testid="infill-drop"
        {...drop.handlers}
      >
        <Empty title="Nothing to infill">
          Open an image in the Library and choose “Infill…” (or drag it here), or infill an image
          file without adding it to the library.
          <div className="row gap empty-actions">
            <button type="button" className="btn" onClick={() => navigate('library')}>
              <Icon name="library" size={14} /> Go to the Library
            </button>
            <OpenFileButton label="Open an image file…" className="btn primary" />
          </div>
        </Empty>
      </div>
    );
  if (error !== null)
    return (
      <div className="screen scroll-page">
        <Callout tone="error" title="Could not open the image">
          {error} Pick another image in the Library.
        </Callout>
      </div>
    );
  if (item === null || session === null || session.sourceKey !== item.key)
    return <div className="screen pad muted">Loading…</div>;

  const model = infillers.find((m) => m.id === session.modelId);
  const job = session.jobId === null ? undefined : jobs.find((j) => j.id === session.jobId);
  const jobLive = session.jobId === null ? undefined : live[session.jobId];
  const resultId = job?.status === 'completed' ? job.assetIds[0] : undefined;
  const strokes = session.history.present;

  const submit = async () => {
    if (model === undefined || submitting) return;
    const lc = document.createElement('canvas');
    lc.width = SURFACE;
    lc.height = SURFACE;
    const ctx = lc.getContext('2d', { willReadFrequently: true });
    if (ctx === null) return;
    replay(ctx, strokes);
    const mask = downsampleMask(
      ctx.getImageData(0, 0, SURFACE, SURFACE).data,
      SURFACE,
      SURFACE,
      model.image.width,
      model.image.height,
    );
    if (maskCoverage(mask) === 0) {
      reportError(
        'Nothing to infill',
        new Error('the mask is empty: paint over the part of the image to regenerate'),
      );
      return;
    }
    const seed = session.seedLocked ? session.seed : randomSeed();
    setSession({ seed });
    setSubmitting(true);
    try {
      const { jobId } = await invoke('jobs:submitInfill', {
        modelId: model.id,
        provider: model.provider,
        prompt: session.prompt.trim(),
        style: session.style,
        seed,
        sampling: {
          ...(item.recipe?.sampling ?? { ...samplingOf(model.sampling.defaults), cdk: null }),
          cfgScale: session.cfgScale,
        },
        ...(item.itemId !== null ? { parentId: item.itemId } : { sourceSha256: item.sha256 }),
        mask: bytesToBase64(mask),
        featherPx: session.featherPx,
        boardId: null,
      });
      setSession({ jobId });
      void refreshJobs();
    } catch (err) {
      reportError('Could not start the infill', err);
    } finally {
      setSubmitting(false);
    }
  };

  const discard = async () => {
    if (resultId === undefined) return;
    try {
      await invoke('gallery:delete', { ids: [resultId] });
      setSession({ jobId: null });
      toast('Discarded the infill result (it is in the trash)', {
        label: 'Undo',
        run: () => void invoke('gallery:restore', { ids: [resultId] }),
      });
    } catch (err) {
      reportError('Could not discard the result', err);
    }
  };

  const progress = job === undefined ? null : progressOf(job, jobLive);
  const blocked =
    model === undefined
      ? 'No installed model can infill: import one with the infill capability.'
      : !model.usable
        ? (model.problem ?? 'This model cannot run.')
        : session.prompt.trim() === '' && !model.capabilities.prefixCompletion
          ? 'Write a prompt for the masked region.'
          : strokes.length === 0
            ? 'Paint the region to regenerate.'
            : null;
  const method = model === undefined ? null : String(model.capabilities.infill);

  return (
    <div
      className={`screen infill-screen${drop.over ? ' drop-target' : ''}`}
      data-testid="infill-drop"
      {...drop.handlers}
    >
      <div className="form-column" aria-label="Infill settings">
        <h1 className="screen-title">Infill</h1>
        <div className="muted infill-source" data-testid="infill-source">
          {item.itemId !== null ? (
            <>
              From{' '}
              <button
                type="button"
                className="btn link"
                onClick={() => item.itemId !== null && openInLibrary(item.itemId)}
              >
                #{item.itemId} {item.title}
              </button>
            </>
          ) : (
            <>
              From the file <strong>{item.title}</strong> ({item.width}×{item.height}), not in the
              library: only the result is added
            </>
          )}
        </div>
        <OpenFileButton label="Open another image file…" className="btn small" />
        <Field label="Model" id={ids.model}>
          <select
            id={ids.model}
            value={session.modelId}
            onChange={(e) => setSession({ modelId: e.target.value })}
            disabled={session.jobId !== null}
          >
            {infillers.length === 0 ? <option value="">No model can infill</option> : null}
            {infillers.map((m) => (
              <option key={m.id} value={m.id} disabled={!m.usable}>
                {m.name}
              </option>
            ))}
          </select>
        </Field>
        {model !== undefined ? (
          <div className="model-line muted">
            Mask at {model.image.width}×{model.image.height} · method{' '}
            <span className="badge tone-info">{method}</span>
          </div>
        ) : null}
        <div className="field">
          <span className="label">Tool</span>
          <div className="row gap tool-row" role="group" aria-label="Mask tool">
            <button
              type="button"
              className={`btn ${session.tool === 'paint' ? 'active' : ''}`}
              aria-pressed={session.tool === 'paint'}
              onClick={() => setSession({ tool: 'paint' })}
              title="Brush (B)"
              data-testid="tool-brush"
            >
              <Icon name="brush" size={14} /> Brush
            </button>
            <button
              type="button"
              className={`btn ${session.tool === 'erase' ? 'active' : ''}`}
              aria-pressed={session.tool === 'erase'}
              onClick={() => setSession({ tool: 'erase' })}
              title="Eraser (E, or hold Alt)"
              data-testid="tool-eraser"
            >
              <Icon name="eraser" size={14} /> Eraser
            </button>
            <span className="grow" />
            <button
              type="button"
              className="btn icon-only"
              aria-label="Undo"
              title="Undo (Ctrl+Z)"
              disabled={!canUndo(session.history) || session.jobId !== null}
              onClick={() => setSession({ history: undo(session.history) })}
              data-testid="mask-undo"
            >
              <Icon name="undo" size={14} />
            </button>
            <button
              type="button"
              className="btn icon-only"
              aria-label="Redo"
              title="Redo (Ctrl+Shift+Z)"
              disabled={!canRedo(session.history) || session.jobId !== null}
              onClick={() => setSession({ history: redo(session.history) })}
              data-testid="mask-redo"
            >
              <Icon name="redo" size={14} />
            </button>
          </div>
        </div>
        <RangeField
          label="Brush size"
          value={session.brush}
          min={1}
          max={16}
          step={1}
          onChange={(v) => setSession({ brush: Math.round(v) })}
          hint={`${session.brush} model px · [ ]`}
          testId="brush-size"
        />
        <RangeField
          label="Feather"
          value={session.featherPx}
          min={0}
          max={16}
          step={1}
          onChange={(v) => setSession({ featherPx: Math.round(v) })}
          hint={`${session.featherPx} px blend at the edge`}
          testId="feather-input"
        />
        <div className="row gap">
          <button
            type="button"
            className="btn small"
            onClick={() =>
              setSession({ history: pushHistory(session.history, [...strokes, { mode: 'fill' }]) })
            }
            disabled={session.jobId !== null}
          >
            <Icon name="fill" size={13} /> Mask all
          </button>
          <button
            type="button"
            className="btn small"
            onClick={() =>
              setSession({ history: pushHistory(session.history, [...strokes, { mode: 'clear' }]) })
            }
            disabled={session.jobId !== null || strokes.length === 0}
          >
            <Icon name="x" size={13} /> Clear mask
          </button>
        </div>
        {model?.capabilities.prefixCompletion ? (
          <ContinueFromTop
            rows={Math.floor(model.image.height / model.image.cell)}
            disabled={session.jobId !== null}
            onPick={(keep, rows) =>
              setSession({
                history: pushHistory(session.history, [
                  ...strokes,
                  { mode: 'below', fraction: keep / rows },
                ]),
              })
            }
          />
        ) : null}
        <Field label="Prompt for the masked region" id={ids.prompt}>
          <textarea
            id={ids.prompt}
            rows={3}
            value={session.prompt}
            onChange={(e) => setSession({ prompt: e.target.value })}
            maxLength={2000}
            data-testid="infill-prompt"
          />
        </Field>
        <StyleField
          id={ids.style}
          styles={model?.styles ?? []}
          value={session.style}
          onChange={(style) => setSession({ style })}
        />
        <SeedField
          id={ids.seed}
          seed={session.seed}
          locked={session.seedLocked}
          onChange={setSession}
          testIdPrefix="infill-seed"
        />
        {model !== undefined ? (
          <RangeField
            label="Guidance (CFG)"
            value={session.cfgScale}
            min={model.sampling.bounds.cfgScale?.[0] ?? 0}
            max={model.sampling.bounds.cfgScale?.[1] ?? 20}
            step={0.1}
            onChange={(v) => setSession({ cfgScale: v })}
          />
        ) : null}
        <div className="submit-row">
          <button
            type="button"
            className="btn primary wide"
            onClick={() => void submit()}
            disabled={blocked !== null || submitting || session.jobId !== null}
            data-testid="infill-submit"
          >
            <Icon name="infill" /> {submitting ? 'Queuing…' : 'Infill masked region'}
          </button>
          {blocked !== null && session.jobId === null ? (
            <div className="hint">{blocked}</div>
          ) : null}
        </div>
      </div>

      <section className="stage infill-stage" aria-label="Mask and result">
        <div className="infill-panes">
          <div className="pane">
            <h2 className="section-label">
              {session.jobId === null ? 'Paint the mask' : 'Original and mask'}
            </h2>
            {model !== undefined ? (
              <MaskEditor model={model} item={item} session={session} />
            ) : null}
          </div>
          {session.jobId !== null ? (
            <div className="pane staging" data-testid="infill-staging" aria-live="polite">
              <h2 className="section-label">Result</h2>
              <div className="result-frame">
                {resultId !== undefined ? (
                  <ResultImage id={resultId} />
                ) : (
                  <PreviewCanvas
                    preview={jobLive?.preview ?? null}
                    label="Infill preview"
                    className="stage-canvas"
                  />
                )}
              </div>
              {job !== undefined && progress !== null ? (
                <div className="stage-status">
                  <div className="stage-status-line">
                    <StatusBadge status={job.status} />
                    <span className="muted">
                      {job.status === 'completed'
                        ? 'Finished: compare, then keep or discard it'
                        : progress.total > 0
                          ? `${progress.done}/${progress.total} ${unitLabel(progress.unit, progress.total)}`
                          : job.status === 'running'
                            ? 'Starting…'
                            : 'Waiting in the queue…'}
                      {progress.eta !== '' ? ` · ETA ${progress.eta}` : ''}
                    </span>
                  </div>
                  {job.status !== 'completed' ? (
                    <ProgressBar value={progress.value} label="Infill progress" />
                  ) : null}
                  {job.error !== null ? <Callout tone="error">{job.error.message}</Callout> : null}
                </div>
              ) : null}
              {resultId !== undefined ? <ResultLineage id={resultId} /> : null}
              <div className="staging-actions">
                {resultId !== undefined ? (
                  <>
                    <button
                      type="button"
                      className="btn primary"
                      onClick={() => {
                        setSession({ jobId: null });
                        toast(`Kept #${resultId} in the library`);
                      }}
                      data-testid="staging-accept"
                    >
                      <Icon name="check" size={14} /> Accept
                    </button>
                    <button
                      type="button"
                      className="btn danger"
                      onClick={() => void discard()}
                      data-testid="staging-discard"
                    >
                      <Icon name="trash" size={14} /> Discard
                    </button>
                    <button
                      type="button"
                      className="btn"
                      onClick={() => openInLibrary(resultId)}
                      data-testid="staging-lineage"
                    >
                      <Icon name="lineage" size={14} /> Open lineage
                    </button>
                    <button
                      type="button"
                      className="btn"
                      onClick={() => {
                        sessionStore.set(null);
                        openItemInInfill(resultId);
                      }}
                      title="Infill the result again"
                    >
                      <Icon name="infill" size={14} /> Continue from result
                    </button>
                  </>
                ) : job !== undefined && (job.status === 'failed' || job.status === 'cancelled') ? (
                  <button type="button" className="btn" onClick={() => setSession({ jobId: null })}>
                    Back to the mask
                  </button>
                ) : (
                  <button
                    type="button"
                    className="btn"
                    onClick={() =>
                      session.jobId !== null && void jobAction('cancel', session.jobId)
                    }
                  >
                    <Icon name="x" size={14} /> Cancel
                  </button>
                )}
              </div>
            </div>
          ) : null}
        </div>
        <p className="muted infill-help">
          The mask snaps to the model's {model?.image.width ?? '?'}×{model?.image.height ?? '?'}{' '}
          pixels
          {model !== undefined && model.image.cell > 1
            ? `; the model regenerates every ${model.image.cell}×${model.image.cell} cell you touch (the darker grid), and the result keeps your picture outside what you painted`
            : '; the highlighted squares are exactly what is regenerated'}
          . Hold Alt to erase; B and E switch tools; Ctrl+Z and Ctrl+Shift+Z undo and redo.
        </p>
      </section>
    </div>
  );
}

function ResultLineage({ id }: { id: number }) {
  const [lineage, setLineage] = useState<ResponseOf<'gallery:lineage'> | null>(null);
  useEffect(() => {
    invoke('gallery:lineage', { id })
      .then(setLineage)
      .catch((err: unknown) => reportError('Could not read the lineage', err));
  }, [id]);
  if (lineage === null) return null;
  return (
    <div className="staging-lineage">
      <h3 className="section-label">Lineage</h3>
      <LineageList selfId={id} lineage={lineage} onOpen={(x) => openInLibrary(x)} />
    </div>
  );
}

function ResultImage({ id }: { id: number }) {
  const [sha, setSha] = useState<string | null>(null);
  useEffect(() => {
    invoke('gallery:get', { id })
      .then((d) => setSha(d.sha256))
      .catch((err: unknown) => reportError('Could not load the result', err));
  }, [id]);
  return sha === null ? null : (
    <AssetImage sha256={sha} alt="Infill result" className="stage-result" />
  );
}
