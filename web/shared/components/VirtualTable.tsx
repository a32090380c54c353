import { useVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useRef } from 'react';

export interface Column<Row> {
  readonly key: string;
  readonly header: ReactNode;
  readonly cell: (row: Row) => ReactNode;
  readonly width?: string;
}

/**
 * A real <table> that renders only the rows in view (TanStack Virtual), with spacer rows keeping the scroll
 * height: 10,000 rows scroll like 30. Rows have one fixed height (`rowHeight`, px) so no row is measured.
 */
export function VirtualTable<Row>(props: {
  rows: readonly Row[];
  columns: readonly Column<Row>[];
  rowKey: (row: Row) => string | number;
  caption: string;
  rowHeight?: number;
  height?: number;
  empty?: ReactNode;
}) {
  const rowHeight = props.rowHeight ?? 40;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: props.rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  return (
    <div
      ref={scroller}
      className="virtual-table"
      style={{ maxHeight: props.height ?? 520 }}
      tabIndex={0}
      role="region"
      aria-label={props.caption}
    >
      <table>
        <caption className="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.key} scope="col" style={c.width ? { width: c.width } : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {top > 0 && (
            <tr aria-hidden="true" className="spacer">
              <td colSpan={props.columns.length} style={{ height: top }} />
            </tr>
          )}
          {items.map((item) => {
            const row = props.rows[item.index] as Row;
            return (
              <tr key={props.rowKey(row)} style={{ height: rowHeight }} data-index={item.index}>
                {props.columns.map((c) => (
                  <td key={c.key}>{c.cell(row)}</td>
                ))}
              </tr>
            );
          })}
          {bottom > 0 && (
            <tr aria-hidden="true" className="spacer">
              <td colSpan={props.columns.length} style={{ height: bottom }} />
            </tr>
          )}
          {props.rows.length === 0 && (
            <tr>
              <td colSpan={props.columns.length} className="empty">
                {props.empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
