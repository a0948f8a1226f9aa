/**
 * The image to infill at the model's resolution scaled up, under a canvas the mask is painted
 * on with brush and eraser (Alt erases), a brush cursor, how much of the image the mask will
 * regenerate and, for a photo, the region around the mask the model will work on.
 */
import { useRef, useState, type PointerEvent } from 'react';
import type { ModelView } from '../../../../app/common/contract.ts';
import type { Region } from '../../../../app/common/infill-square.ts';
import { AssetImage } from '../../components/ui.tsx';
import { pushHistory } from '../../lib/history.ts';
import type { InfillSession, InfillSource } from '../../lib/infill.ts';
import type { Stroke } from '../../lib/mask.ts';
import { drawStroke, SURFACE } from '../../lib/mask-draw.ts';
import { stageBox } from '../../lib/working-region.ts';
import { infillSessionStore } from '../../state/infill-session.ts';
import { surfaceContext } from './rasterize.ts';
import { useMaskLayer } from './useMaskLayer.ts';

const toSurface = (e: PointerEvent<HTMLCanvasElement>): [number, number] => {
  const r = e.currentTarget.getBoundingClientRect();
  return [((e.clientX - r.left) / r.width) * SURFACE, ((e.clientY - r.top) / r.height) * SURFACE];
};

/** Pointer painting: a stroke is drawn as it grows and joins the undo history when it ends. */
function usePainting(
  session: InfillSession,
  radius: number,
  layer: HTMLCanvasElement,
  schedule: () => void,
) {
  const drawing = useRef<Stroke | null>(null);
  const [cursor, setCursor] = useState<{ x: number; y: number } | null>(null);
  const onDown = (e: PointerEvent<HTMLCanvasElement>) => {
    if (e.button !== 0 || session.jobId !== null) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const mode = e.altKey || session.tool === 'erase' ? 'erase' : 'paint';
    const stroke: Stroke = { mode, radius, points: [toSurface(e)] };
    drawing.current = stroke;
    const ctx = surfaceContext(layer);
    if (ctx) drawStroke(ctx, stroke, 0);
    schedule();
  };
  const onMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    setCursor({ x: e.clientX - r.left, y: e.clientY - r.top });
    const s = drawing.current;
    if (s === null || (s.mode !== 'paint' && s.mode !== 'erase')) return;
    s.points.push(toSurface(e));
    const ctx = surfaceContext(layer);
    if (ctx) drawStroke(ctx, s, s.points.length - 1);
    schedule();
  };
  const onUp = () => {
    const s = drawing.current;
    drawing.current = null;
    if (s === null) return;
    infillSessionStore.set((x) =>
      x === null ? x : { ...x, history: pushHistory(x.history, [...x.history.present, s]) },
    );
  };
  return { cursor, clearCursor: () => setCursor(null), onDown, onMove, onUp };
}

/** The region the model will work on, drawn over the image; what lies outside is dimmed. */
function WorkingRegion({ region, item }: { region: Region; item: InfillSource }) {
  const box = stageBox(region, item);
  const pct = (v: number) => `${v * 100}%`;
  return (
    <div
      className="working-region"
      aria-hidden="true"
      data-testid="working-region"
      data-region={`${region.x},${region.y},${region.width},${region.height}`}
      style={{
        left: pct(box.left),
        top: pct(box.top),
        width: pct(box.width),
        height: pct(box.height),
      }}
    />
  );
}

export function MaskCanvas({
  model,
  item,
  session,
}: {
  model: ModelView;
  item: InfillSource;
  session: InfillSession;
}) {
  const mw = model.image.width;
  const mh = model.image.height;
  const radius = (session.brush * SURFACE) / mw / 2;
  const { visibleRef, layer, coverage, region, schedule } = useMaskLayer(
    model.image,
    session.history.present,
    item,
  );
  const paint = usePainting(session, radius, layer, schedule);
  const small = item.width <= 128 && item.height <= 128;
  const displayRadius = (r: HTMLCanvasElement | null) =>
    r === null ? radius : (radius * r.getBoundingClientRect().width) / SURFACE;

  return (
    <div className="mask-editor">
      <div className="mask-stage" onPointerLeave={paint.clearCursor}>
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
          onPointerDown={paint.onDown}
          onPointerMove={paint.onMove}
          onPointerUp={paint.onUp}
          onPointerCancel={paint.onUp}
        />
        {region !== null ? <WorkingRegion region={region} item={item} /> : null}
        {paint.cursor !== null && session.jobId === null ? (
          <div
            className="brush-cursor"
            aria-hidden="true"
            style={{
              left: paint.cursor.x,
              top: paint.cursor.y,
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
        {region !== null
          ? ` · the model works on the ${region.width}×${region.height} px inside the dashed box, at ${mw}×${mh}; the rest of the ${item.width}×${item.height} image is kept as it is`
          : ''}
      </div>
    </div>
  );
}
