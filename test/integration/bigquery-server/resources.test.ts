/**
 * Datasets and tables through the real @google-cloud/bigquery client, and the error shapes.
 */
import type { Dataset } from '@google-cloud/bigquery';
import { PROJECT, bigQueryClient, itOnLocalServer, rejection, uniqueDatasetId } from './client';

const bq = bigQueryClient();

describe('datasets', () => {
  it('creates, gets, lists, patches and deletes a dataset', async () => {
    const id = uniqueDatasetId('ds');
    const [dataset] = await bq.createDataset(id, { location: 'EU', labels: { env: 'dev' }, description: 'first' });
    const [meta] = await dataset.getMetadata();
    expect(meta.id).toBe(`${PROJECT}:${id}`);
    expect(meta.datasetReference).toEqual({ projectId: PROJECT, datasetId: id });
    expect(meta.location).toBe('EU');
    expect(meta.labels).toEqual({ env: 'dev' });

    const [all] = await bq.getDatasets();
    expect(all.map((d) => d.id)).toContain(id);
    const [filtered] = await bq.getDatasets({ filter: 'labels.env:dev' });
    expect(filtered.map((d) => d.id)).toContain(id);
    const [none] = await bq.getDatasets({ filter: 'labels.env:prod' });
    expect(none.map((d) => d.id)).not.toContain(id);

    await dataset.setMetadata({ description: 'second' });
    const [patched] = await dataset.getMetadata();
    expect(patched.description).toBe('second');
    expect(patched.labels).toEqual({ env: 'dev' });

    await dataset.delete();
    const [exists] = await dataset.exists();
    expect(exists).toBe(false);
  });

  it('answers 409 duplicate for an existing dataset and 404 notFound for a missing one', async () => {
    const id = uniqueDatasetId('dup');
    await bq.createDataset(id);
    const dup = await rejection(bq.createDataset(id));
    expect(dup.code).toBe(409);
    expect(dup.errors?.[0].reason).toBe('duplicate');
    expect(dup.message).toBe(`Already Exists: Dataset ${PROJECT}:${id}`);

    const missing = await rejection(bq.dataset('no_such_dataset_x').getMetadata());
    expect(missing.code).toBe(404);
    expect(missing.errors?.[0].reason).toBe('notFound');
    expect(missing.message).toBe(`Not found: Dataset ${PROJECT}:no_such_dataset_x`);
    await bq.dataset(id).delete({ force: true });
  });

  it('refuses to delete a dataset with tables unless deleteContents is set', async () => {
    const id = uniqueDatasetId('inuse');
    const [dataset] = await bq.createDataset(id);
    await dataset.createTable('t', { schema: 'a:STRING' });
    const err = await rejection(dataset.delete());
    expect(err.code).toBe(400);
    expect(err.errors?.[0].reason).toBe('resourceInUse');
    await dataset.delete({ force: true });
    expect((await dataset.exists())[0]).toBe(false);
    expect((await dataset.table('t').exists())[0]).toBe(false);
  });

  it('rejects an invalid dataset id with 400 invalid', async () => {
    const err = await rejection(bq.createDataset('bad-id!'));
    expect(err.code).toBe(400);
    expect(err.errors?.[0].reason).toBe('invalid');
  });

  it('returns BigQuery\'s REST error body shape', async () => {
    const res = await fetch(`${process.env.BIGQUERY_EMULATOR_HOST}/projects/${PROJECT}/datasets/nope_nope`);
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body).toEqual({
      error: {
        code: 404,
        message: `Not found: Dataset ${PROJECT}:nope_nope`,
        errors: [{ domain: 'global', reason: 'notFound', message: `Not found: Dataset ${PROJECT}:nope_nope` }],
        status: 'NOT_FOUND',
      },
    });
  });

  itOnLocalServer('serves the same API under /bigquery/v2 (the apiEndpoint form)', async () => {
    const res = await fetch(`${process.env.BIGQUERY_EMULATOR_HOST}/bigquery/v2/projects/${PROJECT}/datasets`);
    expect(res.status).toBe(200);
    expect((await res.json()).kind).toBe('bigquery#datasetList');
  });
});

describe('tables', () => {
  let dataset: Dataset;
  beforeAll(async () => {
    [dataset] = await bq.createDataset(uniqueDatasetId('tables'));
  });
  afterAll(async () => {
    await dataset.delete({ force: true });
  });

  const schema = {
    fields: [
      { name: 'event_id', type: 'STRING', mode: 'REQUIRED' },
      { name: 'device_id', type: 'STRING', mode: 'REQUIRED' },
      { name: 'event_time', type: 'TIMESTAMP', mode: 'REQUIRED' },
      { name: 'value', type: 'FLOAT64' },
      { name: 'count', type: 'INT64' },
    ],
  };

  it('creates a table with schema, partitioning, clustering and expiration and reads them back', async () => {
    const expiration = Date.now() + 3_600_000;
    const [table] = await dataset.createTable('events', {
      schema,
      timePartitioning: { type: 'DAY', field: 'event_time', expirationMs: '2592000000' },
      clustering: { fields: ['device_id', 'event_id'] },
      expirationTime: String(expiration),
      description: 'raw events',
      labels: { component: 'cold' },
    });
    const [meta] = await table.getMetadata();
    expect(meta.id).toBe(`${PROJECT}:${dataset.id}.events`);
    expect(meta.type).toBe('TABLE');
    // BigQuery answers with the legacy type names.
    expect(meta.schema.fields.map((f: { name: string; type: string; mode: string }) => `${f.name}:${f.type}:${f.mode}`)).toEqual([
      'event_id:STRING:REQUIRED',
      'device_id:STRING:REQUIRED',
      'event_time:TIMESTAMP:REQUIRED',
      'value:FLOAT:NULLABLE',
      'count:INTEGER:NULLABLE',
    ]);
    expect(meta.timePartitioning).toEqual({ type: 'DAY', field: 'event_time', expirationMs: '2592000000' });
    expect(meta.clustering).toEqual({ fields: ['device_id', 'event_id'] });
    expect(meta.expirationTime).toBe(String(expiration));
    expect(meta.labels).toEqual({ component: 'cold' });
    expect(meta.numRows).toBe('0');

    const [tables] = await dataset.getTables();
    expect(tables.map((t) => t.id)).toEqual(['events']);
  });

  it('answers 409 for a duplicate table and 404 for a missing one', async () => {
    await dataset.createTable('dup_table', { schema });
    const dup = await rejection(dataset.createTable('dup_table', { schema }));
    expect(dup.code).toBe(409);
    expect(dup.message).toBe(`Already Exists: Table ${PROJECT}:${dataset.id}.dup_table`);
    const missing = await rejection(dataset.table('missing_table').getMetadata());
    expect(missing.code).toBe(404);
    expect(missing.message).toBe(`Not found: Table ${PROJECT}:${dataset.id}.missing_table`);
  });

  it('validates partitioning and clustering fields', async () => {
    const badPartition = await rejection(dataset.createTable('bad_p', { schema, timePartitioning: { type: 'DAY', field: 'value' } }));
    expect(badPartition.code).toBe(400);
    expect(badPartition.message).toMatch(/TIMESTAMP, DATE or DATETIME/);
    const badCluster = await rejection(dataset.createTable('bad_c', { schema, clustering: { fields: ['nope'] } }));
    expect(badCluster.code).toBe(400);
    expect(badCluster.message).toMatch(/Invalid field: nope/);
  });

  it('patches a table: adds a column, relaxes REQUIRED, changes description; refuses a type change', async () => {
    const [table] = await dataset.createTable('patched', { schema });
    const [meta] = await table.getMetadata();
    const fields = meta.schema.fields.map((f: { name: string; mode: string }) => (f.name === 'device_id' ? { ...f, mode: 'NULLABLE' } : f));
    await table.setMetadata({ schema: { fields: [...fields, { name: 'note', type: 'STRING' }] }, description: 'v2' });
    const [after] = await table.getMetadata();
    expect(after.description).toBe('v2');
    expect(after.schema.fields.map((f: { name: string; mode: string }) => `${f.name}:${f.mode}`)).toContain('note:NULLABLE');
    expect(after.schema.fields.find((f: { name: string }) => f.name === 'device_id').mode).toBe('NULLABLE');
    await table.insert([{ event_id: 'e1', event_time: '2026-01-01T00:00:00Z', note: 'hello' }]);
    const [rows] = await table.getRows();
    expect(rows[0].note).toBe('hello');
    expect(rows[0].device_id).toBeNull();

    const changed = after.schema.fields.map((f: { name: string }) => (f.name === 'count' ? { ...f, type: 'STRING' } : f));
    const err = await rejection(table.setMetadata({ schema: { fields: changed } }));
    expect(err.code).toBe(400);
    expect(err.message).toMatch(/Field count has changed type from INTEGER to STRING/);
  });

  it('deletes a table', async () => {
    const [table] = await dataset.createTable('to_delete', { schema });
    await table.delete();
    expect((await table.exists())[0]).toBe(false);
    const err = await rejection(table.delete());
    expect(err.code).toBe(404);
  });

  it('treats a table past its expiration time as gone', async () => {
    const [table] = await dataset.createTable('expiring', { schema, expirationTime: String(Date.now() + 1500) });
    expect((await table.exists())[0]).toBe(true);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await table.exists())[0]).toBe(false);
  });

  it('creates a view from tables.insert and queries through it', async () => {
    const [base] = await dataset.createTable('view_base', { schema });
    await base.insert([
      { event_id: 'a', device_id: 'd1', event_time: '2026-01-01T00:00:00Z', value: 1 },
      { event_id: 'b', device_id: 'd2', event_time: '2026-01-01T00:00:00Z', value: 2 },
    ]);
    const [view] = await dataset.createTable('d1_only', { view: { query: `SELECT event_id, value FROM \`${PROJECT}.${dataset.id}.view_base\` WHERE device_id = 'd1'`, useLegacySql: false } });
    const [meta] = await view.getMetadata();
    expect(meta.type).toBe('VIEW');
    expect(meta.schema.fields.map((f: { name: string; type: string }) => `${f.name}:${f.type}`)).toEqual(['event_id:STRING', 'value:FLOAT']);
    const [rows] = await bq.query(`SELECT * FROM \`${PROJECT}.${dataset.id}.d1_only\``);
    expect(rows).toEqual([{ event_id: 'a', value: 1 }]);
  });
});
