/**
 * The archive worker against BigQuery tables provisioned from the REAL synth output (dev
 * environment, `stacks/main.ts`), not from the data plane's own schema copy: if the stacks'
 * table schemas and the rows the worker writes ever drift apart, the BigQuery server refuses
 * the rows, the worker nacks, and this test fails.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildUdf } from '../../../functions/udf/build';
import { Archiver, type ArchiveMessage } from '../../../functions/archive-worker/archiver';
import { loadUdf } from '../../../functions/archive-worker/udf-runner';
import { loadArchiveConfig } from '../../../functions/archive-worker/config';
import { createLogger } from '../../../functions/shared/logger';
import { synthesize } from '../../../local/run/cloud';
import { provisionLocalCloud } from '../../../local/provision';
import { bigQueryAt } from '../../../local/provision/bigquery';
import { loadInput } from '../../../verification/graph';

jest.setTimeout(240_000);

interface Settled {
  acked: string[];
  nacked: string[];
}

function message(id: string, body: unknown, settled: Settled, attributes: Record<string, string> = {}): ArchiveMessage {
  return {
    id,
    data: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    attributes,
    ack: () => settled.acked.push(id),
    nack: () => settled.nacked.push(id),
  };
}

describe('archive worker rows against the tables provisioned from the synth output', () => {
  let projectId: string;
  let bigquery: ReturnType<typeof bigQueryAt>;
  let udfPath: string;
  const defaults = loadArchiveConfig({ GOOGLE_CLOUD_PROJECT: 'p' });

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'archive-synth-'));
    const { stackDir } = await synthesize('dev', out);
    const graph = loadInput(stackDir);
    // Only BigQuery: the other emulators are not what this test is about.
    graph.resources = graph.resources.filter((r) => r.type.startsWith('google_bigquery_'));
    const report = await provisionLocalCloud({ input: graph, endpoints: { bigquery: process.env.BIGQUERY_EMULATOR_HOST! } });
    projectId = report.projectId;
    bigquery = bigQueryAt(process.env.BIGQUERY_EMULATOR_HOST!, projectId);
    udfPath = buildUdf(join(out, 'udf', 'transform.js'));
  });

  it('the worker defaults name tables the synth provisions', async () => {
    const [tables] = await bigquery.dataset(defaults.BIGQUERY_DATASET).getTables();
    const names = tables.map((t) => t.id);
    expect(names).toEqual(expect.arrayContaining([defaults.BIGQUERY_EVENTS_TABLE, defaults.BIGQUERY_ARCHIVE_ERROR_TABLE]));
  });

  it('archives valid events and writes failed rows in the provisioned error-record shape, nacking nothing', async () => {
    const dataset = bigquery.dataset(defaults.BIGQUERY_DATASET);
    const settled: Settled = { acked: [], nacked: [] };
    const archiver = new Archiver({
      transform: loadUdf(udfPath),
      eventsTable: dataset.table(defaults.BIGQUERY_EVENTS_TABLE),
      deadLetterTable: dataset.table(defaults.BIGQUERY_ARCHIVE_ERROR_TABLE),
      logger: createLogger('archive-test', 'silent'),
      maxBatchDelayMs: 5,
      splitBatches: true,
    });
    const t = Date.now() - 60_000;
    const tag = `prov-${Date.now().toString(36)}`;
    const ev = (n: number) => ({ eventId: `${tag}-${n}`, deviceId: `${tag}-dev`, type: 'reading', eventTime: new Date(t + n).toISOString(), metrics: { temp: n }, attributes: {} });
    archiver.handle(message('m1', ev(1), settled, { eventId: `${tag}-1` }));
    archiver.handle(message('m2', { events: [ev(2), ev(3)] }, settled));
    archiver.handle(message('m3', { ...ev(4), deviceId: 'bad device' }, settled));
    archiver.handle(message('m4', '{ not json', settled, { origin: 'test' }));
    await archiver.drain();

    expect(settled.nacked).toEqual([]);
    expect(settled.acked.sort()).toEqual(['m1', 'm2', 'm3', 'm4']);
    // 3 valid events (1 single + 2 of the split batch); 2 failures (bad device id, not JSON).
    expect(archiver.counters).toMatchObject({ rowsInserted: 3, deadLettered: 2, nacked: 0 });

    const [raw] = await dataset.query(`SELECT event_id FROM \`${defaults.BIGQUERY_DATASET}.${defaults.BIGQUERY_EVENTS_TABLE}\` WHERE device_id = '${tag}-dev' ORDER BY event_id`);
    expect(raw.map((r: { event_id: string }) => r.event_id)).toEqual([`${tag}-1`, `${tag}-2`, `${tag}-3`]);
    const [errors] = await dataset.query(
      `SELECT payloadString, errorMessage FROM \`${defaults.BIGQUERY_DATASET}.${defaults.BIGQUERY_ARCHIVE_ERROR_TABLE}\` WHERE payloadString LIKE '%${tag}%' OR payloadString = '{ not json'`,
    );
    expect(errors).toHaveLength(2);
    expect(errors.map((r: { errorMessage: string }) => r.errorMessage).join('\n')).toMatch(/deviceId/);
  });
});
