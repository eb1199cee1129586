/**
 * Range reads from Bigtable, returning the newest cell of each column. Used by the processor
 * (pane contributions, the latest finalized window) and the analytics API.
 */
import type { Table } from '@google-cloud/bigtable';
import type { KeyRange } from './row-keys';
import { withTimeLimit } from './time-limits';

export interface CellValue {
  value: string;
  timestampMicros: number;
}

export interface ReadRow {
  key: string;
  cells: Record<string, Record<string, CellValue>>;
}

/** The part of a Bigtable table the readers need. */
export type RowReader = Pick<Table, 'getRows'>;

export async function readRange(table: RowReader, range: KeyRange, limit?: number, limitMs = 10_000): Promise<ReadRow[]> {
  if (range.start >= range.end) return [];
  const [rows] = await withTimeLimit(
    table.getRows({
      ranges: [{ start: { value: range.start, inclusive: true }, end: { value: range.end, inclusive: false } }],
      ...(limit !== undefined ? { limit } : {}),
      // Newest version of each column only (a redelivered write replaced it at the same timestamp anyway).
      filter: [{ column: { cellLimit: 1 } }],
      gaxOptions: { timeout: limitMs },
    }),
    // The same bound as the client's deadline: a client that does not give up (an unreachable
    // host it keeps reconnecting to) is cut at the configured time, not a second later.
    limitMs,
    'Bigtable ReadRows',
  );
  return rows.map(toReadRow);
}

/** A client row (newest cell first per column) as a plain ReadRow. */
export function toReadRow(row: { id: string | Buffer; data: unknown }): ReadRow {
  const cells: ReadRow['cells'] = {};
  const data = row.data as Record<string, Record<string, { value: string | Buffer; timestamp: string | number }[]>>;
  for (const family of Object.keys(data)) {
    cells[family] = {};
    for (const qualifier of Object.keys(data[family])) {
      const cell = data[family][qualifier][0];
      cells[family][qualifier] = { value: String(cell.value), timestampMicros: Number(cell.timestamp) };
    }
  }
  return { key: String(row.id), cells };
}
