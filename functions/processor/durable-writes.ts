/**
 * Writes rows to Bigtable until each is durable, retrying ONLY the rows that failed.
 *
 * `table.mutate` sends one MutateRows call; the service answers per row. When some rows fail
 * the client rejects with a PartialFailureError whose `errors[i].entry` is the original entry
 * object and `errors[i].code` its gRPC status. Rows with a transient status are retried
 * (backoff, until the deadline); rows with a permanent status are returned, so the caller can
 * dead-letter exactly those events. A failure of the whole call (no per-row detail) with a
 * transient status retries every row still pending; with a permanent status (one bad row
 * can fail a whole request) the rows are sent one per call, to find the bad one.
 */
import { backoffDelay, sleep, withTimeLimit } from '../shared/time-limits';

/** Cell data: family -> qualifier -> { value, timestamp in microseconds }. */
export interface RowEntry {
  key: string;
  /** SetCell for every cell in `data`. */
  method: 'insert';
  data: Record<string, Record<string, { value: string; timestamp: number }>>;
}

/** What the writer needs from a Bigtable table (wrapped in tests to inject failures). */
export interface RowMutator {
  mutate(entries: RowEntry[]): Promise<unknown>;
}

/** gRPC codes worth retrying: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE. */
export const RETRYABLE_CODES = new Set([4, 8, 10, 13, 14]);

export interface RowFailure {
  entry: RowEntry;
  code: number;
  message: string;
}

export interface WriteOutcome {
  /** Rows the service refused with a permanent status. */
  permanent: RowFailure[];
  /** MutateRows calls made (1 when everything succeeded first time). */
  attempts: number;
  /** Row writes retried after a failure (sum over attempts). */
  retriedRows: number;
}

export class WriteDeadlineError extends Error {
  override name = 'WriteDeadlineError';
}

interface PartialFailureLike {
  name: string;
  errors: { entry?: RowEntry; code?: number; message?: string }[];
}

function isPartialFailure(err: unknown): err is PartialFailureLike {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { name?: string }).name === 'PartialFailureError' &&
    Array.isArray((err as { errors?: unknown }).errors)
  );
}

function callLimit(deadlineAt: number, callLimitMs: number): number {
  return Math.max(1, Math.min(callLimitMs, deadlineAt - Date.now()));
}

function describe(err: unknown): { code?: number; message: string } {
  const code = typeof (err as { code?: unknown })?.code === 'number' ? (err as { code: number }).code : undefined;
  return { code, message: err instanceof Error ? err.message.split('\n')[0] : String(err) };
}

export async function writeDurably(
  table: RowMutator,
  entries: RowEntry[],
  deadlineAt: number,
  callLimitMs = 10_000,
): Promise<WriteOutcome> {
  let pending = entries;
  const permanent: RowFailure[] = [];
  let attempts = 0;
  let retriedRows = 0;
  let lastError = '';
  let isolate = false;
  while (pending.length > 0) {
    if (attempts > 0) {
      const wait = backoffDelay(attempts - 1, 20, 1000);
      if (Date.now() + wait >= deadlineAt) {
        throw new WriteDeadlineError(`${pending.length} row(s) not durable before the deadline; last error: ${lastError}`);
      }
      await sleep(wait);
      retriedRows += pending.length;
    }
    attempts++;
    if (isolate) {
      // One row per call: a permanent whole-call error now names its row.
      const results = await Promise.allSettled(pending.map((entry) => withTimeLimit(table.mutate([entry]), callLimit(deadlineAt, callLimitMs), 'Bigtable MutateRows')));
      const retry: RowEntry[] = [];
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') return;
        const { code, message } = describe(r.reason);
        lastError = message;
        if (code !== undefined && !RETRYABLE_CODES.has(code)) permanent.push({ entry: pending[i], code, message });
        else retry.push(pending[i]);
      });
      pending = retry;
      continue;
    }
    try {
      await withTimeLimit(table.mutate(pending), callLimit(deadlineAt, callLimitMs), 'Bigtable MutateRows');
      pending = [];
    } catch (err) {
      lastError = describe(err).message;
      if (!isPartialFailure(err)) {
        const { code } = describe(err);
        if (code !== undefined && !RETRYABLE_CODES.has(code)) {
          if (pending.length === 1) {
            permanent.push({ entry: pending[0], code, message: lastError });
            pending = [];
          } else isolate = true;
        }
        continue; // transient whole-call failure: every pending row again
      }
      const failedByEntry = new Map<RowEntry, { code: number; message: string }>();
      for (const e of err.errors) if (e.entry) failedByEntry.set(e.entry, { code: e.code ?? 2, message: e.message ?? '' });
      if (failedByEntry.size === 0) continue;
      const retry: RowEntry[] = [];
      for (const entry of pending) {
        const failure = failedByEntry.get(entry);
        if (!failure) continue; // this row is durable
        if (RETRYABLE_CODES.has(failure.code)) retry.push(entry);
        else permanent.push({ entry, ...failure });
      }
      pending = retry;
    }
  }
  return { permanent, attempts, retriedRows };
}
