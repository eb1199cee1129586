/**
 * Page tokens (opaque to clients: base64url of the next row offset) and page-size limits.
 */
import { invalid } from './errors';

/** BigQuery caps a page at about 10 MB of JSON; the local server does the same. */
export const MAX_PAGE_BYTES = 10 * 1024 * 1024;
/** Hard ceiling on rows per page, whatever maxResults asks. */
export const MAX_PAGE_ROWS = 100_000;

export function encodePageToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function decodePageToken(token: unknown): number {
  if (token === undefined || token === null || token === '') return 0;
  const text = Buffer.from(String(token), 'base64url').toString('utf8');
  const m = /^o:(\d+)$/.exec(text);
  if (!m) throw invalid(`Invalid page token: ${String(token)}`);
  return Number(m[1]);
}

/** Start row from pageToken or startIndex (pageToken wins, as in BigQuery). */
export function startRow(query: Record<string, unknown>): number {
  if (query.pageToken) return decodePageToken(query.pageToken);
  if (query.startIndex !== undefined) {
    const n = Number(query.startIndex);
    if (!Number.isInteger(n) || n < 0) throw invalid(`Invalid startIndex: ${String(query.startIndex)}`);
    return n;
  }
  return 0;
}

/** maxResults as a row count; undefined when the client did not limit the page. */
export function maxResults(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw invalid(`Invalid maxResults: ${String(value)}`);
  return Math.min(n, MAX_PAGE_ROWS);
}
