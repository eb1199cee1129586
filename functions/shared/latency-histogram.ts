/**
 * Receive -> durable latency histograms (HDR, microsecond resolution), built the same way by the
 * processor (which records them) and the analytics API (which merges the instances' encoded
 * histograms into one fleet-wide distribution): the same bounds on both sides, so a merge adds
 * bucket counts rather than approximating percentiles of percentiles.
 */
import * as hdr from 'hdr-histogram-js';

export type LatencyHistogram = ReturnType<typeof hdr.build>;

/** Up to an hour, 3 significant digits: a value is within 0.1% of what was recorded. */
const BOUNDS = { lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 } as const;

export const newLatencyHistogram = (): LatencyHistogram => hdr.build(BOUNDS);

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Count and percentiles in milliseconds (rounded to the microsecond). */
export function summarizeLatency(h: LatencyHistogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
  };
}

/** The compressed base64 form (the HdrHistogram log encoding) that travels in a fleet snapshot. */
export function encodeLatencyHistogram(h: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** Adds an encoded histogram into `into`; throws when the text is not an encoded histogram. */
export function addEncodedHistogram(into: LatencyHistogram, encoded: string): void {
  const decoded = hdr.decodeFromCompressedBase64(encoded);
  into.add(decoded);
  decoded.destroy();
}
