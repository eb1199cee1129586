/**
 * Spill store in a local directory (SPILL_DIR), for local runs and tests. Durable the way a
 * database log is: the object is written to a temporary file and fsync'd, linked to its final
 * name (a link never replaces an existing file, like ifGenerationMatch: 0), and the directory
 * is fsync'd so the new entry survives a crash.
 */
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  SPILL_PREFIX,
  SpillNamer,
  decodeSpillObject,
  encodeSpillObject,
  quarantineName,
  type SpillObject,
  type SpillStore,
} from './spill-store';

async function fsyncDir(path: string): Promise<void> {
  const handle = await fs.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const notFound = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

export class DirectorySpillStore implements SpillStore {
  readonly kind = 'directory';
  private readonly tmpDir: string;

  constructor(
    readonly root: string,
    private readonly namer = new SpillNamer(),
  ) {
    this.tmpDir = join(root, 'tmp');
  }

  async write(object: SpillObject): Promise<string> {
    const name = this.namer.next(object.deviceId);
    const final = join(this.root, name);
    await fs.mkdir(this.tmpDir, { recursive: true });
    await fs.mkdir(dirname(final), { recursive: true });
    const tmp = join(this.tmpDir, `${randomBytes(8).toString('hex')}.tmp`);
    const handle = await fs.open(tmp, 'wx');
    try {
      await handle.writeFile(encodeSpillObject(object), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.link(tmp, final);
    } finally {
      await fs.unlink(tmp);
    }
    await fsyncDir(dirname(final));
    return name;
  }

  async listDeviceHashes(): Promise<Set<string>> {
    const hashes = new Set<string>();
    let dirs: string[];
    try {
      dirs = await fs.readdir(join(this.root, SPILL_PREFIX));
    } catch (err) {
      if (notFound(err)) return hashes;
      throw err;
    }
    for (const dir of dirs) {
      if ((await this.listObjects(dir)).length > 0) hashes.add(dir);
    }
    return hashes;
  }

  async listObjects(deviceHash: string): Promise<string[]> {
    try {
      const files = await fs.readdir(join(this.root, SPILL_PREFIX, deviceHash));
      return files.filter((f) => f.endsWith('.json')).sort().map((f) => `${SPILL_PREFIX}${deviceHash}/${f}`);
    } catch (err) {
      if (notFound(err)) return [];
      throw err;
    }
  }

  async read(name: string): Promise<SpillObject> {
    return decodeSpillObject(name, await fs.readFile(join(this.root, name), 'utf8'));
  }

  async delete(name: string): Promise<void> {
    const path = join(this.root, name);
    try {
      await fs.unlink(path);
    } catch (err) {
      if (notFound(err)) return;
      throw err;
    }
    await fsyncDir(dirname(path));
  }

  async quarantine(name: string): Promise<string> {
    const target = quarantineName(name);
    const to = join(this.root, target);
    await fs.mkdir(dirname(to), { recursive: true });
    await fs.rename(join(this.root, name), to);
    await fsyncDir(dirname(to));
    await fsyncDir(dirname(join(this.root, name)));
    return target;
  }
}
