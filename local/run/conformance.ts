/**
 * The end-of-run checks against what the pipeline stored, read straight from the Bigtable
 * emulator (not through the services under test):
 *   - every event row's id is marked in the ledger, so lost = accepted and not stored;
 *   - every finalized tumbling window (start a multiple of the window length) of every
 *     device is compared with the fleet's own count for it.
 */
import type { Bigtable } from '@google-cloud/bigtable';
import type { BigQuery } from '@google-cloud/bigquery';
import { PubSub, type Message } from '@google-cloud/pubsub';
import { parseEventId } from './event-factory';
import type { FleetLedger } from './ledger';

export interface Tables {
  events: ReturnType<ReturnType<Bigtable['instance']>['table']>;
  aggregates: ReturnType<ReturnType<Bigtable['instance']>['table']>;
}

/** Streams every event row key (values stripped) into the ledger; returns rows read. */
export async function readBackEvents(tables: Tables, ledger: FleetLedger, runTag: string, limitMs = 180_000): Promise<number> {
  let rows = 0;
  await new Promise<void>((resolve, reject) => {
    const stream = tables.events.createReadStream({ filter: [{ column: { cellLimit: 1 } }, { value: { strip: true } }] });
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new Error(`reading back the events table took over ${limitMs} ms (${rows} rows read)`));
    }, limitMs);
    stream.on('data', (row: { id: string }) => {
      rows++;
      const key = String(row.id);
      const eventId = key.slice(key.lastIndexOf('#') + 1);
      const parsed = parseEventId(runTag, eventId);
      if (parsed) ledger.markStored(parsed.device, parsed.seq);
      else ledger.markStored(-1, -1);
    });
    stream.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
    stream.on('end', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return rows;
}

/** Finalized window counts per device index and window start, from the `<device>#w#...` rows. */
export async function readWindowCounts(
  tables: Tables,
  deviceIndexOf: (deviceId: string) => number | undefined,
  windowMs: number,
  limitMs = 60_000,
): Promise<Map<number, Map<number, number>>> {
  const counts = new Map<number, Map<number, number>>();
  await new Promise<void>((resolve, reject) => {
    const stream = tables.aggregates.createReadStream({ filter: [{ row: '.*#w#.*' }, { column: { cellLimit: 1 } }] });
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new Error(`reading the window rows took over ${limitMs} ms`));
    }, limitMs);
    stream.on('data', (row: { id: string; data: Record<string, Record<string, { value: string | Buffer }[]>> }) => {
      const key = String(row.id);
      const device = deviceIndexOf(key.slice(0, key.indexOf('#')));
      if (device === undefined) return;
      for (const family of Object.values(row.data)) {
        for (const cells of Object.values(family)) {
          let summary: { windowStartMs?: number; eventCount?: number };
          try {
            summary = JSON.parse(String(cells[0].value));
          } catch {
            continue;
          }
          if (typeof summary.windowStartMs !== 'number' || typeof summary.eventCount !== 'number') continue;
          if (summary.windowStartMs % windowMs !== 0) continue; // overlapping sliding windows: only the tiling ones
          let m = counts.get(device);
          if (!m) counts.set(device, (m = new Map()));
          m.set(summary.windowStartMs, summary.eventCount);
        }
      }
    });
    stream.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
    stream.on('end', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return counts;
}

/**
 * After the drain limit, with the processor stopped: pulls (and acks) what is still in the
 * speed-layer subscription and marks those events queued, so an event not yet delivered is
 * not reported as lost. Messages the stopped processor had leased come back only when their
 * ack deadline expires (the subscription's own ackDeadlineSeconds, read from it; ordered keys
 * wait behind them), so the puller waits that long plus a margin with nothing arriving before
 * it calls the subscription empty. Only then is an event missing from Bigtable proven lost.
 */
export async function drainSubscription(
  projectId: string,
  pubsubEndpoint: string,
  subscriptionName: string,
  ledger: FleetLedger,
  runTag: string,
  idleMarginMs = 15_000,
  limitMs = 400_000,
): Promise<{ messages: number; events: number; idleMs: number }> {
  // The emulator's endpoint explicitly: this process has no PUBSUB_EMULATOR_HOST (the services
  // get it in their environment), and without it the client looks for real credentials.
  const pubsub = new PubSub({ projectId, apiEndpoint: pubsubEndpoint });
  const subscription = pubsub.subscription(subscriptionName, { flowControl: { maxMessages: 2000, allowExcessMessages: false } });
  let messages = 0;
  let events = 0;
  let idleMs = 60_000 + idleMarginMs;
  let failure: Error | undefined;
  try {
    const [meta] = await subscription.getMetadata();
    const ackDeadlineSeconds = Number(meta.ackDeadlineSeconds ?? 60);
    idleMs = (Number.isFinite(ackDeadlineSeconds) && ackDeadlineSeconds > 0 ? ackDeadlineSeconds : 60) * 1000 + idleMarginMs;
  } catch {
    /* keep the 60 s default (the Pub/Sub maximum is 600 s; the stacks use 60 s) */
  }
  try {
    await new Promise<void>((resolve) => {
      const deadline = setTimeout(resolve, limitMs);
      let idle = setTimeout(done, idleMs);
      function done() {
        clearTimeout(deadline);
        clearTimeout(idle);
        resolve();
      }
      subscription.on('message', (m: Message) => {
        messages++;
        clearTimeout(idle);
        idle = setTimeout(done, idleMs);
        try {
          const payload = JSON.parse(m.data.toString('utf8')) as { eventId?: string; events?: { eventId?: string }[] };
          for (const e of payload.events ?? [payload]) {
            const parsed = typeof e.eventId === 'string' ? parseEventId(runTag, e.eventId) : undefined;
            if (parsed) {
              events++;
              ledger.markQueued(parsed.device, parsed.seq);
            }
          }
        } catch {
          /* not one of ours */
        }
        m.ack();
      });
      subscription.on('error', (err: Error) => {
        failure = err;
        done();
      });
    });
  } finally {
    await subscription.close().catch(() => undefined);
    await pubsub.close().catch(() => undefined);
  }
  // A puller that could not read the subscription proves nothing: say so rather than count 0 queued.
  if (failure) throw new Error(`could not pull the remaining messages of ${subscriptionName}: ${failure.message}`);
  return { messages, events, idleMs };
}

export interface ArchiveCount {
  /** Distinct event ids of this run in the raw archive table. */
  events: number;
  /** Rows of this run (more than `events` if an event was archived twice). */
  rows: number;
}

/**
 * Counts this run's events in the raw archive table on the BigQuery-compatible server (the
 * batch layer's immutable copy), through the BigQuery API the client uses, not the worker's
 * own counters: the devices of a run share its tag as their id prefix.
 */
export async function countArchived(bigquery: BigQuery, dataset: string, table: string, runTag: string): Promise<ArchiveCount> {
  const [rows] = await bigquery.query({
    query: `SELECT COUNT(DISTINCT event_id) AS events, COUNT(*) AS total FROM \`${bigquery.projectId}.${dataset}.${table}\` WHERE STARTS_WITH(device_id, @prefix)`,
    params: { prefix: `${runTag}-d` },
    jobTimeoutMs: 60_000,
  });
  const first = (rows[0] ?? {}) as { events?: unknown; total?: unknown };
  return { events: Number(first.events ?? 0), rows: Number(first.total ?? 0) };
}
