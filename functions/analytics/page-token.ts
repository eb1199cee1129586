/**
 * Opaque page tokens: base64url JSON of a cursor plus a fingerprint of the query, so a token
 * is only accepted for the query that produced it.
 */
import { createHash } from 'node:crypto';

export class BadPageToken extends Error {}

function fingerprint(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 16);
}

export function encodePageToken(query: unknown, cursor: string): string {
  return Buffer.from(JSON.stringify({ c: cursor, q: fingerprint(query) })).toString('base64url');
}

export function decodePageToken(query: unknown, token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  let parsed: { c?: unknown; q?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new BadPageToken('pageToken: not a token this API issued');
  }
  if (typeof parsed?.c !== 'string' || typeof parsed.q !== 'string') throw new BadPageToken('pageToken: not a token this API issued');
  if (parsed.q !== fingerprint(query)) throw new BadPageToken('pageToken: belongs to a different query (same path and parameters required)');
  return parsed.c;
}
