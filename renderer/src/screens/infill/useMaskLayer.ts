/**
 * The mask editor's two canvases: an offscreen layer the strokes are painted on at the surface's
 * resolution, and the visible overlay showing the mask the model will receive (redrawn at most
 * once a frame while painting), with the share of model pixels it covers and, for an image not
 * at the model's size, the region of it the model will work on.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ModelView } from '../../../../app/common/contract.ts';
import type { Region } from '../../../../app/common/infill-square.ts';
import { regionForMask } from '../../lib/working-region.ts';
import { maskCoverage, type Stroke } from '../../lib/mask.ts';
import { drawMaskOverlay, replayStrokes } from '../../lib/mask-draw.ts';
import { layerMask, surfaceCanvas, surfaceContext } from './rasterize.ts';

export function useMaskLayer(
  image: ModelView['image'],
  strokes: readonly Stroke[],
  source: { width: number; height: number },
) {
  const visibleRef = useRef<HTMLCanvasElement>(null);
  const layer = useMemo(surfaceCanvas, []);
  const [coverage, setCoverage] = useState(0);
  const [region, setRegion] = useState<Region | null>(null);
  const frame = useRef(0);
  const { width, height, cell } = image;
  const { width: sourceWidth, height: sourceHeight } = source;

  /** Downsamples the painted layer and draws the snapped mask the model will receive. */
  const render = useCallback(() => {
    const lctx = surfaceContext(layer);
    const vctx = visibleRef.current?.getContext('2d');
    if (!lctx || !vctx) return;
    const mask = layerMask(lctx, width, height);
    setCoverage(maskCoverage(mask));
    const next = regionForMask(
      mask,
      { width, height },
      { width: sourceWidth, height: sourceHeight },
    );
    // A new object each frame would re-render the editor though nothing moved.
    setRegion((cur) => (JSON.stringify(cur) === JSON.stringify(next) ? cur : next));
    drawMaskOverlay(vctx, mask, { width, height, cell });
  }, [layer, width, height, cell, sourceWidth, sourceHeight]);

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

  return { visibleRef, layer, coverage, region, schedule };
}
