/**
 * en-US number formatting with cached formatters. `Number#toLocaleString` with options builds
 * a new Intl.NumberFormat on every call (tens of microseconds), which dominated pricing large
 * graphs; a cached formatter gives the same text.
 */
const formatters = new Map<string, Intl.NumberFormat>();

function cached(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-US', options);
    formatters.set(key, f);
  }
  return f;
}

export function formatNumber(x: number, maximumFractionDigits: number, minimumFractionDigits?: number): string {
  const options = minimumFractionDigits === undefined ? { maximumFractionDigits } : { maximumFractionDigits, minimumFractionDigits };
  return cached(`${maximumFractionDigits}/${minimumFractionDigits ?? ''}`, options).format(x);
}

/**
 * A number to at most `maximumSignificantDigits` significant digits, however small:
 * 0.0000025 stays "0.0000025" (a fixed number of decimals would round unit prices, so a
 * formula checked by hand would not reproduce its own result).
 */
export function formatSignificant(x: number, maximumSignificantDigits: number): string {
  return cached(`sig/${maximumSignificantDigits}`, { maximumSignificantDigits }).format(x);
}
