/**
 * formatNumber's fast path must print exactly what Intl.NumberFormat('en-US') prints: every
 * cost formula and verdict goes through it, and a report must not change with the formatter.
 */
import fc from 'fast-check';
import { formatNumber } from '../../../../verification/analyses/number-format';

const intl = (x: number, max: number, min?: number) =>
  new Intl.NumberFormat('en-US', min === undefined ? { maximumFractionDigits: max } : { maximumFractionDigits: max, minimumFractionDigits: min }).format(x);

describe('formatNumber', () => {
  test.each([
    [1234567.891, 2, undefined, '1,234,567.89'],
    [0.125, 2, undefined, '0.13'], // a tie rounds away from zero, as Intl's halfExpand does
    [-2.5, 0, undefined, '-3'],
    [2.5, 0, undefined, '3'],
    [5, 2, 2, '5.00'],
    [5.1, 3, 1, '5.1'],
    [999.995, 2, undefined, '1,000'], // Intl rounds the shortest decimal (999.995), not the double just below it
    [-0.001, 2, undefined, '-0'],
    [100, 0, undefined, '100'],
    [1000, 0, undefined, '1,000'],
    [-35638115555.17674, 6, undefined, '-35,638,115,555.17674'], // toFixed would print the binary value's ...176743
    [9.9999, 2, undefined, '10'],
  ])('%d to %d decimals (min %s) is %s, as Intl prints it', (x, max, min, text) => {
    expect(formatNumber(x, max, min)).toBe(text);
    expect(formatNumber(x, max, min)).toBe(intl(x, max, min));
  });

  test('matches Intl on any double, digit count and minimum (property)', () => {
    const value = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e14, max: 1e14 }),
      fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }).map((n) => n / 1000), // exact thousandths: ties
      fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 8), // exact binary ties
    );
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), fc.boolean(), (x, max, minRaw, withMin) => {
        const min = withMin ? Math.min(minRaw, max) : undefined;
        expect(formatNumber(x, max, min)).toBe(intl(x, max, min));
      }),
      { numRuns: 20_000 },
    );
  });

  test('non-finite values and huge magnitudes go through Intl itself', () => {
    expect(formatNumber(Number.POSITIVE_INFINITY, 2)).toBe('∞');
    expect(formatNumber(Number.NaN, 2)).toBe('NaN');
    expect(formatNumber(1e20, 0)).toBe(intl(1e20, 0));
  });
});
