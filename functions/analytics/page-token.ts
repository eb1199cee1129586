/**
 * Opaque page tokens: `<base64url JSON {c: cursor, q: query fingerprint, f?: frame}>.<base64url HMAC>`.
 * The HMAC-SHA256 covers the cursor, the frame and the whole query, so a client can neither edit the
 * cursor (e.g. point it at another device's rows) nor reuse a token for another query. The
 * unkeyed fingerprint only lets the error say which of the two went wrong.
 *
 * Secrets: the first signs, every one verifies (rotation: put the new secret first, drop the
 * old one once its tokens have expired from use). Instances behind one URL need the same
 * secrets (PAGE_TOKEN_SECRET), else a token works only on the instance that issued it.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class BadPageToken extends Error {}

const NOT_OURS = 'pageToken: not a token this API issued';

function fingerprint(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 16);
}

/** A fresh secret for one process (the default when PAGE_TOKEN_SECRET is not set). */
export function randomPageTokenSecret(): Buffer {
  return randomBytes(32);
}

/**
 * What a query resolved on its first page and every later page must reuse: its range (a
 * missing `to` means "now", which moves between pages) and, for merged answers, the hot/cold
 * boundary. Signed with the cursor, so a client cannot widen it.
 */
export type PageFrame = Record<string, number>;

export interface DecodedPageToken {
  cursor: string;
  frame?: PageFrame;
}

export class PageTokens {
  private readonly secrets: Buffer[];

  constructor(secrets: Buffer[] = [randomPageTokenSecret()]) {
    if (secrets.length === 0) throw new RangeError('PageTokens: at least one secret');
    this.secrets = secrets;
  }

  private mac(secret: Buffer, query: unknown, cursor: string, frame: PageFrame | undefined): Buffer {
    return createHmac('sha256', secret).update(JSON.stringify([query, cursor, frame ?? null])).digest();
  }

  encode(query: unknown, cursor: string, frame?: PageFrame): string {
    const payload = Buffer.from(JSON.stringify({ c: cursor, q: fingerprint(query), ...(frame ? { f: frame } : {}) })).toString('base64url');
    return `${payload}.${this.mac(this.secrets[0], query, cursor, frame).toString('base64url')}`;
  }

  /** The cursor (and frame) of a token issued for `query` (undefined: no token, the first page). */
  decode(query: unknown, token: string | undefined): DecodedPageToken | undefined {
    if (token === undefined) return undefined;
    const [payload, signature, ...extra] = token.split('.');
    if (signature === undefined || extra.length > 0) throw new BadPageToken(NOT_OURS);
    let parsed: { c?: unknown; q?: unknown; f?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw new BadPageToken(NOT_OURS);
    }
    if (typeof parsed?.c !== 'string' || typeof parsed.q !== 'string') throw new BadPageToken(NOT_OURS);
    const frame = parsed.f === undefined ? undefined : asFrame(parsed.f);
    if (parsed.q !== fingerprint(query)) throw new BadPageToken('pageToken: belongs to a different query (same path and parameters required)');
    const presented = Buffer.from(signature, 'base64url');
    const cursor = parsed.c;
    let valid = false;
    for (const secret of this.secrets) {
      const expected = this.mac(secret, query, cursor, frame);
      valid = (presented.length === expected.length && timingSafeEqual(presented, expected)) || valid;
    }
    if (!valid) throw new BadPageToken(`${NOT_OURS} (signature does not match)`);
    return frame ? { cursor, frame } : { cursor };
  }
}

function asFrame(v: unknown): PageFrame {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadPageToken(NOT_OURS);
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.some(([, x]) => typeof x !== 'number' || !Number.isSafeInteger(x))) throw new BadPageToken(NOT_OURS);
  return Object.fromEntries(entries) as PageFrame;
}
