import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DirectorySpillStore } from '../../../functions/shared/spill/directory-spill-store';
import { GcsSpillStore, type SpillBucket } from '../../../functions/shared/spill/gcs-spill-store';
import { BadSpillObject, SpillNamer, decodeSpillObject, deviceKeyHash, type SpillObject } from '../../../functions/shared/spill/spill-store';

const object = (deviceId: string, ids: string[]): SpillObject => ({
  version: 1,
  deviceId,
  spilledAt: '2026-12-03T12:00:00.000Z',
  reason: 'not published: injected',
  messages: ids.map((id) => ({ data: JSON.stringify({ eventId: id }), attributes: { eventId: id, eventCount: '1' } })),
});

describe('spill object names', () => {
  it('sort in spill order per device even when the clock steps back', () => {
    const clock = [1000, 2000, 1500, 2000];
    const namer = new SpillNamer('w1', () => clock.shift()!);
    const names = ['d', 'd', 'd', 'd'].map((d) => namer.next(d));
    const h = deviceKeyHash('d');
    // 1500 < 2000: the namer keeps 2000, and the sequence breaks the tie.
    expect(names).toEqual([
      `spill/${h}/0000000001000-000001-w1.json`,
      `spill/${h}/0000000002000-000002-w1.json`,
      `spill/${h}/0000000002000-000003-w1.json`,
      `spill/${h}/0000000002000-000004-w1.json`,
    ]);
    expect([...names].sort()).toEqual(names);
    expect(h).toMatch(/^[0-9a-f]{32}$/);
  });

  it('rejects objects that are not spill objects with a reason', () => {
    const name = `spill/${deviceKeyHash('dev-1')}/1-1-w.json`;
    expect(() => decodeSpillObject(name, '{nope')).toThrow(new BadSpillObject(`spill object ${name}: not valid JSON`));
    expect(() => decodeSpillObject(name, JSON.stringify(object('dev-2', ['a'])))).toThrow('deviceId dev-2 does not match its prefix');
    expect(() => decodeSpillObject(name, JSON.stringify({ ...object('dev-1', []) }))).toThrow('messages must be a non-empty array');
    expect(decodeSpillObject(name, JSON.stringify(object('dev-1', ['a']))).messages[0].attributes.eventId).toBe('a');
  });
});

describe('directory spill store', () => {
  it('writes, lists per device in order, reads, deletes, quarantines', async () => {
    const root = mkdtempSync(join(tmpdir(), 'spill-'));
    let t = 5000;
    const store = new DirectorySpillStore(root, new SpillNamer('w', () => t++));
    const a1 = await store.write(object('dev-a', ['a1', 'a2']));
    const b1 = await store.write(object('dev-b', ['b1']));
    const a2 = await store.write(object('dev-a', ['a3']));
    expect(await store.listDeviceHashes()).toEqual(new Set([deviceKeyHash('dev-a'), deviceKeyHash('dev-b')]));
    expect(await store.listObjects(deviceKeyHash('dev-a'))).toEqual([a1, a2]);
    expect((await store.read(a1)).messages.map((m) => m.attributes.eventId)).toEqual(['a1', 'a2']);
    // No temporary file is left behind; the object is the exact JSON.
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    expect(JSON.parse(readFileSync(join(root, a2), 'utf8'))).toEqual(object('dev-a', ['a3']));

    await store.delete(a1);
    await store.delete(a1); // a repeated delete (replay after a crash) is not an error
    expect(await store.listObjects(deviceKeyHash('dev-a'))).toEqual([a2]);
    await store.delete(b1);
    expect(await store.listDeviceHashes()).toEqual(new Set([deviceKeyHash('dev-a')]));

    const bad = `spill/${deviceKeyHash('dev-c')}/0000000000001-000001-x.json`;
    mkdirSync(join(root, 'spill', deviceKeyHash('dev-c')));
    writeFileSync(join(root, bad), '{broken');
    await expect(store.read(bad)).rejects.toThrow(BadSpillObject);
    expect(await store.quarantine(bad)).toBe(`spill-quarantine/${deviceKeyHash('dev-c')}/0000000000001-000001-x.json`);
    expect(readFileSync(join(root, 'spill-quarantine', deviceKeyHash('dev-c'), '0000000000001-000001-x.json'), 'utf8')).toBe('{broken');
    expect(await store.listDeviceHashes()).toEqual(new Set([deviceKeyHash('dev-a')]));
  });

  it('never overwrites an existing object', async () => {
    const root = mkdtempSync(join(tmpdir(), 'spill-'));
    // The same writer id and a frozen clock and sequence would reuse a name: the link refuses.
    const frozen = { writerId: 'w', next: () => `spill/${deviceKeyHash('d')}/0000000000001-000001-w.json` } as unknown as SpillNamer;
    const store = new DirectorySpillStore(root, frozen);
    const name = await store.write(object('d', ['first']));
    await expect(store.write(object('d', ['second']))).rejects.toThrow(/EEXIST/);
    expect((await store.read(name)).messages[0].attributes.eventId).toBe('first');
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('lists nothing before anything was spilled', async () => {
    const store = new DirectorySpillStore(join(mkdtempSync(join(tmpdir(), 'spill-')), 'not-yet'));
    expect(await store.listDeviceHashes()).toEqual(new Set());
    expect(await store.listObjects(deviceKeyHash('x'))).toEqual([]);
  });
});

describe('Cloud Storage spill store', () => {
  /** Records the calls the store makes on a bucket. */
  function fakeBucket() {
    const objects = new Map<string, string>();
    const calls: { op: string; name?: string; options?: unknown }[] = [];
    const bucket = {
      file: (name: string) => ({
        save: async (data: string, options: unknown) => {
          calls.push({ op: 'save', name, options });
          objects.set(name, data);
        },
        download: async () => [Buffer.from(objects.get(name)!)],
        delete: async (options: unknown) => {
          calls.push({ op: 'delete', name, options });
          objects.delete(name);
        },
        move: async (to: string) => {
          objects.set(to, objects.get(name)!);
          objects.delete(name);
        },
      }),
      getFiles: async (q: { prefix: string; delimiter?: string; pageToken?: string }) => {
        calls.push({ op: 'getFiles', options: q });
        const names = [...objects.keys()].filter((n) => n.startsWith(q.prefix)).sort();
        if (!q.delimiter) return [names.map((name) => ({ name }))];
        const prefixes = [...new Set(names.map((n) => n.slice(0, n.indexOf('/', q.prefix.length) + 1)))];
        // Two pages of prefixes, to exercise paging.
        return q.pageToken ? [[], null, { prefixes: prefixes.slice(1) }] : [[], prefixes.length > 1 ? { pageToken: 'p2' } : null, { prefixes: prefixes.slice(0, 1) }];
      },
    };
    return { bucket: bucket as unknown as SpillBucket, objects, calls };
  }

  it('creates objects only if absent (ifGenerationMatch 0), lists devices across pages, deletes ignoring missing', async () => {
    const { bucket, objects, calls } = fakeBucket();
    let t = 7000;
    const store = new GcsSpillStore(bucket, new SpillNamer('g', () => t++));
    const a = await store.write(object('dev-a', ['a1']));
    const b = await store.write(object('dev-b', ['b1']));
    expect(calls[0]).toEqual({
      op: 'save',
      name: a,
      options: { resumable: false, contentType: 'application/json', validation: 'crc32c', preconditionOpts: { ifGenerationMatch: 0 } },
    });
    expect(JSON.parse(objects.get(b)!)).toEqual(object('dev-b', ['b1']));
    expect(await store.listDeviceHashes()).toEqual(new Set([deviceKeyHash('dev-a'), deviceKeyHash('dev-b')]));
    expect(await store.listObjects(deviceKeyHash('dev-a'))).toEqual([a]);
    expect((await store.read(a)).deviceId).toBe('dev-a');
    await store.delete(a);
    expect(calls.at(-1)).toEqual({ op: 'delete', name: a, options: { ignoreNotFound: true } });
    expect(await store.quarantine(b)).toBe(b.replace(/^spill\//, 'spill-quarantine/'));
    expect(await store.listDeviceHashes()).toEqual(new Set());
  });
});
