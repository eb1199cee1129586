/**
 * Spill store in a Cloud Storage bucket (SPILL_BUCKET). An upload resolves once the object is
 * durably stored, and listing is strongly consistent, so the replayer sees every object the
 * gateway acknowledged. `ifGenerationMatch: 0` makes each write create-only: it can never
 * replace another batch, and the client may retry it safely.
 */
import type { Bucket } from '@google-cloud/storage';
import {
  SPILL_PREFIX,
  SpillNamer,
  decodeSpillObject,
  encodeSpillObject,
  quarantineName,
  type SpillObject,
  type SpillStore,
} from './spill-store';

/** The part of a Bucket the store uses (tests pass a fake). */
export type SpillBucket = Pick<Bucket, 'file' | 'getFiles'>;

export class GcsSpillStore implements SpillStore {
  readonly kind = 'gcs';

  constructor(
    private readonly bucket: SpillBucket,
    private readonly namer = new SpillNamer(),
  ) {}

  async write(object: SpillObject): Promise<string> {
    const name = this.namer.next(object.deviceId);
    await this.bucket.file(name).save(encodeSpillObject(object), {
      resumable: false,
      contentType: 'application/json',
      validation: 'crc32c',
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    return name;
  }

  async listDeviceHashes(): Promise<Set<string>> {
    const hashes = new Set<string>();
    let pageToken: string | undefined;
    do {
      const [, next, response] = await this.bucket.getFiles({ prefix: SPILL_PREFIX, delimiter: '/', autoPaginate: false, ...(pageToken ? { pageToken } : {}) });
      for (const p of ((response as { prefixes?: string[] } | undefined)?.prefixes ?? [])) hashes.add(p.slice(SPILL_PREFIX.length).replace(/\/$/, ''));
      pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken;
    } while (pageToken);
    return hashes;
  }

  async listObjects(deviceHash: string): Promise<string[]> {
    const [files] = await this.bucket.getFiles({ prefix: `${SPILL_PREFIX}${deviceHash}/` });
    return files.map((f) => f.name).filter((n) => n.endsWith('.json')).sort();
  }

  async read(name: string): Promise<SpillObject> {
    const [content] = await this.bucket.file(name).download();
    return decodeSpillObject(name, content.toString('utf8'));
  }

  async delete(name: string): Promise<void> {
    await this.bucket.file(name).delete({ ignoreNotFound: true });
  }

  async quarantine(name: string): Promise<string> {
    const target = quarantineName(name);
    await this.bucket.file(name).move(target);
    return target;
  }
}
