/** A small inline SVG icon set (no icon font: the app is offline and its CSP allows no remote). */
const PATHS = {
  generate:
    'M12 3l1.8 4.7L18.5 9.5l-4.7 1.8L12 16l-1.8-4.7L5.5 9.5l4.7-1.8z M19 15l.9 2.1 2.1.9-2.1.9L19 21l-.9-2.1L16 18l2.1-.9z M5 14l.7 1.3L7 16l-1.3.7L5 18l-.7-1.3L3 16l1.3-.7z',
  library: 'M4 4h7v7H4z M13 4h7v7h-7z M4 13h7v7H4z M13 13h7v7h-7z',
  caption: 'M4 5h16v11H8l-4 4z M8 9h8 M8 12h5',
  models: 'M12 3l8 4.5v9L12 21l-8-4.5v-9z M12 12l8-4.5 M12 12v9 M12 12L4 7.5',
  infill: 'M4 20c0-3 2-4 4-4 1.5 0 3 1 3 3 0 1-.5 1-1 1z M9.5 14.5L19 5l1 1-9.5 9.5',
  queue: 'M4 6h16 M4 12h16 M4 18h10',
  star: 'M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z',
  pause: 'M8 5v14 M16 5v14',
  play: 'M7 4.5v15l12-7.5z',
  x: 'M6 6l12 12 M18 6L6 18',
  retry: 'M4 12a8 8 0 0 1 14-5.3L20 9 M20 4v5h-5 M20 12a8 8 0 0 1-14 5.3L4 15 M4 20v-5h5',
  front: 'M5 4h14 M12 20V8 M7 13l5-5 5 5',
  back: 'M5 20h14 M12 4v12 M7 11l5 5 5-5',
  trash: 'M4 7h16 M9 7V4h6v3 M6 7l1 13h10l1-13 M10 11v6 M14 11v6',
  restore: 'M4 12a8 8 0 1 0 2.3-5.7L4 8.6 M4 4v4.6h4.6',
  dice: 'M5 4h14a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z M8.5 8.5h.01 M15.5 8.5h.01 M12 12h.01 M8.5 15.5h.01 M15.5 15.5h.01',
  lock: 'M6 11h12v9H6z M8.5 11V8a3.5 3.5 0 0 1 7 0v3',
  unlock: 'M6 11h12v9H6z M8.5 11V8a3.5 3.5 0 0 1 6.8-1.2',
  search: 'M10.5 4a6.5 6.5 0 1 1 0 13 6.5 6.5 0 0 1 0-13z M15.5 15.5L20 20',
  undo: 'M9 14L4 9l5-5 M4 9h10a6 6 0 0 1 0 12h-3',
  redo: 'M15 14l5-5-5-5 M20 9H10a6 6 0 0 0 0 12h3',
  brush: 'M4 20c0-3 2-4 4-4 1.5 0 3 1 3 3 0 1-.5 1-1 1z M9.5 14.5L19 5l1 1-9.5 9.5',
  eraser: 'M8 20h12 M4.5 15.5l9-9a1.5 1.5 0 0 1 2 0l3 3a1.5 1.5 0 0 1 0 2L12 18H7z M9 11l5 5',
  folder: 'M3 6h6l2 2h10v11H3z',
  export: 'M12 3v12 M7 8l5-5 5 5 M4 15v5h16v-5',
  import: 'M12 15V3 M7 10l5 5 5-5 M4 15v5h16v-5',
  plus: 'M12 5v14 M5 12h14',
  check: 'M5 12.5l4.5 4.5L19 7',
  alert: 'M12 3l9.5 17h-19z M12 10v4 M12 17h.01',
  info: 'M12 3a9 9 0 1 1 0 18 9 9 0 0 1 0-18z M12 11v6 M12 7.5h.01',
  lineage: 'M6 4v16 M6 8h6a4 4 0 0 1 4 4v0 M6 16h12 M16 12v0',
  similar: 'M8 8a5 5 0 1 1 0 10A5 5 0 0 1 8 8z M16 6a5 5 0 1 1 0 10',
  reuse: 'M4 7h12l-3-3 M20 17H8l3 3 M4 7v4 M20 17v-4',
  remix:
    'M4 7h3c5 0 5 10 10 10h3 M4 17h3c1.5 0 2.5-1 3.3-2.3 M13.7 9.3C14.5 8 15.5 7 17 7h3 M18 4l3 3-3 3 M18 14l3 3-3 3',
  tag: 'M4 4h7l9 9-7 7-9-9z M8 8h.01',
  board: 'M4 5h16v14H4z M4 9h16 M9 9v10',
  chevronLeft: 'M15 5l-7 7 7 7',
  chevronRight: 'M9 5l7 7-7 7',
  compare: 'M12 3v18 M4 5h6v14H4z M14 5h6v14h-6z',
  fill: 'M4 4h16v16H4z',
  edit: 'M4 20h4L19 9l-4-4L4 16z M14 6l4 4',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7 M20 4v7h-7',
  filter: 'M4 5h16l-6 7v6l-4 2v-8z',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({
  name,
  size = 16,
  filled = false,
  title,
}: {
  name: IconName;
  size?: number;
  filled?: boolean;
  title?: string;
}) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill={filled ? 'currentColor' : 'none'}
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden={title === undefined ? true : undefined}
      role={title === undefined ? undefined : 'img'}
    >
      {title === undefined ? null : <title>{title}</title>}
      <path d={PATHS[name]} />
    </svg>
  );
}
