/**
 * Availability fractions as percentages with enough digits to tell a figure from its target:
 * 0.9999995 is "99.99995%", never "100.000%" (which would claim perfect availability), and
 * 0.9999 is "99.990%". At least three decimals, more while rounding would reach 100%.
 */
const MIN_DECIMALS = 3;
const MAX_DECIMALS = 10;

export function formatFraction(a: number): string {
  if (!Number.isFinite(a)) return 'unknown';
  if (a >= 1) return '100%';
  if (a <= 0) return '0%';
  // 1 - a = 5e-7 -> 6 nines -> 5 decimals of the percentage show the first non-9 digit.
  let decimals = Math.min(MAX_DECIMALS, Math.max(MIN_DECIMALS, Math.floor(-Math.log10(1 - a)) - 1));
  let text = (a * 100).toFixed(decimals);
  while (text.startsWith('100') && decimals < MAX_DECIMALS) text = (a * 100).toFixed(++decimals);
  return `${text}%`;
}
