/**
 * ARCHIVE_SPLIT_BATCHES: off (default, as the Dataflow template) a batched message is one
 * dead-letter row with the reason; on (local deviation) each event becomes its own row with
 * an insert id from its own event id, and an invalid event of the batch dead-letters alone.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pino from 'pino';
import { buildUdf } from '../../../functions/udf/build';
import { loadUdf, type Transform } from '../../../functions/archive-worker/udf-runner';
import { Archiver, eventInsertId, type ArchiveMessage, type RowInserter } from '../../../functions/archive-worker/archiver';

let transform: Transform;
beforeAll(() => {
  transform = loadUdf(buildUdf(join(mkdtempSync(join(tmpdir(), 'udf-')), 'transform.js')));
});

class Table implements RowInserter {
  rows: { insertId: string; json: Record<string, unknown> }[] = [];
  async insert(rows: { insertId: string; json: object }[]) {
    this.rows.push(...(rows as { insertId: string; json: Record<string, unknown> }[]));
  }
}

const ev = (id: string, deviceId = 'dev-1') => ({ eventId: id, deviceId, type: 'reading', eventTime: '2026-12-03T10:00:00.000Z', metrics: { v: 1 } });

function message(body: unknown, acks: string[]): ArchiveMessage {
  return { id: 'm-1', data: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), attributes: { eventCount: '3' }, ack: () => acks.push('ack'), nack: () => acks.push('nack') };
}

async function archive(splitBatches: boolean | undefined, body: unknown) {
  const events = new Table();
  const dead = new Table();
  const acks: string[] = [];
  const archiver = new Archiver({ transform, eventsTable: events, deadLetterTable: dead, logger: pino({ level: 'silent' }), ...(splitBatches === undefined ? {} : { splitBatches }) });
  archiver.handle(message(body, acks));
  await archiver.drain();
  return { events, dead, acks, counters: archiver.counters };
}

describe('archive worker and batched messages', () => {
  const batch = { events: [ev('b-1'), { ...ev('b-2'), deviceId: 'bad device' }, ev('b-3')] };

  it('by default dead-letters a batched message whole, with the template reason', async () => {
    const { events, dead, acks, counters } = await archive(undefined, batch);
    expect(events.rows).toEqual([]);
    expect(dead.rows).toHaveLength(1);
    expect(dead.rows[0].json.errorMessage).toBe('payload: holds 3 events; the archive template writes one row per message, so publish with EVENTS_PER_MESSAGE=1');
    expect(dead.rows[0].json.payloadString).toBe(JSON.stringify(batch));
    expect(acks).toEqual(['ack']);
    expect(counters.batchesSplit).toBe(0);
  });

  it('with splitBatches archives each event as its own row (insert id per event) and dead-letters only the bad one', async () => {
    const { events, dead, acks, counters } = await archive(true, batch);
    expect(events.rows.map((r) => r.json.event_id)).toEqual(['b-1', 'b-3']);
    // The insert id is the one a single-event message of the same event gets: sha256("dev-1#b-1").
    expect(events.rows[0].insertId).toBe(eventInsertId({ device_id: 'dev-1', event_id: 'b-1' } as never));
    expect(events.rows[0].insertId).toBe('88f6e313b89da2ab555ac00bf5d8ff7ecc300a1e3d899010280ba0d0c59269e9');
    expect(dead.rows.map((r) => [r.json.errorMessage, JSON.parse(r.json.payloadString as string).eventId])).toEqual([['deviceId: must match ^[A-Za-z0-9._:-]{1,128}$', 'b-2']]);
    expect(acks).toEqual(['ack']);
    expect(counters).toMatchObject({ batchesSplit: 1, rowsInserted: 2, deadLettered: 1 });
  });

  it('with splitBatches dead-letters a deeply nested event of a batch alone (it cannot be re-serialised) and archives the rest', async () => {
    const levels = 12_000;
    const deep = JSON.stringify({ ...ev('b-deep'), attributes: { a: 'X' } }).replace('"X"', '['.repeat(levels) + ']'.repeat(levels));
    const text = `{"events":[${JSON.stringify(ev('b-1'))},${deep}]}`;
    const { events, dead, acks } = await archive(true, text);
    expect(events.rows.map((r) => r.json.event_id)).toEqual(['b-1']);
    expect(dead.rows.map((r) => r.json.errorMessage)).toEqual(['event: nested more than 16 levels deep (MAX_NESTING_DEPTH)']);
    expect(acks).toEqual(['ack']);
  });

  it('with splitBatches leaves single-event messages exactly as before', async () => {
    const { events, counters } = await archive(true, ev('s-1'));
    expect(events.rows.map((r) => r.json.event_id)).toEqual(['s-1']);
    expect(counters.batchesSplit).toBe(0);
  });
});

describe('archive worker and inserts that can never succeed', () => {
  const notFound = () => Object.assign(new Error('Not found: Table it-project:ds.events_raw'), { code: 404, errors: [{ reason: 'notFound', message: 'Not found: Table it-project:ds.events_raw' }] });

  it('dead-letters the rows of a call refused as a whole for good (table not found) at once, and acks', async () => {
    let calls = 0;
    const missing: RowInserter = { insert: async () => (calls++, Promise.reject(notFound())) };
    const dead = new Table();
    const acks: string[] = [];
    const archiver = new Archiver({ transform, eventsTable: missing, deadLetterTable: dead, logger: pino({ level: 'silent' }), batchDeadlineMs: 5000 });
    const started = Date.now();
    archiver.handle(message(ev('nf-1'), acks));
    await archiver.drain();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(calls).toBe(1);
    expect(dead.rows.map((r) => r.json.errorMessage)).toEqual(['bigquery: notFound: Not found: Table it-project:ds.events_raw']);
    expect(acks).toEqual(['ack']);
  });

  it('nacks (keeps the data) when the dead-letter table is missing too, without waiting for the deadline', async () => {
    const missing: RowInserter = { insert: async () => Promise.reject(notFound()) };
    const acks: string[] = [];
    const archiver = new Archiver({ transform, eventsTable: missing, deadLetterTable: missing, logger: pino({ level: 'silent' }), batchDeadlineMs: 5000 });
    const started = Date.now();
    archiver.handle(message(ev('nf-2'), acks));
    await archiver.drain();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(acks).toEqual(['nack']);
  });

  it('still retries a whole-call failure that may pass (503 backendError) until it does', async () => {
    let calls = 0;
    const events = new Table();
    const flaky: RowInserter = {
      insert: async (rows, options) => (++calls < 3 ? Promise.reject(Object.assign(new Error('Backend error'), { code: 503, errors: [{ reason: 'backendError' }] })) : events.insert(rows)),
    };
    const acks: string[] = [];
    const archiver = new Archiver({ transform, eventsTable: flaky, deadLetterTable: new Table(), logger: pino({ level: 'silent' }), batchDeadlineMs: 5000 });
    archiver.handle(message(ev('flaky-1'), acks));
    await archiver.drain();
    expect(calls).toBe(3);
    expect(events.rows.map((r) => r.json.event_id)).toEqual(['flaky-1']);
    expect(acks).toEqual(['ack']);
  });
});
