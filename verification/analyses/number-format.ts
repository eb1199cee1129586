/**
 * en-US number formatting, the same text as Intl.NumberFormat('en-US') (property tests hold it
 * to that). The verifier formats thousands of figures per run (every cost formula, every
 * verdict), so the usual cases are formatted here from the number's own digits: Intl's
 * format is costly (and `Number#toLocaleString` with options builds a new formatter per call).
 * Intl stays the fallback for what the fast path does not cover (huge, tiny, non-finite).
 *
 * Intl rounds the shortest decimal that reads back as the double (what String(x) prints),
 * half away from zero, then groups thousands. The fast path does the same on String(x)'s
 * digits: no intermediate arrays, and a number that needs no rounding or grouping is returned
 * as String(x) itself.
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

/** Magnitudes String(x) prints as a plain decimal (no exponent) with every integer digit exact. */
const FAST_MIN = 1e-6;
const FAST_MAX = 1e15;
const ZERO = 48; // '0'
const NINE = 57; // '9'
const FIVE = 53; // '5'
const DOT = 46; // '.'
const ZEROS = '00000000000000000000';

function fastPathCovers(abs: number): boolean {
  return abs < FAST_MAX && (abs >= FAST_MIN || abs === 0);
}

function withSign(x: number, text: string): string {
  return x < 0 || Object.is(x, -0) ? `-${text}` : text;
}

export function formatNumber(x: number, maximumFractionDigits: number, minimumFractionDigits?: number): string {
  const min = minimumFractionDigits ?? 0;
  const abs = Math.abs(x);
  if (fastPathCovers(abs) && Number.isInteger(maximumFractionDigits) && maximumFractionDigits >= 0 && maximumFractionDigits <= 20 && Number.isInteger(min) && min >= 0 && min <= maximumFractionDigits) {
    const text = Number.isInteger(abs) ? undefined : roundScaled(abs, maximumFractionDigits, min);
    return withSign(x, text ?? roundDecimal(String(abs), maximumFractionDigits, min));
  }
  const options = minimumFractionDigits === undefined ? { maximumFractionDigits } : { maximumFractionDigits, minimumFractionDigits };
  return cached(`${maximumFractionDigits}/${minimumFractionDigits ?? ''}`, options).format(x);
}

/** 10^0..10^20, every one exact as a double. */
const POWERS_OF_TEN = Array.from({ length: 21 }, (_, k) => 10 ** k);
/** Below this, x * 10^max is within a few ulps (< 4e-4) of the shortest decimal it stands for, scaled. */
const SCALED_MAX = 1e12;
/** Far above that error: a scaled fraction this far from one half rounds the same either way. */
const TIE_MARGIN = 1e-3;

/**
 * Rounds by arithmetic when that cannot disagree with rounding the shortest decimal (the
 * usual case, and no double-to-string conversion): x * 10^max is exact enough and its fraction
 * is clearly away from one half. Undefined otherwise (near a tie, large, many decimals): the
 * digits of String(x) decide then.
 */
function roundScaled(abs: number, max: number, min: number): string | undefined {
  if (max >= POWERS_OF_TEN.length) return undefined;
  const scale = POWERS_OF_TEN[max];
  const scaled = abs * scale;
  if (scaled >= SCALED_MAX) return undefined;
  const whole = Math.floor(scaled);
  const fraction = scaled - whole;
  if (Math.abs(fraction - 0.5) < TIE_MARGIN) return undefined;
  const rounded = fraction > 0.5 ? whole + 1 : whole;
  const int = Math.floor(rounded / scale);
  let decimals = rounded - int * scale;
  let digits = max;
  // Drop trailing zero decimals down to `min` (whole-number arithmetic: `%` on doubles is slow).
  while (digits > min && Math.floor(decimals / 10) * 10 === decimals) {
    decimals /= 10;
    digits--;
  }
  const intText = String(int);
  const grouping = grouped(intText, intText.length);
  if (digits === 0) return grouping;
  const decimalsText = String(decimals);
  return `${grouping}.${decimalsText.length >= digits ? decimalsText : ZEROS.slice(0, digits - decimalsText.length) + decimalsText}`;
}

/**
 * A plain decimal string ("1234.5678") rounded half up to `max` decimals, trailing zeros
 * dropped down to `min` decimals, then grouped: "1,234.57". The input is String() of a
 * non-negative double, so its fraction has no trailing zeros and its integer part no leading
 * ones (but "0").
 */
function roundDecimal(decimal: string, max: number, min: number): string {
  const dot = decimal.indexOf('.');
  const intEnd = dot === -1 ? decimal.length : dot;
  const fracLength = dot === -1 ? 0 : decimal.length - dot - 1;
  if (fracLength <= max) {
    // Nothing to round: the common case for counts, prices and short figures.
    if (fracLength >= min && intEnd <= 3) return decimal;
    return joinParts(grouped(decimal, intEnd), dot === -1 ? '' : decimal.slice(dot + 1), min);
  }
  const firstDropped = dot + 1 + max;
  if (decimal.charCodeAt(firstDropped) < FIVE) {
    // Round down: keep `max` decimals, then drop the trailing zeros they end with.
    let end = firstDropped;
    while (end > dot + 1 && decimal.charCodeAt(end - 1) === ZERO) end--;
    return joinParts(grouped(decimal, intEnd), decimal.slice(dot + 1, end), min);
  }
  // Round up: the last kept digit that is not a 9 goes up by one and the 9s after it become
  // zeros (dropped when decimals, kept when integer digits).
  let i = max > 0 ? firstDropped - 1 : intEnd - 1;
  while (i >= 0 && (decimal.charCodeAt(i) === NINE || decimal.charCodeAt(i) === DOT)) i--;
  const bumped = i === -1 ? '1' : String.fromCharCode(decimal.charCodeAt(i) + 1);
  if (i > dot) return joinParts(grouped(decimal, intEnd), decimal.slice(dot + 1, i) + bumped, min);
  const zerosAfter = intEnd - i - 1;
  const int = `${decimal.slice(0, Math.max(0, i))}${bumped}${zerosAfter <= ZEROS.length ? ZEROS.slice(0, zerosAfter) : '0'.repeat(zerosAfter)}`;
  return joinParts(grouped(int, int.length), '', min);
}

/** `int.fraction`, the fraction padded with zeros to `min` decimals; no dot without decimals. */
function joinParts(int: string, fraction: string, min: number): string {
  const padded = fraction.length >= min ? fraction : fraction + ZEROS.slice(0, min - fraction.length);
  return padded === '' ? int : `${int}.${padded}`;
}

/** The integer digits decimal[0, intEnd) with thousands separators: "1234567" -> "1,234,567". */
function grouped(decimal: string, intEnd: number): string {
  if (intEnd <= 3) return intEnd === decimal.length ? decimal : decimal.slice(0, intEnd);
  const lead = intEnd % 3 || 3;
  let text = decimal.slice(0, lead);
  for (let i = lead; i < intEnd; i += 3) text += `,${decimal.slice(i, i + 3)}`;
  return text;
}

/**
 * A number to at most `maximumSignificantDigits` significant digits, however small:
 * 0.0000025 stays "0.0000025" (a fixed number of decimals would round unit prices, so a
 * formula checked by hand would not reproduce its own result).
 */
export function formatSignificant(x: number, maximumSignificantDigits: number): string {
  const abs = Math.abs(x);
  const sig = maximumSignificantDigits;
  if (fastPathCovers(abs) && Number.isInteger(sig) && sig >= 1 && sig <= 21) {
    // Significant digits are decimals counted from the first non-zero digit. (Unit prices:
    // the same few values every run, so String(x) is mostly served by V8's number-string cache.)
    const decimal = String(abs);
    const dot = decimal.indexOf('.');
    const intDigits = dot === -1 ? decimal.length : dot;
    if (abs >= 1 && intDigits <= sig) return withSign(x, roundDecimal(decimal, sig - intDigits, 0));
    if (abs < 1) {
      let firstNonZero = dot + 1;
      while (firstNonZero < decimal.length && decimal.charCodeAt(firstNonZero) === ZERO) firstNonZero++;
      return withSign(x, roundDecimal(decimal, firstNonZero - dot - 1 + sig, 0));
    }
  }
  return cached(`sig/${maximumSignificantDigits}`, { maximumSignificantDigits }).format(x);
}
