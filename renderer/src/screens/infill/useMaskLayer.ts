/**
 * The mask editor's two canvases: an offscreen layer the strokes are painted on at the surface's
 * resolution, and the visible overlay showing the mask the model will receive (redrawn at most
 * once a frame while painting), with the share of model pixels it covers.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ModelView } from '../../../../app/common/contract.ts';
import { maskCoverage, type Stroke } from '../../lib/mask.ts';
import { drawMaskOverlay, replayStrokes } from '../../lib/mask-draw.ts';
import { layerMask, surfaceCanvas, surfaceContext } from './rasterize.ts';

export function useMaskLayer(image: ModelView['image'], strokes: readonly Stroke[]) {
  const visibleRef = useRef<HTMLCanvasElement>(null);
  const layer = useMemo(surfaceCanvas, []);
  const [coverage, setCoverage] = useState(0);
  const frame = useRef(0);
  const { width, height, cell } = image;

  /** Downsamples the painted layer and draws the snapped mask the model will receive. */
  const render = useCallback(() => {
    const lctx = surfaceContext(layer);
    const vctx = visibleRef.current?.getContext('2d');
    if (!lctx || !vctx) return;
    const mask = layerMask(lctx, width, height);
    setCoverage(maskCoverage(mask));
    drawMaskOverlay(vctx, mask, { width, height, cell });
  }, [layer, width, height, cell]);

  const schedule = useCallback(() => {
    if (frame.current !== 0) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      render();
    });
  }, [render]);

  // Replay the strokes whenever the history moves (undo, redo, clear) or the model changes.
  useEffect(() => {
    const ctx = surfaceContext(layer);
    if (ctx === null) return;
    replayStrokes(ctx, strokes);
    render();
  }, [strokes, layer, render]);

  return { visibleRef, layer, coverage, schedule };
}
