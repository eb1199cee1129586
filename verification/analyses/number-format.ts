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
  const min = minimumFractionDigits ?? 0;
  // Fast path, the same text as Intl en-US (a property test holds it to that): Intl rounds the
  // shortest decimal that reads back as the double (String(x)) half away from zero, so this
  // rounds that string's digits the same way; then thousands separators. The verifier formats
  // thousands of figures per run (every cost formula), and Intl's format is the costlier step.
  const abs = Math.abs(x);
  if (abs < 1e15 && (abs >= 1e-6 || abs === 0) && Number.isInteger(maximumFractionDigits) && maximumFractionDigits >= 0 && maximumFractionDigits <= 20 && min <= maximumFractionDigits) {
    const sign = x < 0 || Object.is(x, -0) ? '-' : '';
    return `${sign}${roundDecimal(String(abs), maximumFractionDigits, min)}`;
  }
  const options = minimumFractionDigits === undefined ? { maximumFractionDigits } : { maximumFractionDigits, minimumFractionDigits };
  return cached(`${maximumFractionDigits}/${minimumFractionDigits ?? ''}`, options).format(x);
}

/** A plain decimal string ("1234.5678") rounded half up to `max` decimals, at least `min` kept, grouped: "1,234.57". */
function roundDecimal(decimal: string, max: number, min: number): string {
  const dot = decimal.indexOf('.');
  let int = dot === -1 ? decimal : decimal.slice(0, dot);
  let frac = dot === -1 ? '' : decimal.slice(dot + 1);
  if (frac.length > max) {
    const up = frac.charCodeAt(max) >= 53; /* '5' */
    frac = frac.slice(0, max);
    if (up) {
      // Carry through the kept digits, from the last decimal into the integer part.
      const digits = (int + frac).split('');
      let i = digits.length - 1;
      while (i >= 0 && digits[i] === '9') digits[i--] = '0';
      if (i >= 0) digits[i] = String(Number(digits[i]) + 1);
      else digits.unshift('1');
      const joined = digits.join('');
      int = joined.slice(0, joined.length - frac.length);
      frac = joined.slice(joined.length - frac.length);
    }
  }
  let end = frac.length;
  while (end > min && frac.charCodeAt(end - 1) === 48 /* 0 */) end--;
  frac = frac.slice(0, end).padEnd(min, '0');
  return frac === '' ? groupThousands(int) : `${groupThousands(int)}.${frac}`;
}

/** "1234567" -> "1,234,567". */
function groupThousands(int: string): string {
  if (int.length <= 3) return int;
  let grouped = int.slice(0, int.length % 3 || 3);
  for (let i = grouped.length; i < int.length; i += 3) grouped += `,${int.slice(i, i + 3)}`;
  return grouped;
}

/**
 * A number to at most `maximumSignificantDigits` significant digits, however small:
 * 0.0000025 stays "0.0000025" (a fixed number of decimals would round unit prices, so a
 * formula checked by hand would not reproduce its own result).
 */
export function formatSignificant(x: number, maximumSignificantDigits: number): string {
  return cached(`sig/${maximumSignificantDigits}`, { maximumSignificantDigits }).format(x);
}
