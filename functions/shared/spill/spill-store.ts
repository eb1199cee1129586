/**
 * The ingest spill store: where the gateway writes a batch durably when Pub/Sub cannot
 * confirm it, and where the spill replayer finds it again.
 *
 * One object holds the messages of ONE device from one request, exactly as they would have
 * been published (payload + attributes, so the replay carries the same event ids). Objects
 * are named `spill/<deviceKeyHash>/<13-digit ms>-<6-digit seq>-<writer>.json`: listing a
 * device's prefix in name order is its spill order (the writer keeps its clock monotonic),
 * and the hash keeps any device id safe as a path segment. Writes never overwrite
 * (Cloud Storage `ifGenerationMatch: 0`; a hard link in a directory).
 */
import { createHash, randomBytes } from 'node:crypto';

export const SPILL_PREFIX = 'spill/';
export const QUARANTINE_PREFIX = 'spill-quarantine/';
export const SPILL_FORMAT_VERSION = 1;

export interface SpilledMessage {
  /** The Pub/Sub message payload (UTF-8 JSON). */
  data: string;
  attributes: Record<string, string>;
}

export interface SpillObject {
  version: typeof SPILL_FORMAT_VERSION;
  deviceId: string;
  spilledAt: string;
  reason: string;
  messages: SpilledMessage[];
}

export interface SpillStore {
  /** `gcs` or `directory`, for logs and health. */
  readonly kind: string;
  /** Writes one object; resolves only once it is durable. Returns its name. */
  write(object: SpillObject): Promise<string>;
  /** Device key hashes that have at least one spilled object. */
  listDeviceHashes(): Promise<Set<string>>;
  /** Object names of one device, in spill (= name) order. */
  listObjects(deviceHash: string): Promise<string[]>;
  read(name: string): Promise<SpillObject>;
  /** Removes a replayed object (a missing one is not an error: a replay may repeat). */
  delete(name: string): Promise<void>;
  /** Moves an unreadable object out of the replay path, keeping it for inspection. */
  quarantine(name: string): Promise<string>;
}

export function deviceKeyHash(deviceId: string): string {
  return createHash('sha256').update(deviceId, 'utf8').digest('hex').slice(0, 32);
}

/** Object names for one writer: a clock that never goes backwards plus a sequence number. */
export class SpillNamer {
  private lastMs = 0;
  private seq = 0;
  constructor(readonly writerId: string = randomBytes(4).toString('hex'), private readonly clock: () => number = Date.now) {}

  next(deviceId: string): string {
    const ms = Math.max(this.clock(), this.lastMs);
    this.lastMs = ms;
    this.seq = (this.seq + 1) % 1_000_000;
    return `${SPILL_PREFIX}${deviceKeyHash(deviceId)}/${String(ms).padStart(13, '0')}-${String(this.seq).padStart(6, '0')}-${this.writerId}.json`;
  }
}

/** The device hash segment of an object name. */
export function deviceHashOf(name: string): string {
  const m = /^spill\/([0-9a-f]{32})\/[^/]+\.json$/.exec(name);
  if (!m) throw new BadSpillObject(`spill object name ${name}: not spill/<deviceKeyHash>/<name>.json`);
  return m[1];
}

export function quarantineName(name: string): string {
  return QUARANTINE_PREFIX + name.slice(SPILL_PREFIX.length);
}

/** An object that is not a valid spill object (the replayer quarantines it rather than retrying). */
export class BadSpillObject extends Error {
  override name = 'BadSpillObject';
}

export function encodeSpillObject(object: SpillObject): string {
  return JSON.stringify(object);
}

/** Parses and checks an object; a bad one throws a one-line reason (the replayer quarantines it). */
export function decodeSpillObject(name: string, text: string): SpillObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadSpillObject(`spill object ${name}: not valid JSON`);
  }
  const o = parsed as Partial<SpillObject>;
  if (o?.version !== SPILL_FORMAT_VERSION) throw new BadSpillObject(`spill object ${name}: version must be ${SPILL_FORMAT_VERSION}`);
  if (typeof o.deviceId !== 'string' || o.deviceId.length === 0) throw new BadSpillObject(`spill object ${name}: deviceId missing`);
  if (deviceKeyHash(o.deviceId) !== deviceHashOf(name)) throw new BadSpillObject(`spill object ${name}: deviceId ${o.deviceId} does not match its prefix`);
  if (!Array.isArray(o.messages) || o.messages.length === 0) throw new BadSpillObject(`spill object ${name}: messages must be a non-empty array`);
  for (const m of o.messages) {
    if (typeof m?.data !== 'string' || typeof m.attributes !== 'object' || m.attributes === null) {
      throw new BadSpillObject(`spill object ${name}: each message needs data (string) and attributes (object)`);
    }
  }
  return o as SpillObject;
}
