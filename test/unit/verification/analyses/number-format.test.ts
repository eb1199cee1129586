/**
 * formatNumber's fast path must print exactly what Intl.NumberFormat('en-US') prints: every
 * cost formula and verdict goes through it, and a report must not change with the formatter.
 */
import fc from 'fast-check';
import { formatNumber, formatSignificant } from '../../../../verification/analyses/number-format';

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
    [1.005, 2, undefined, '1.01'], // the double is just below 1.005; its shortest decimal is the tie, so up
    [2.675, 2, undefined, '2.68'],
    [123.4550000001, 2, undefined, '123.46'], // just past a tie: arithmetic rounding
    [0.0000184999, 6, undefined, '0.000018'],
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

  test('matches Intl next to ties, where rounding the double and its shortest decimal could differ (property)', () => {
    // k / 10^d + 0.5 / 10^m, nudged by a few ulps: a tie at m decimals, or just either side of one.
    const nearTie = fc
      .tuple(fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: -4, max: 4 }))
      .map(([k, d, m, ulps]) => {
        const x = k / 10 ** d + 0.5 / 10 ** m;
        return x + ulps * Number.EPSILON * Math.abs(x);
      });
    fc.assert(
      fc.property(nearTie, fc.integer({ min: 0, max: 7 }), (x, max) => {
        expect(formatNumber(x, max)).toBe(intl(x, max));
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

describe('formatSignificant', () => {
  const intl = (x: number, digits: number) => new Intl.NumberFormat('en-US', { maximumSignificantDigits: digits }).format(x);

  test.each([
    [0.0000025, 6, '0.0000025'],
    [0.000018, 6, '0.000018'],
    [0.9999995, 6, '1'], // the carry reaches the integer digit
    [999999.5, 6, '1,000,000'],
    [1234567.8, 6, '1,234,570'], // more integer digits than significant ones: Intl itself
    [-0, 6, '-0'],
    [0, 6, '0'],
    [5e-7, 6, '0.0000005'], // below the fast path: Intl itself
  ])('%d to %d significant digits is %s, as Intl prints it', (x, digits, text) => {
    expect(formatSignificant(x, digits)).toBe(text);
    expect(formatSignificant(x, digits)).toBe(intl(x, digits));
  });

  test('matches Intl on any double and digit count (property)', () => {
    const value = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e14, max: 1e14 }),
      fc.double({ noNaN: true, min: 1e-7, max: 1 }),
      fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }).map((n) => n / 1e9), // exact decimal ties among small prices
      fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 8),
    );
    fc.assert(
      fc.property(value, fc.integer({ min: 1, max: 10 }), (x, digits) => {
        expect(formatSignificant(x, digits)).toBe(intl(x, digits));
      }),
      { numRuns: 20_000 },
    );
  });
});
