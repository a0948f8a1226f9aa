/** Small shared pieces: fields, progress, preview canvas, status badges, dialogs. */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { JobView } from '../../../app/common/contract.ts';
import { assetUrl } from '../bridge/index.ts';
import { base64ToBytes, rgbToRgba } from '../lib/mask.ts';
import { formatNumber } from '../lib/format.ts';
import { Icon } from './Icon.tsx';

export function Field({
  label,
  hint,
  children,
  id,
  className,
}: {
  label: ReactNode;
  hint?: ReactNode;
  /** the id of the control inside, for <label for> */
  id: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint === undefined ? null : <div className="hint">{hint}</div>}
    </div>
  );
}

/** A slider with a number box beside it, bounded by a model's sampling bounds. */
export function RangeField({
  label,
  value,
  min,
  max,
  step,
  onChange,
  hint,
  testId,
  lock,
}: {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onChange: (v: number) => void;
  hint?: ReactNode;
  testId?: string;
  /** a lock beside the label: what it means is the caller's (e.g. kept across model switches) */
  lock?: { locked: boolean; onToggle: () => void; title: string; testId?: string };
}) {
  const id = useId();
  const set = (raw: string) => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) return;
    onChange(Math.min(max, Math.max(min, v)));
  };
  return (
    <div className="field range-field">
      <div className="label-row">
        <label htmlFor={id}>{label}</label>
        {lock !== undefined ? (
          <button
            type="button"
            className={`btn icon-only small range-lock ${lock.locked ? 'active' : ''}`}
            aria-pressed={lock.locked}
            aria-label={`Lock ${label}`}
            title={lock.title}
            onClick={lock.onToggle}
            data-testid={lock.testId}
          >
            <Icon name={lock.locked ? 'lock' : 'unlock'} size={12} />
          </button>
        ) : null}
        <span className="hint">
          {hint ?? (
            <>
              {formatNumber(min)} – {formatNumber(max)}
            </>
          )}
        </span>
      </div>
      <div className="range-row">
        <input
          type="range"
          min={min}
          max={max}
          step={step}
          value={value}
          aria-label={`${label} slider`}
          onChange={(e) => set(e.target.value)}
          tabIndex={-1}
        />
        <input
          id={id}
          className="num"
          type="number"
          min={min}
          max={max}
          step={step}
          value={Number(value.toFixed(6))}
          data-testid={testId}
          onChange={(e) => set(e.target.value)}
        />
      </div>
    </div>
  );
}

export function ProgressBar({
  value,
  label,
  compact = false,
}: {
  /** 0–100, or null for indeterminate */
  value: number | null;
  label: string;
  compact?: boolean;
}) {
  return (
    <div
      className={`progress ${compact ? 'compact' : ''} ${value === null ? 'indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value === null ? undefined : Math.round(value)}
    >
      <div className="progress-fill" style={{ width: value === null ? '30%' : `${value}%` }} />
    </div>
  );
}

/** A preview event's RGB drawn 1:1 to a canvas that CSS scales up with nearest-neighbour. */
export function PreviewCanvas({
  preview,
  className,
  label,
  testId,
}: {
  preview: { rgb: string; width: number; height: number } | null;
  className?: string;
  label: string;
  testId?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (canvas === null) return;
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    if (preview === null) {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      return;
    }
    const { width, height } = preview;
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    try {
      const rgba = rgbToRgba(base64ToBytes(preview.rgb), width, height);
      ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
    } catch {
      ctx.clearRect(0, 0, width, height);
    }
  }, [preview]);
  return (
    <canvas
      ref={ref}
      className={`pixelated preview-canvas ${className ?? ''}`}
      width={preview?.width ?? 32}
      height={preview?.height ?? 32}
      role="img"
      aria-label={label}
      data-testid={testId}
    />
  );
}

const STATUS_LABEL: Record<JobView['status'], string> = {
  queued: 'Queued',
  running: 'Running',
  paused: 'Paused',
  completed: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

export function StatusBadge({ status }: { status: JobView['status'] }) {
  return <span className={`badge status-${status}`}>{STATUS_LABEL[status]}</span>;
}

/** A library image: the thumbnail route when asked, nearest-neighbour when it is tiny. */
export function AssetImage({
  sha256,
  alt,
  thumb = false,
  small = true,
  className,
}: {
  sha256: string;
  alt: string;
  thumb?: boolean;
  /** tiny source (model output): scale up with hard pixels */
  small?: boolean;
  className?: string;
}) {
  const [failed, setFailed] = useState<string | null>(null);
  if (failed === sha256)
    return (
      <span
        className={`image-missing ${className ?? ''}`}
        role="img"
        aria-label={`${alt} (file missing)`}
      >
        <Icon name="alert" size={16} />
        <span>Image file missing</span>
      </span>
    );
  return (
    <img
      className={`${small ? 'pixelated' : ''} ${className ?? ''}`}
      src={assetUrl(sha256, thumb)}
      alt={alt}
      loading="lazy"
      decoding="async"
      draggable={false}
      onError={() => setFailed(sha256)}
    />
  );
}

/** A modal over the app (native <dialog>: focus is trapped and Escape closes it). */
export function Dialog({
  open,
  title,
  onClose,
  children,
  footer,
  wide = false,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (d === null) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`dialog ${wide ? 'wide' : ''}`}
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open ? (
        <>
          <header className="dialog-head">
            <h2 id={titleId}>{title}</h2>
            <button
              type="button"
              className="btn icon-only ghost"
              aria-label="Close"
              onClick={onClose}
            >
              <Icon name="x" />
            </button>
          </header>
          <div className="dialog-body">{children}</div>
          {footer === undefined ? null : <footer className="dialog-foot">{footer}</footer>}
        </>
      ) : null}
    </dialog>
  );
}

/** Inline problem or notice inside a screen. */
export function Callout({
  tone,
  title,
  children,
}: {
  tone: 'info' | 'warn' | 'error';
  title?: string;
  children: ReactNode;
}) {
  return (
    <div className={`callout ${tone}`} role={tone === 'error' ? 'alert' : undefined}>
      <Icon name={tone === 'info' ? 'info' : 'alert'} />
      <div>
        {title === undefined ? null : <strong>{title}</strong>}
        <div>{children}</div>
      </div>
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children === undefined ? null : <div>{children}</div>}
    </div>
  );
}
