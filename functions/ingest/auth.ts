/**
 * API-key authentication. Keys are never stored: the gateway holds their SHA-256 digests and
 * compares the digest of what the caller presents against every configured digest with
 * timingSafeEqual (fixed-length, constant time, no early exit on a match).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export class ApiKeyVerifier {
  private readonly digests: Buffer[];

  constructor(hexDigests: string[]) {
    this.digests = hexDigests.map((d) => Buffer.from(d, 'hex'));
  }

  static sha256Hex(key: string): string {
    return createHash('sha256').update(key, 'utf8').digest('hex');
  }

  /** The key from `Authorization: Bearer <key>` or `x-api-key`, if any. */
  static presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
    const auth = headers.authorization;
    if (typeof auth === 'string') {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      if (m) return m[1];
    }
    const apiKey = headers['x-api-key'];
    return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey : undefined;
  }

  verify(key: string | undefined): boolean {
    if (key === undefined) return false;
    const presented = createHash('sha256').update(key, 'utf8').digest();
    let match = false;
    for (const digest of this.digests) match = timingSafeEqual(presented, digest) || match;
    return match;
  }
}
