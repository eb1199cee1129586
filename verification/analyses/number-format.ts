/**
 * en-US number formatting with cached formatters. `Number#toLocaleString` with options builds
 * a new Intl.NumberFormat on every call (tens of microseconds), which dominated pricing large
 * graphs; a cached formatter gives the same text.
 */
const formatters = new Map<string, Intl.NumberFormat>();

export function formatNumber(x: number, maximumFractionDigits: number, minimumFractionDigits?: number): string {
  const key = `${maximumFractionDigits}/${minimumFractionDigits ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-US', minimumFractionDigits === undefined ? { maximumFractionDigits } : { maximumFractionDigits, minimumFractionDigits });
    formatters.set(key, f);
  }
  return f.format(x);
}
