/** The data files load, validate, carry provenance on every figure, and unpriced regions stay unpriced. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_DIR, DataFileError, loadVerifierData, VerifierData } from '../../../../verification/data';
import { loadUsageFile, parseUsage } from '../../../../verification/analyses/usage';
import { InputError } from '../../../../verification/engine/errors';

describe('verifier data files', () => {
  const data = loadVerifierData();

  test('prices by region, with every-region prices for global SKUs', () => {
    expect(data.price('bigtable.node-hour', 'us-central1')?.value).toBe(0.65);
    expect(data.price('pubsub.throughput', 'asia-east1')?.value).toBe(40); // "*" applies everywhere
    expect(data.price('bigtable.node-hour', 'asia-east1')).toBeUndefined(); // unpriced, never 0
  });

  test('every entry names an https source, a date and a confidence', () => {
    for (const file of ['prices.json', 'slas.json', 'performance.json', 'limits.json', 'dr.json', 'units.json']) {
      const doc = JSON.parse(readFileSync(join(DATA_DIR, file), 'utf8')) as { entries: { source: string; asOf: string; confidence: string }[] };
      for (const e of doc.entries) {
        expect(e.source).toMatch(/^https:\/\//);
        expect(e.asOf).toMatch(/^\d{4}(-\d{2}(-\d{2})?)?$/);
        expect(['V', 'S', 'U']).toContain(e.confidence);
      }
    }
  });

  test('unconfirmed estimates are marked U with a note', () => {
    expect(data.hop('pubsub-delivery').confidence).toBe('U');
    expect(data.hop('pubsub-delivery').note).toMatch(/estimate/);
    expect(data.price('network.inter-region.between.europe.north-america', '*')?.confidence).toBe('U');
  });

  test('inter-region rates exist per continent pair only: no rate for Asia <-> North America (unpriced, not the Europe estimate)', () => {
    expect(data.findPrice('network.inter-region.between.europe.north-america', '*')?.value).toBe(0.05);
    expect(data.findPrice('network.inter-region.between.asia.north-america', '*')).toBeUndefined();
    expect(() => data.price('network.inter-region.between.asia.north-america', '*')).toThrow(DataFileError);
  });

  test('Bigtable SSD reads per node match the fact sheet (14,000, not the unsourced 17,000)', () => {
    expect(data.perf('bigtable.read-rows-per-node.SSD')).toMatchObject({ value: 14_000, confidence: 'V' });
  });

  test('limits the code used to hard-wire: dead-letter attempts, Bigtable minimum nodes, backup frequency', () => {
    expect([data.limit('pubsub.dead-letter-min-attempts').value, data.limit('pubsub.dead-letter-max-attempts').value, data.limit('pubsub.dead-letter-default-attempts').value]).toEqual([5, 100, 5]);
    expect(data.limit('bigtable.min-nodes-per-cluster').value).toBe(1);
    expect(data.limit('bigtable.automated-backup-frequency-default-seconds').value).toBe(86_400);
  });

  test('machine types and runtimes', () => {
    expect(data.machineType('n1-standard-4')).toEqual({ name: 'n1-standard-4', vcpu: 4, memoryGiB: 15 });
    expect(data.runtimes.runtimes.nodejs20.decommissioned).toBe('2026-10-30');
  });

  test('a broken data file is one clear error naming the file and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'data-'));
    cpSync(DATA_DIR, dir, { recursive: true, filter: (p) => !p.endsWith('.ts') });
    const prices = JSON.parse(readFileSync(join(dir, 'prices.json'), 'utf8'));
    delete prices.entries[0].source;
    writeFileSync(join(dir, 'prices.json'), JSON.stringify(prices));
    expect(() => new VerifierData(dir)).toThrow(DataFileError);
    expect(() => new VerifierData(dir)).toThrow(/prices.json: entries.0.source/);
  });
});

describe('usage overrides', () => {
  test('YAML keyed by address', () => {
    const dir = mkdtempSync(join(tmpdir(), 'usage-'));
    const path = join(dir, 'usage.yaml');
    writeFileSync(path, 'resources:\n  google_pubsub_topic.dead_letter:\n    eventsPerSecond: 2\n');
    expect(loadUsageFile(path).resources['google_pubsub_topic.dead_letter']).toEqual({ eventsPerSecond: 2 });
  });

  test('an unknown field or a negative number is a one-line input error', () => {
    expect(() => parseUsage({ resources: { a: { eventsPerSecond: -1 } } }, 'u.yaml')).toThrow(InputError);
    expect(() => parseUsage({ resources: { a: { bogus: 1 } } }, 'u.yaml')).toThrow(/u.yaml: invalid usage file at resources.a/);
  });
});
