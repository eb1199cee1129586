/**
 * tabledata.insertAll: validate every row against the schema, drop rows whose insertId was
 * seen recently, and append the rest in one batch. A request with an invalid row appends
 * nothing unless skipInvalidRows is set; the valid rows are then reported `stopped`.
 */
import { DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import { invalid } from '../errors';
import { convertRow, type FieldError } from '../types/row-input';
import { duckTypeOf } from '../types/schema';
import { duckSchemaName, tableKey } from './names';
import type { TableRecord } from './catalog';

/** DuckDB's vector size: one data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

export interface InsertAllRequest {
  rows?: { insertId?: string; json?: unknown }[];
  skipInvalidRows?: boolean;
  ignoreUnknownValues?: boolean;
  templateSuffix?: string;
}

export interface InsertError {
  index: number;
  errors: { reason: string; location: string; message: string; debugInfo?: string }[];
}

export interface InsertAllResponse {
  kind: 'bigquery#tableDataInsertAllResponse';
  insertErrors?: InsertError[];
}

/**
 * Best-effort de-duplication by insertId within a time window, as BigQuery does ("at least
 * one minute"). Remembered per table, oldest first, so expiry is a walk from the front.
 */
export class InsertIdWindow {
  private readonly seen = new Map<string, Map<string, number>>();

  constructor(private readonly windowMs: number) {}

  private forTable(key: string, now: number): Map<string, number> {
    let ids = this.seen.get(key);
    if (!ids) this.seen.set(key, (ids = new Map()));
    for (const [id, at] of ids) {
      if (now - at < this.windowMs) break;
      ids.delete(id);
    }
    return ids;
  }

  has(key: string, insertId: string, now: number): boolean {
    return this.forTable(key, now).has(insertId);
  }

  remember(key: string, insertIds: string[], now: number): void {
    const ids = this.forTable(key, now);
    for (const id of insertIds) {
      ids.delete(id);
      ids.set(id, now);
    }
  }

  forget(key: string): void {
    this.seen.delete(key);
  }
}

export async function insertAll(
  conn: DuckDBConnection,
  table: TableRecord,
  request: InsertAllRequest,
  dedup: InsertIdWindow,
  now = Date.now(),
): Promise<InsertAllResponse> {
  if (table.kind === 'VIEW') throw invalid(`Cannot insert into ${tableKey(table.ref)}: it is a view.`);
  if (request.templateSuffix !== undefined) throw invalid('templateSuffix is not supported by the local server.');
  const rows = request.rows;
  if (!Array.isArray(rows) || rows.length === 0) throw invalid('No rows present in the request.');
  if (table.fields.length === 0) throw invalid(`The destination table ${tableKey(table.ref)} has no schema.`);
  const key = tableKey(table.ref);
  const ignoreUnknown = request.ignoreUnknownValues === true;

  const accepted: { index: number; insertId?: string; values: ReturnType<typeof convertRow>['values'] }[] = [];
  const rowErrors = new Map<number, FieldError[]>();
  const idsInRequest = new Set<string>();
  rows.forEach((row, index) => {
    const insertId = typeof row?.insertId === 'string' && row.insertId !== '' ? row.insertId : undefined;
    const { values, errors } = convertRow(table.fields, row?.json ?? {}, ignoreUnknown);
    if (errors.length > 0) {
      rowErrors.set(index, errors);
      return;
    }
    if (insertId !== undefined) {
      // A duplicate is acknowledged as inserted, and stored once.
      if (idsInRequest.has(insertId) || dedup.has(key, insertId, now)) return;
      idsInRequest.add(insertId);
    }
    accepted.push({ index, insertId, values });
  });

  const insertErrors: InsertError[] = [];
  if (rowErrors.size > 0 && request.skipInvalidRows !== true) {
    rows.forEach((_, index) => {
      const errors = rowErrors.get(index);
      insertErrors.push({
        index,
        errors: errors ? errors.map((e) => ({ ...e, debugInfo: '' })) : [{ reason: 'stopped', location: '', debugInfo: '', message: '' }],
      });
    });
    return { kind: 'bigquery#tableDataInsertAllResponse', insertErrors };
  }
  for (const [index, errors] of rowErrors) insertErrors.push({ index, errors: errors.map((e) => ({ ...e, debugInfo: '' })) });
  insertErrors.sort((a, b) => a.index - b.index);

  if (accepted.length > 0) {
    const types = table.fields.map(duckTypeOf);
    const appender = await conn.createAppender(table.ref.tableId, duckSchemaName(table.ref));
    try {
      // Column-wise data chunks (at most one vector, 2048 rows, each): far cheaper than
      // appending value by value, which converts nested types cell by cell.
      for (let start = 0; start < accepted.length; start += CHUNK_ROWS) {
        const slice = accepted.slice(start, start + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create(types, slice.length);
        chunk.setColumns(types.map((_, column) => slice.map((row) => row.values[column])));
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    dedup.remember(key, accepted.flatMap((r) => (r.insertId === undefined ? [] : [r.insertId])), now);
  }
  return insertErrors.length > 0 ? { kind: 'bigquery#tableDataInsertAllResponse', insertErrors } : { kind: 'bigquery#tableDataInsertAllResponse' };
}
