/**
 * The fleet metrics table (`fleet`, column family `m`): every speed-processor instance, in
 * every region, rewrites ONE row with a snapshot of its own figures every FLEET_METRICS_SECONDS.
 * The analytics API reads the fresh rows and merges them (GET /v1/fleet/live), so the live
 * figures cover the whole fleet the same way on the emulator and on GCP: the processors take
 * no requests (internal ingress, several instances behind one URL), but all of them reach
 * Bigtable.
 *
 *   row key   <region>#<instanceId>
 *   cell      m:snapshot = FleetSnapshot as JSON, timestamp = its takenAtMs in microseconds
 *
 * The table's GC keeps one version per row and drops rows of instances gone for long; readers
 * take the newest cell and judge freshness by `takenAtMs`.
 */
import { z } from 'zod';

export const FLEET_FAMILY = 'm';
export const SNAPSHOT_COLUMN = 'snapshot';
export const FLEET_SNAPSHOT_VERSION = 1;
/** Region and instance ids as they may appear in a row key. */
export const FLEET_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

const count = z.number().int().nonnegative();

export const fleetSnapshotSchema = z
  .object({
    version: z.literal(FLEET_SNAPSHOT_VERSION),
    instanceId: z.string().regex(FLEET_ID_PATTERN),
    region: z.string().regex(FLEET_ID_PATTERN),
    takenAtMs: z.number().int().positive(),
    startedAtMs: z.number().int().positive(),
    intervalSeconds: z.number().positive(),
    /** Pulling the subscription now; a warm standby that is not pulling says false. */
    pulling: z.boolean(),
    /** Started with a standby gate (STANDBY_BACKLOG_AGE_SECONDS). */
    standby: z.boolean(),
    counters: z.record(z.string(), count),
    eventsPerSecond: z.number().nonnegative(),
    inFlightMessages: count,
    /** Receive -> durable latency of the last minute, microseconds, HDR histogram (compressed base64). */
    latencyLastMinute: z.string().min(1),
    /** Busiest devices of the last minute on this instance, most events first. */
    topDevices: z.array(z.object({ deviceId: z.string().min(1), events: count }).strict()),
  })
  .strict();

export type FleetSnapshot = z.infer<typeof fleetSnapshotSchema>;

export function fleetRowKey(region: string, instanceId: string): string {
  if (!FLEET_ID_PATTERN.test(region) || !FLEET_ID_PATTERN.test(instanceId)) throw new RangeError(`not a fleet row key part: ${region} / ${instanceId}`);
  return `${region}#${instanceId}`;
}

/** A stored snapshot, checked; the reason names what is wrong when it is not one. */
export function parseFleetSnapshot(text: string): { ok: true; snapshot: FleetSnapshot } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = fleetSnapshotSchema.safeParse(raw);
  if (parsed.success) return { ok: true, snapshot: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `${issue.path.join('.') || '(snapshot)'}: ${issue.message}` };
}
