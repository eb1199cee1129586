/**
 * GET /v1/fleet/live: the live figures of the whole processor fleet, merged from the per-
 * instance snapshots in the fleet table (shared/fleet-snapshot.ts). Snapshots older than the
 * bound (FLEET_SNAPSHOT_MAX_AGE_SECONDS) are left out, so an instance that stopped or crashed
 * drops out of the figures; the answer says as of when the figures hold (the oldest snapshot
 * merged) and how many were left out.
 *
 *   sums        events/s, events processed, dead letters, late events, messages in flight
 *               (counters are each instance's since it started, so the sums cover the
 *               instances running now)
 *   latency     the instances' last-minute HDR histograms added, then p50/p90/p99/max
 *   top devices each instance's top devices summed per device, the ten largest (a device
 *               outside an instance's top list is undercounted there: approximate)
 */
import { addEncodedHistogram, newLatencyHistogram, summarizeLatency, type LatencySummary } from '../shared/latency-histogram';
import type { FleetRead } from '../shared/fleet-read';
import type { FleetSnapshot } from '../shared/fleet-snapshot';

export const LIVE_TOP_DEVICES = 10;
/** Default bound on a snapshot's age (FLEET_SNAPSHOT_MAX_AGE_SECONDS): five of the processors' default 2 s intervals. */
export const DEFAULT_FLEET_SNAPSHOT_MAX_AGE_SECONDS = 10;

export interface FleetLive {
  /** The figures hold as of the oldest snapshot merged. */
  asOf: string;
  newestSnapshotAt: string;
  generatedAt: string;
  maxSnapshotAgeSeconds: number;
  instances: { total: number; pulling: number; standby: number; regions: { region: string; instances: number; pulling: number }[] };
  eventsPerSecond: number;
  processingLatencyMs: LatencySummary;
  eventsProcessed: number;
  deadLettered: number;
  lateEvents: number;
  inFlightMessages: number;
  /** Subscription backlog is a Cloud Monitoring figure, not known here. */
  backlog: null;
  topDevices: { deviceId: string; events: number }[];
  /** Snapshots left out, with why. */
  warnings: string[];
}

export type FleetMerge = { ok: true; live: FleetLive } | { ok: false; reason: string };

export function mergeFleet(read: FleetRead, nowMs: number, maxAgeSeconds: number): FleetMerge {
  const maxAgeMs = maxAgeSeconds * 1000;
  const warnings: string[] = [];
  let stale = 0;
  const unreadable = [...read.unreadable];
  const histogram = newLatencyHistogram();
  const fresh: FleetSnapshot[] = [];
  try {
    for (const s of read.snapshots) {
      // A clock ahead of ours by more than the bound is as untrustworthy as a stale snapshot.
      if (nowMs - s.takenAtMs > maxAgeMs || s.takenAtMs - nowMs > maxAgeMs) {
        stale++;
        continue;
      }
      try {
        addEncodedHistogram(histogram, s.latencyLastMinute);
      } catch (err) {
        unreadable.push({ key: `${s.region}#${s.instanceId}`, reason: `latencyLastMinute: not an encoded histogram (${(err as Error).message})` });
        continue;
      }
      fresh.push(s);
    }
    if (stale > 0) warnings.push(`${stale} processor snapshot(s) older than ${maxAgeSeconds} s left out (instances stopped, crashed or unable to write)`);
    if (unreadable.length > 0) warnings.push(`${unreadable.length} unreadable fleet row(s) left out (${unreadable[0].key}: ${unreadable[0].reason})`);
    if (fresh.length === 0) {
      return { ok: false, reason: `no processor snapshot newer than ${maxAgeSeconds} s in the fleet table (${stale} stale, ${unreadable.length} unreadable)` };
    }
    const sum = (pick: (s: FleetSnapshot) => number) => fresh.reduce((n, s) => n + pick(s), 0);
    const devices = new Map<string, number>();
    for (const s of fresh) for (const d of s.topDevices) devices.set(d.deviceId, (devices.get(d.deviceId) ?? 0) + d.events);
    const regions = new Map<string, { region: string; instances: number; pulling: number }>();
    for (const s of fresh) {
      const r = regions.get(s.region) ?? { region: s.region, instances: 0, pulling: 0 };
      r.instances++;
      if (s.pulling) r.pulling++;
      regions.set(s.region, r);
    }
    const times = fresh.map((s) => Math.min(s.takenAtMs, nowMs));
    return {
      ok: true,
      live: {
        asOf: new Date(Math.min(...times)).toISOString(),
        newestSnapshotAt: new Date(Math.max(...times)).toISOString(),
        generatedAt: new Date(nowMs).toISOString(),
        maxSnapshotAgeSeconds: maxAgeSeconds,
        instances: { total: fresh.length, pulling: fresh.filter((s) => s.pulling).length, standby: fresh.filter((s) => s.standby).length, regions: [...regions.values()].sort((a, b) => (a.region < b.region ? -1 : 1)) },
        eventsPerSecond: Math.round(sum((s) => s.eventsPerSecond) * 10) / 10,
        processingLatencyMs: summarizeLatency(histogram),
        eventsProcessed: sum((s) => s.counters.eventsProcessed ?? 0),
        deadLettered: sum((s) => s.counters.eventsDeadLettered ?? 0),
        lateEvents: sum((s) => s.counters.eventsLate ?? 0),
        inFlightMessages: sum((s) => s.inFlightMessages),
        backlog: null,
        topDevices: [...devices.entries()]
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, LIVE_TOP_DEVICES)
          .map(([deviceId, events]) => ({ deviceId, events })),
        warnings,
      },
    };
  } finally {
    histogram.destroy();
  }
}
