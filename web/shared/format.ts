/**
 * Figures as people read them, kept apart from the chart (uPlot) so a page that only shows figures does not
 * load the chart library.
 */

/** Bytes as people read them (binary units, as the API's traffic figures). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}
