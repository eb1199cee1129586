/**
 * The local stand-in for the Dataflow Pub/Sub-to-BigQuery template: each message goes
 * through the BUILT UDF; a row it returns is streamed into events_raw with an insertId
 * derived from the device and event id (the same on every retry and redelivery, so BigQuery's
 * insertId de-duplication drops repeats); a message the UDF rejects, or a row BigQuery rejects
 * as invalid, goes to events_dead_letter in the template's error-record shape with the
 * reason. Messages are acked only after their rows were inserted.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { DeadLetterRow, EventsRawRow } from '../shared/bigquery-rows';
import { backoffDelay, sleep, withTimeLimit } from '../shared/time-limits';
import type { Transform } from './udf-runner';
import { decodeMessagePayload } from '../shared/message';
import { validateEvent } from '../shared/event';

export interface ArchiveMessage {
  id: string;
  data: Buffer;
  attributes: Record<string, string>;
  ack(): void;
  nack(): void;
}

/** `insertAll` as the BigQuery client's Table.insert(rows, { raw: true }) offers it. */
export interface RowInserter {
  insert(rows: { insertId: string; json: object }[], options: { raw: true }): Promise<unknown>;
}

export interface ArchiverOptions {
  transform: Transform;
  eventsTable: RowInserter;
  deadLetterTable: RowInserter;
  logger: Logger;
  maxBatchRows?: number;
  maxBatchDelayMs?: number;
  batchDeadlineMs?: number;
  /**
   * LOCAL DEVIATION (ARCHIVE_SPLIT_BATCHES=true): apply the UDF to each event of a batched
   * message (`{"events":[...]}`, the local run packs ~50 per message because the Pub/Sub
   * emulator delivers only a few thousand messages/s), one row and insert id per event. The
   * Dataflow template cannot do this; by default batches are dead-lettered as it would.
   */
  splitBatches?: boolean;
}

export function eventInsertId(row: EventsRawRow): string {
  return createHash('sha256').update(`${row.device_id}#${row.event_id}`).digest('hex');
}

/** Per message; per event of a split batch (`part`), so each dead event keeps its own row. */
function deadLetterInsertId(messageId: string, part?: string): string {
  return createHash('sha256').update(part === undefined ? `dead-letter#${messageId}` : `dead-letter#${messageId}#${part}`).digest('hex');
}

const isWhole = (message: ArchiveMessage, payload: string) => payload === message.data.toString('utf8');

/** insertAll reasons that will not succeed on retry. */
const PERMANENT_REASONS = new Set(['invalid', 'invalidQuery', 'notFound', 'accessDenied']);
/** HTTP statuses of a whole insertAll call that a retry will not change (bad request, forbidden, no such table). */
const PERMANENT_HTTP = new Set([400, 403, 404]);

/** Why a whole call failed for good (its first error reason and message), or undefined if a retry may pass. */
function permanentCallFailure(err: unknown): string | undefined {
  const e = err as { code?: unknown; message?: unknown; errors?: { reason?: unknown; message?: unknown }[] };
  const first = Array.isArray(e?.errors) ? e.errors[0] : undefined;
  const reason = typeof first?.reason === 'string' ? first.reason : undefined;
  if (!(reason !== undefined && PERMANENT_REASONS.has(reason)) && !(typeof e?.code === 'number' && PERMANENT_HTTP.has(e.code))) return undefined;
  const message = typeof first?.message === 'string' ? first.message : typeof e?.message === 'string' ? e.message : '';
  return `${reason ?? `HTTP ${e.code}`}: ${message.split('\n')[0]}`.trim();
}

interface Pending {
  insertId: string;
  json: object;
  message: ArchiveMessage;
  payload: string;
}

export class Archiver {
  private batch: ArchiveMessage[] = [];
  /** Rows the pending batch will insert (a split batched message counts its events). */
  private batchRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();
  readonly counters = { messages: 0, rowsInserted: 0, deadLettered: 0, acked: 0, nacked: 0, batchesSplit: 0 };

  constructor(private readonly o: ArchiverOptions) {}

  handle(message: ArchiveMessage): void {
    this.counters.messages++;
    this.batch.push(message);
    const count = Number(message.attributes.eventCount);
    this.batchRows += this.o.splitBatches && Number.isInteger(count) && count > 1 ? count : 1;
    if (this.batchRows >= (this.o.maxBatchRows ?? 500)) this.cut();
    else if (!this.timer) this.timer = setTimeout(() => this.cut(), this.o.maxBatchDelayMs ?? 50);
  }

  async drain(limitMs = 20_000): Promise<void> {
    this.cut();
    await withTimeLimit(Promise.all([...this.running]), limitMs, 'draining the archive worker');
  }

  private cut(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.batchRows = 0;
    const settled = new Set<ArchiveMessage>();
    const run: Promise<void> = this.process(batch, settled)
      .catch((err) => {
        // Unexpected: nack what is not settled (redelivered) rather than leave it leased.
        const open = batch.filter((m) => !settled.has(m));
        this.o.logger.error({ err: (err as Error).message, nacked: open.length }, 'archive batch failed unexpectedly; unsettled messages nacked');
        for (const m of open) {
          m.nack();
          this.counters.nacked++;
        }
      })
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async process(batch: ArchiveMessage[], settled: Set<ArchiveMessage>): Promise<void> {
    const deadline = Date.now() + (this.o.batchDeadlineMs ?? 30_000);
    const good: Pending[] = [];
    const dead: { message: ArchiveMessage; payload: string; reason: string; part?: string }[] = [];
    for (const message of batch) {
      const payload = message.data.toString('utf8');
      for (const line of this.lines(payload)) {
        if (typeof line !== 'string') {
          dead.push({ message, payload, reason: line.reason, part: line.part });
          continue;
        }
        try {
          const row = JSON.parse(this.o.transform(line)) as EventsRawRow;
          good.push({ insertId: eventInsertId(row), json: row, message, payload: line });
        } catch (err) {
          dead.push({ message, payload: line, reason: err instanceof Error ? err.message : String(err) });
        }
      }
    }
    const failed = new Set<ArchiveMessage>();
    try {
      const refused = await this.insertDurably(this.o.eventsTable, good, deadline);
      for (const r of refused) dead.push({ message: r.pending.message, payload: r.pending.payload, reason: `bigquery: ${r.reason}` });
      const deadRows: Pending[] = dead.map((d) => ({ insertId: deadLetterInsertId(d.message.id, d.part ?? (isWhole(d.message, d.payload) ? undefined : d.payload)), json: this.deadLetterRow(d.message, d.payload, d.reason), message: d.message, payload: d.payload }));
      const deadRefused = await this.insertDurably(this.o.deadLetterTable, deadRows, deadline);
      for (const r of deadRefused) {
        this.o.logger.error({ messageId: r.pending.message.id, reason: r.reason }, 'dead-letter row refused; message nacked');
        failed.add(r.pending.message);
      }
      this.counters.rowsInserted += good.length - refused.length;
      this.counters.deadLettered += deadRows.length - deadRefused.length;
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message, messages: batch.length }, 'insert not confirmed in time; batch nacked');
      for (const m of batch) failed.add(m);
    }
    for (const m of batch) {
      settled.add(m);
      if (failed.has(m)) {
        m.nack();
        this.counters.nacked++;
      } else {
        m.ack();
        this.counters.acked++;
      }
    }
  }

  /**
   * The UDF inputs of one message: the payload, or with splitBatches each event of a batch.
   * An event that cannot be serialised again (too deeply nested) is a dead letter with the
   * contract's reason and the whole message as payload (`part` keeps its insert id apart).
   */
  private lines(payload: string): (string | { reason: string; part: string })[] {
    if (!this.o.splitBatches) return [payload];
    const decoded = decodeMessagePayload(payload);
    if (!decoded.ok || !decoded.batched) return [payload];
    this.counters.batchesSplit++;
    return decoded.events.map((e, i) => {
      try {
        return JSON.stringify(e);
      } catch (err) {
        const verdict = validateEvent(e);
        return { reason: verdict.ok ? `event: cannot be serialised (${(err as Error).message})` : verdict.reason, part: `event-${i}` };
      }
    });
  }

  private deadLetterRow(message: ArchiveMessage, payload: string, reason: string): DeadLetterRow {
    return {
      timestamp: new Date().toISOString(),
      payloadString: payload,
      payloadBytes: isWhole(message, payload) ? message.data.toString('base64') : Buffer.from(payload, 'utf8').toString('base64'),
      attributes: Object.keys(message.attributes).sort().map((key) => ({ key, value: message.attributes[key] })),
      errorMessage: reason,
      stacktrace: null,
    };
  }

  /** Inserts until every row is in or refused for good; retries only rows that failed. */
  private async insertDurably(table: RowInserter, rows: Pending[], deadline: number): Promise<{ pending: Pending; reason: string }[]> {
    const refused: { pending: Pending; reason: string }[] = [];
    let todo = rows;
    for (let attempt = 0; todo.length > 0; attempt++) {
      if (attempt > 0) {
        const wait = backoffDelay(attempt - 1, 50, 2000);
        if (Date.now() + wait >= deadline) throw new Error(`${todo.length} row(s) not inserted before the deadline`);
        await sleep(wait);
      }
      try {
        await withTimeLimit(table.insert(todo.map((p) => ({ insertId: p.insertId, json: p.json })), { raw: true }), Math.max(1, deadline - Date.now()), 'BigQuery insertAll');
        todo = [];
      } catch (err) {
        const errors = (err as { name?: string; errors?: { row?: { insertId?: string }; errors?: { reason?: string; message?: string }[] }[] }).errors;
        if ((err as { name?: string }).name !== 'PartialFailureError' || !Array.isArray(errors)) {
          // The whole call failed: for good (e.g. the table does not exist) every row is refused
          // now, so it is dead-lettered instead of retried until the deadline and nacked forever.
          const permanent = permanentCallFailure(err);
          if (permanent === undefined) continue;
          for (const p of todo) refused.push({ pending: p, reason: permanent });
          todo = [];
          continue;
        }
        const byId = new Map(errors.map((e) => [e.row?.insertId, e.errors ?? []]));
        const retry: Pending[] = [];
        for (const p of todo) {
          const rowErrors = byId.get(p.insertId);
          if (!rowErrors) continue; // inserted
          const permanent = rowErrors.find((e) => e.reason && PERMANENT_REASONS.has(e.reason));
          if (permanent) refused.push({ pending: p, reason: `${permanent.reason}: ${permanent.message ?? ''}`.trim() });
          else retry.push(p); // 'stopped' (another row failed), backendError, ...
        }
        todo = retry;
      }
    }
    return refused;
  }
}
