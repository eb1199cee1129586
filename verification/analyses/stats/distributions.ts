/**
 * Per-hop latency distributions and the percentiles of their sum, by numerical convolution.
 * A hop given by p50 and p99 is a lognormal fitted to them: mu = ln p50,
 * sigma = ln(p99 / p50) / z99. A polling wait is uniform on [0, interval]; a constant adds.
 *
 * The sum of independent hops has the convolution of their densities. Each random hop's mass
 * is put on a grid of `cells` points spaced h apart (point j holds the hop's exact probability
 * of [(j - 1/2) h, (j + 1/2) h), from its CDF), the grid reaching the sum of the hops' z = 6
 * quantiles (each hop's last point also holds the 1e-9 of its mass beyond), and the grids are
 * convolved by FFT. Deterministic with no sampling error: what remains is the grid's spacing,
 * and a percentile interpolated inside its cell (the tests hold it to a 4x finer grid).
 */
import FFT from 'fft.js';

/** Standard normal quantile at 0.99. */
export const Z99 = 2.3263478740408408;

/** Each hop's grid reaches its z = 6 quantile: all but 1e-9 of a lognormal's mass. */
const Z_TAIL = 6;

export type HopDistribution =
  | { kind: 'lognormal'; p50: number; p99: number }
  | { kind: 'uniform'; max: number }
  | { kind: 'constant'; value: number };

export interface SumPercentiles {
  p50: number;
  p99: number;
}

/**
 * Results are memoised on the hops and the grid (the advice stage re-verifies hundreds of
 * edited graphs whose latency hops rarely differ), and shared between callers: read them, do
 * not change them.
 */
const CACHE_LIMIT = 256;
const cache = new Map<string, Readonly<SumPercentiles>>();

function memo(key: string, compute: () => SumPercentiles): Readonly<SumPercentiles> {
  const hit = cache.get(key);
  if (hit) return hit;
  const result = Object.freeze(compute());
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, result);
  return result;
}

/** The memo key of a hop list: each hop's kind and parameters (String(number) round-trips exactly). */
function hopsKey(key: string, hops: readonly HopDistribution[]): string {
  for (const h of hops) key += h.kind === 'lognormal' ? `|L${h.p50},${h.p99}` : h.kind === 'uniform' ? `|U${h.max}` : `|C${h.value}`;
  return key;
}

/** Percentiles of the sum of independent hops, on a grid of `cells` points. */
export function sumPercentiles(hops: readonly HopDistribution[], cells: number): Readonly<SumPercentiles> {
  return memo(hopsKey(`sum/${cells}`, hops), () => {
    const sum = distributionOf(hops, cells);
    return { p50: sum.quantile(0.5), p99: sum.quantile(0.99) };
  });
}

/**
 * A path's convolved distribution, kept for the few paths of the last verifications: a
 * mixture and the report of each of its paths alone read the same ones.
 */
const DISTRIBUTION_LIMIT = 8;
const distributionCache = new Map<string, SumDistribution>();

function distributionOf(hops: readonly HopDistribution[], cells: number): SumDistribution {
  const key = hopsKey(`${cells}`, hops);
  let sum = distributionCache.get(key);
  if (!sum) {
    sum = sumDistribution(hops, cells);
    if (distributionCache.size >= DISTRIBUTION_LIMIT) distributionCache.delete(distributionCache.keys().next().value as string);
    distributionCache.set(key, sum);
  }
  return sum;
}

export interface WeightedPath {
  /** Share of events that take this path (weights are normalised). */
  weight: number;
  hops: readonly HopDistribution[];
}

/**
 * Percentiles of a mixture: each event takes one path with probability weight / sum of
 * weights, so the mixture's CDF is the weighted sum of the paths' CDFs (each path's sum on
 * its own grid, as above). A quantile is found by bisection on the value.
 */
export function mixturePercentiles(paths: readonly WeightedPath[], cells: number): Readonly<SumPercentiles> {
  const total = paths.reduce((s, p) => s + p.weight, 0);
  const live = paths.filter((p) => p.weight > 0);
  if (live.length === 0 || total <= 0) throw new Error('mixturePercentiles: no path with a positive weight');
  if (live.length === 1) return sumPercentiles(live[0].hops, cells);
  let key = `mixture/${cells}`;
  for (const p of paths) key = hopsKey(`${key}/w${p.weight}`, p.hops);
  return memo(key, () => {
    const parts = live.map((p) => ({ weight: p.weight / total, sum: distributionOf(p.hops, cells) }));
    const cdf = (x: number) => parts.reduce((acc, p) => acc + p.weight * p.sum.cdf(x), 0);
    const lo = Math.min(...parts.map((p) => p.sum.min));
    const hi = Math.max(...parts.map((p) => p.sum.max));
    const quantile = (q: number) => {
      let a = lo;
      let b = hi;
      // 60 halvings take any span of milliseconds far below a grid cell.
      for (let k = 0; k < 60 && b - a > 1e-9 * Math.max(1, Math.abs(b)); k++) {
        const mid = (a + b) / 2;
        if (cdf(mid) >= q) b = mid;
        else a = mid;
      }
      return b;
    };
    return { p50: quantile(0.5), p99: quantile(0.99) };
  });
}

/** The distribution of a path's sum: its CDF and quantiles, on the grid. */
interface SumDistribution {
  min: number;
  max: number;
  cdf(x: number): number;
  quantile(q: number): number;
}

/** A hop as the grid reads it: its CDF and the value below which all but 1e-9 of its mass lies. */
interface RandomHop {
  cdf(x: number): number;
  upper: number;
}

function randomHop(h: HopDistribution): RandomHop | undefined {
  if (h.kind === 'uniform') {
    if (h.max <= 0) return undefined;
    return { upper: h.max, cdf: (x) => (x <= 0 ? 0 : x >= h.max ? 1 : x / h.max) };
  }
  if (h.kind === 'lognormal' && h.p99 > h.p50) {
    const mu = Math.log(h.p50);
    const sigma = Math.log(h.p99 / h.p50) / Z99;
    return { upper: Math.exp(mu + Z_TAIL * sigma), cdf: (x) => (x <= 0 ? 0 : normalCdf((Math.log(x) - mu) / sigma)) };
  }
  return undefined;
}

/** A lognormal with p99 = p50 (or below) is the constant p50. */
function constantPart(h: HopDistribution): number {
  if (h.kind === 'constant') return h.value;
  if (h.kind === 'lognormal' && !(h.p99 > h.p50)) return h.p50;
  return 0;
}

const ffts = new Map<number, FFT>();

function fftOf(size: number): FFT {
  let f = ffts.get(size);
  if (!f) ffts.set(size, (f = new FFT(size)));
  return f;
}

function sumDistribution(hops: readonly HopDistribution[], cells: number): SumDistribution {
  if (!Number.isInteger(Math.log2(cells)) || cells < 2) throw new Error(`convolution grid: ${cells} cells is not a power of two`);
  let shift = 0;
  const random: RandomHop[] = [];
  for (const h of hops) {
    shift += constantPart(h);
    const r = randomHop(h);
    if (r) random.push(r);
  }
  if (random.length === 0) return constant(shift);
  let span = 0;
  for (const r of random) span += r.upper;
  const h = span / cells;
  const masses = random.length === 1 ? gridMasses(random[0], h, cells, cells) : convolve(random, h, cells);
  // cumulative[j]: mass up to the end of cell j. Cell 0 is [0, h/2), cell j > 0 [(j - 1/2) h, (j + 1/2) h).
  const cumulative = new Float64Array(masses.length);
  let acc = 0;
  for (let j = 0; j < masses.length; j++) cumulative[j] = acc += Math.max(0, masses[j]);
  const total = acc;
  const points = cumulative.length;
  const before = (j: number) => (j === 0 ? 0 : cumulative[j - 1]);
  const start = (j: number) => (j === 0 ? 0 : (j - 0.5) * h);
  const width = (j: number) => (j === 0 ? 0.5 * h : h);
  const cdf = (x: number) => {
    const y = x - shift;
    if (y < 0) return 0;
    const j = Math.floor(y / h + 0.5);
    if (j >= points) return 1;
    return Math.min(1, (before(j) + (cumulative[j] - before(j)) * Math.min(1, (y - start(j)) / width(j))) / total);
  };
  const quantile = (q: number) => {
    const target = q * total;
    let lo = 0;
    let hi = points - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] >= target) hi = mid;
      else lo = mid + 1;
    }
    const inCell = cumulative[lo] > before(lo) ? (target - before(lo)) / (cumulative[lo] - before(lo)) : 0;
    return shift + start(lo) + width(lo) * inCell;
  };
  return { min: shift, max: shift + (points + 0.5) * h, cdf, quantile };
}

function constant(value: number): SumDistribution {
  return { min: value, max: value, cdf: (x) => (x >= value ? 1 : 0), quantile: () => value };
}

/** A hop's exact mass per grid point, in an array of `length` (points past its upper bound hold nothing). */
function gridMasses(hop: RandomHop, h: number, cells: number, length: number): Float64Array {
  const out = new Float64Array(length);
  const last = Math.min(cells - 1, Math.ceil(hop.upper / h));
  let below = 0;
  for (let j = 0; j < last; j++) {
    const next = hop.cdf((j + 0.5) * h);
    out[j] = next - below;
    below = next;
  }
  out[last] = 1 - below;
  return out;
}

/**
 * The hops' grids convolved: the FFT is twice the grid, so the sum's points past the grid do
 * not wrap. Real input has a conjugate-symmetric spectrum, so the product is formed on the
 * half the real transform fills (bins 0 to size / 2) and completed once before the inverse.
 */
function convolve(hops: readonly RandomHop[], h: number, cells: number): Float64Array {
  const size = 2 * cells;
  const fft = fftOf(size);
  const product = fft.createComplexArray() as number[];
  const spectrum = fft.createComplexArray() as number[];
  const halfEnd = size + 2;
  hops.forEach((hop, i) => {
    fft.realTransform(spectrum, gridMasses(hop, h, cells, size));
    if (i === 0) {
      for (let k = 0; k < halfEnd; k++) product[k] = spectrum[k];
      return;
    }
    for (let k = 0; k < halfEnd; k += 2) {
      const re = product[k] * spectrum[k] - product[k + 1] * spectrum[k + 1];
      product[k + 1] = product[k] * spectrum[k + 1] + product[k + 1] * spectrum[k];
      product[k] = re;
    }
  });
  fft.completeSpectrum(product);
  const complex = fft.createComplexArray() as number[];
  fft.inverseTransform(complex, product);
  const masses = new Float64Array(size);
  for (let j = 0; j < size; j++) masses[j] = complex[2 * j];
  return masses;
}

/**
 * Standard normal CDF by Marsaglia's series (J. Stat. Software 11(4), 2004):
 * Phi(z) = 1/2 + phi(z) (z + z^3/3 + z^5/(3*5) + ...), to about 1e-15 absolute; beyond
 * |z| = 8.5 the answer is 0 or 1 to double precision.
 */
export function normalCdf(z: number): number {
  if (z < -8.5) return 0;
  if (z > 8.5) return 1;
  const q = z * z;
  let s = z;
  let t = 0;
  let b = z;
  for (let i = 1; s !== t; ) {
    t = s;
    i += 2;
    b *= q / i;
    s = t + b;
  }
  return 0.5 + s * Math.exp(-0.5 * q - 0.91893853320467274178);
}
