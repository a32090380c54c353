import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatBytes } from '../format.js';

/** Kept here too for pages that import it from the chart. */
export { formatBytes };

/**
 * A bar-like line chart of bytes over time (uPlot, ~50 KB): `times` in Unix seconds, shown in `timeZone` (the
 * customer's, an IANA name), one value per time. The figures are also in `summary` for screen readers.
 */
export function UsageChart(props: {
  times: readonly number[];
  values: readonly number[];
  label: string;
  summary: string;
  timeZone?: string | undefined;
  height?: number;
}) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const timeZone = props.timeZone;
    const options: uPlot.Options = {
      width: Math.max(320, element.clientWidth || 640),
      height: props.height ?? 240,
      ...(timeZone ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), timeZone) } : {}),
      scales: { x: { time: true } },
      axes: [{}, { values: (_u, splits) => splits.map((v) => formatBytes(v)), size: 70 }],
      series: [
        {},
        {
          label: props.label,
          stroke: '#2563eb',
          fill: 'rgba(37, 99, 235, 0.15)',
          width: 2,
          paths: uPlot.paths.stepped?.({ align: 1 }),
          value: (_u, v) => (v == null ? '' : formatBytes(v)),
        },
      ],
      legend: { show: true },
    };
    const chart = new uPlot(options, [[...props.times], [...props.values]], element);
    const resize = () => chart.setSize({ width: Math.max(320, element.clientWidth), height: props.height ?? 240 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.destroy();
    };
  }, [props.times, props.values, props.label, props.timeZone, props.height]);
  return (
    <figure className="chart">
      <div ref={holder} className="chart-canvas" aria-hidden="true" />
      <figcaption className="visually-hidden">{props.summary}</figcaption>
    </figure>
  );
}
