/**
 * A file-backed server keeps datasets, tables (with their metadata) and rows across restarts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BigQuery } from '@google-cloud/bigquery';
import { startBigQueryServer } from '../../../local/bigquery-server';
import { bigQueryAt } from '../../../local/provision/bigquery';

describe('BigQuery server persistence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bq-persist-'));
  const dbPath = join(dir, 'local.duckdb');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function withServer<T>(fn: (bq: BigQuery) => Promise<T>): Promise<T> {
    const server = await startBigQueryServer({ dbPath });
    try {
      return await fn(bigQueryAt(server.endpoint, 'persist'));
    } finally {
      await server.close();
    }
  }

  it('reopens the DuckDB file with the same datasets, table metadata and rows', async () => {
    await withServer(async (bq) => {
      const [dataset] = await bq.createDataset('kept', { labels: { k: 'v' } });
      const [table] = await dataset.createTable('events', {
        schema: { fields: [{ name: 'id', type: 'STRING' }, { name: 'ts', type: 'TIMESTAMP' }] },
        timePartitioning: { type: 'DAY', field: 'ts' },
      });
      await table.insert([{ id: 'a', ts: '2026-12-03T00:00:00.000001Z' }]);
    });
    await withServer(async (bq) => {
      const [meta] = await bq.dataset('kept').getMetadata();
      expect(meta.labels).toEqual({ k: 'v' });
      const [tableMeta] = await bq.dataset('kept').table('events').getMetadata();
      expect(tableMeta.timePartitioning).toEqual({ type: 'DAY', field: 'ts' });
      const [rows] = await bq.dataset('kept').table('events').getRows();
      expect(rows.map((r) => [r.id, r.ts.value])).toEqual([['a', '2026-12-03T00:00:00.000001000Z']]);
    });
  });
});
