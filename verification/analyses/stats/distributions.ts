/**
 * Per-hop latency distributions and their sum by Monte Carlo with a fixed seed.
 * A hop given by p50 and p99 is a lognormal fitted to them: mu = ln p50,
 * sigma = ln(p99 / p50) / z99. A polling wait is uniform on [0, interval].
 */

/** Standard normal quantile at 0.99. */
export const Z99 = 2.3263478740408408;

export type HopDistribution =
  | { kind: 'lognormal'; p50: number; p99: number }
  | { kind: 'uniform'; max: number }
  | { kind: 'constant'; value: number };

/** mulberry32: small, fast, seeded PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SumPercentiles {
  p50: number;
  p99: number;
  /** Mean of the sum (for reporting). */
  mean: number;
}

/**
 * The simulation is pure (fixed seed), so equal inputs give equal results: memoised, because
 * the advice stage re-verifies hundreds of edited graphs whose latency hops rarely differ.
 * A result is shared between callers (frozen: read it, do not change it).
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

/** Percentiles of the sum of independent hops. */
export function sumPercentiles(hops: readonly HopDistribution[], samples: number, seed: number): Readonly<SumPercentiles> {
  return memo(hopsKey(`sum/${samples}/${seed}`, hops), () => {
    const sums = sortedSums(hops, samples, seed);
    const at = (q: number) => sums[Math.min(samples - 1, Math.floor(q * samples))];
    return { p50: at(0.5), p99: at(0.99), mean: meanOf(sums) };
  });
}

export interface WeightedPath {
  /** Share of events that take this path (weights are normalised). */
  weight: number;
  hops: readonly HopDistribution[];
}

/**
 * Percentiles of a mixture: each event takes one path with probability weight / sum of
 * weights, so the mixture's CDF is the weighted sum of the paths' CDFs (each path's sum by
 * Monte Carlo as above, with its own seed offset). A quantile is found by bisection on the
 * value, each path's CDF read from its sorted samples.
 */
export function mixturePercentiles(paths: readonly WeightedPath[], samples: number, seed: number): Readonly<SumPercentiles> {
  const total = paths.reduce((s, p) => s + p.weight, 0);
  const live = paths.filter((p) => p.weight > 0);
  if (live.length === 0 || total <= 0) throw new Error('mixturePercentiles: no path with a positive weight');
  if (live.length === 1) return sumPercentiles(live[0].hops, samples, seed);
  let key = `mixture/${samples}/${seed}`;
  for (const p of paths) key = hopsKey(`${key}/w${p.weight}`, p.hops);
  return memo(key, () => {
    const parts = paths
      .map((p, i) => ({ weight: p.weight / total, sums: p.weight > 0 ? sortedSums(p.hops, samples, seed + i) : undefined }))
      .filter((x): x is { weight: number; sums: Float64Array } => x.sums !== undefined);
    const cdf = (x: number) => parts.reduce((acc, p) => acc + (p.weight * countAtMost(p.sums, x)) / samples, 0);
    const lo = Math.min(...parts.map((p) => p.sums[0]));
    const hi = Math.max(...parts.map((p) => p.sums[samples - 1]));
    const quantile = (q: number) => {
      let a = lo;
      let b = hi;
      // 60 halvings take any span of milliseconds far below a sample's spacing.
      for (let k = 0; k < 60 && b - a > 1e-9 * Math.max(1, Math.abs(b)); k++) {
        const mid = (a + b) / 2;
        if (cdf(mid) >= q) b = mid;
        else a = mid;
      }
      return b;
    };
    return { p50: quantile(0.5), p99: quantile(0.99), mean: parts.reduce((acc, p) => acc + p.weight * meanOf(p.sums), 0) };
  });
}

/**
 * The draws a path's simulation consumes depend only on the seed, the sample count and the
 * sequence of hop kinds (a lognormal takes one standard normal, a uniform one uniform), not on
 * the hops' parameters: they are generated once per such pattern and reused, so re-verifying
 * an edited graph (the advice stage, tests) re-sums instead of re-drawing. Same figures.
 */
const DRAW_CACHE_LIMIT = 8;
const drawCache = new Map<string, Float64Array>();

function drawsFor(kinds: readonly HopDistribution['kind'][], samples: number, seed: number): Float64Array {
  const random = kinds.filter((k) => k !== 'constant');
  const key = `${seed}/${samples}/${random.join(',')}`;
  const hit = drawCache.get(key);
  if (hit) return hit;
  const rand = seededRandom(seed);
  const normal = () => {
    // Box-Muller; 1 - u keeps the log argument in (0, 1].
    const u = 1 - rand();
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const draws = new Float64Array(samples * random.length);
  let n = 0;
  for (let i = 0; i < samples; i++) for (const k of random) draws[n++] = k === 'lognormal' ? normal() : rand();
  if (drawCache.size >= DRAW_CACHE_LIMIT) drawCache.delete(drawCache.keys().next().value as string);
  drawCache.set(key, draws);
  return draws;
}

/** Samples of the path's sum, sorted ascending. */
function sortedSums(hops: readonly HopDistribution[], samples: number, seed: number): Float64Array {
  const draws = drawsFor(
    hops.map((h) => h.kind),
    samples,
    seed,
  );
  const fitted = hops.map((h) =>
    h.kind === 'lognormal' ? { kind: 'lognormal' as const, mu: Math.log(h.p50), sigma: h.p99 > h.p50 ? Math.log(h.p99 / h.p50) / Z99 : 0 } : h,
  );
  const sums = new Float64Array(samples);
  let n = 0;
  for (let i = 0; i < samples; i++) {
    let s = 0;
    for (const h of fitted) {
      if (h.kind === 'lognormal') s += Math.exp(h.mu + h.sigma * draws[n++]);
      else if (h.kind === 'uniform') s += draws[n++] * h.max;
      else s += h.value;
    }
    sums[i] = s;
  }
  return sums.sort();
}

function meanOf(sums: Float64Array): number {
  let total = 0;
  for (const v of sums) total += v;
  return total / sums.length;
}

/** How many of the sorted samples are <= x (upper bound by binary search). */
function countAtMost(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
