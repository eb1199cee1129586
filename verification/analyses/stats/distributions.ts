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

/** Percentiles of the sum of independent hops. */
/**
 * The simulation is pure (fixed seed), so equal inputs give equal results: memoised, because
 * the advice stage re-verifies hundreds of edited graphs whose latency hops rarely differ.
 */
const SUM_CACHE_LIMIT = 256;
const sumCache = new Map<string, SumPercentiles>();

export function sumPercentiles(hops: readonly HopDistribution[], samples: number, seed: number): SumPercentiles {
  const key = JSON.stringify([hops, samples, seed]);
  const hit = sumCache.get(key);
  if (hit) return { ...hit };
  const result = simulateSum(hops, samples, seed);
  if (sumCache.size >= SUM_CACHE_LIMIT) sumCache.delete(sumCache.keys().next().value as string);
  sumCache.set(key, result);
  return { ...result };
}

function simulateSum(hops: readonly HopDistribution[], samples: number, seed: number): SumPercentiles {
  const rand = seededRandom(seed);
  const normal = () => {
    // Box-Muller; 1 - u keeps the log argument in (0, 1].
    const u = 1 - rand();
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const fitted = hops.map((h) =>
    h.kind === 'lognormal' ? { ...h, mu: Math.log(h.p50), sigma: h.p99 > h.p50 ? Math.log(h.p99 / h.p50) / Z99 : 0 } : h,
  );
  const sums = new Float64Array(samples);
  let total = 0;
  for (let i = 0; i < samples; i++) {
    let s = 0;
    for (const h of fitted) {
      if (h.kind === 'lognormal') s += Math.exp((h as { mu: number }).mu + (h as { sigma: number }).sigma * normal());
      else if (h.kind === 'uniform') s += rand() * h.max;
      else s += h.value;
    }
    sums[i] = s;
    total += s;
  }
  sums.sort();
  const at = (q: number) => sums[Math.min(samples - 1, Math.floor(q * samples))];
  return { p50: at(0.5), p99: at(0.99), mean: total / samples };
}

export interface WeightedPath {
  /** Share of events that take this path (weights are normalised). */
  weight: number;
  hops: readonly HopDistribution[];
}

/**
 * Percentiles of a mixture: each event takes one path with probability weight / sum of
 * weights, so the mixture's CDF is the weighted sum of the paths' CDFs (each path's sum by
 * Monte Carlo as above, with its own seed offset).
 */
export function mixturePercentiles(paths: readonly WeightedPath[], samples: number, seed: number): SumPercentiles {
  const total = paths.reduce((s, p) => s + p.weight, 0);
  const live = paths.filter((p) => p.weight > 0);
  if (live.length === 0 || total <= 0) throw new Error('mixturePercentiles: no path with a positive weight');
  if (live.length === 1) return sumPercentiles(live[0].hops, samples, seed);
  const points: { value: number; weight: number }[] = [];
  let mean = 0;
  live.forEach((p, i) => {
    const sums = sampleSums(p.hops, samples, seed + i);
    const w = p.weight / total / samples;
    for (const v of sums) {
      points.push({ value: v, weight: w });
      mean += v * w;
    }
  });
  points.sort((a, b) => a.value - b.value);
  const at = (q: number) => {
    let acc = 0;
    for (const pt of points) {
      acc += pt.weight;
      if (acc >= q) return pt.value;
    }
    return points[points.length - 1].value;
  };
  return { p50: at(0.5), p99: at(0.99), mean };
}

function sampleSums(hops: readonly HopDistribution[], samples: number, seed: number): Float64Array {
  const rand = seededRandom(seed);
  const normal = () => {
    const u = 1 - rand();
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const sums = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    let s = 0;
    for (const h of hops) {
      if (h.kind === 'lognormal') s += Math.exp(Math.log(h.p50) + (h.p99 > h.p50 ? Math.log(h.p99 / h.p50) / Z99 : 0) * normal());
      else if (h.kind === 'uniform') s += rand() * h.max;
      else s += h.value;
    }
    sums[i] = s;
  }
  return sums;
}
