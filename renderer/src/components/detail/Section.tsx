/** A titled section of the detail panel, with an optional count. */
import type { ReactNode } from 'react';

export function Section({
  title,
  children,
  count,
}: {
  title: string;
  children: ReactNode;
  count?: number;
}) {
  return (
    <section className="detail-section">
      <h3 className="section-label">
        {title}
        {count !== undefined && count > 0 ? <span className="count-pill">{count}</span> : null}
      </h3>
      {children}
    </section>
  );
}
