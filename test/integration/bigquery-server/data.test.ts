/**
 * Rows in and out: insertAll semantics, exact type round trips, tabledata.list paging and
 * timestamp formats, through the real @google-cloud/bigquery client.
 */
import type { Dataset, Table } from '@google-cloud/bigquery';

/** big.js values as the client returns NUMERIC/BIGNUMERIC (the package ships no types). */
type Big = { toFixed(): string };
import { bigQueryClient, itOnLocalServer, rejection, uniqueDatasetId } from './client';

const bq = bigQueryClient();
let dataset: Dataset;

beforeAll(async () => {
  [dataset] = await bq.createDataset(uniqueDatasetId('data'));
});
afterAll(async () => {
  await dataset.delete({ force: true });
});

const allTypes = {
  fields: [
    { name: 'id', type: 'STRING', mode: 'REQUIRED' },
    { name: 'ts', type: 'TIMESTAMP' },
    { name: 'd', type: 'DATE' },
    { name: 'dt', type: 'DATETIME' },
    { name: 't', type: 'TIME' },
    { name: 'num', type: 'NUMERIC' },
    { name: 'bignum', type: 'BIGNUMERIC' },
    { name: 'i', type: 'INT64' },
    { name: 'f', type: 'FLOAT64' },
    { name: 'b', type: 'BOOL' },
    { name: 'bytes', type: 'BYTES' },
    { name: 'j', type: 'JSON' },
    { name: 'tags', type: 'STRING', mode: 'REPEATED' },
    { name: 'rec', type: 'RECORD', fields: [{ name: 'x', type: 'INT64' }, { name: 'ys', type: 'FLOAT64', mode: 'REPEATED' }, { name: 'inner', type: 'RECORD', fields: [{ name: 'z', type: 'STRING' }] }] },
    { name: 'recs', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'k', type: 'STRING' }, { name: 'v', type: 'NUMERIC' }] },
  ],
};

const fullRow = {
  id: 'full',
  ts: '2026-12-03T10:11:12.123456Z',
  d: '2026-12-03',
  dt: '2026-12-03T10:11:12.654321',
  t: '23:59:58.000001',
  num: '-12345678901234567890.123456789',
  bignum: '1234567890123456789012345678901234567.12345678901234567890123456789',
  i: '9223372036854775807',
  f: 0.1,
  b: false,
  bytes: Buffer.from([0, 1, 2, 250, 255]).toString('base64'),
  j: { a: [1, 2, { b: null }], s: 'x' },
  tags: [],
  rec: { x: -5, ys: [1.5, -2.25], inner: { z: 'deep' } },
  recs: [
    { k: 'a', v: '0.000000001' },
    { k: 'b', v: null },
  ],
};

async function tableWith(name: string, schema = allTypes): Promise<Table> {
  const [table] = await dataset.createTable(name, { schema });
  return table;
}

describe('type round trips', () => {
  let table: Table;
  beforeAll(async () => {
    table = await tableWith('types');
    await table.insert([fullRow, { id: 'nulls' }]);
  });

  it('returns every type exactly through getRows (integer-microsecond timestamps, the client default)', async () => {
    const [rows] = await table.getRows({ wrapIntegers: true });
    const full = rows.find((r) => r.id === 'full')!;
    expect(full.ts.value).toBe('2026-12-03T10:11:12.123456000Z');
    expect(full.d.value).toBe('2026-12-03');
    expect(full.dt.value).toBe('2026-12-03T10:11:12.654321');
    expect(full.t.value).toBe('23:59:58.000001');
    expect((full.num as Big).toFixed()).toBe('-12345678901234567890.123456789');
    expect((full.bignum as Big).toFixed()).toBe('1234567890123456789012345678901234567.12345678901234567890123456789');
    expect(full.i.value).toBe('9223372036854775807');
    expect(full.f).toBe(0.1);
    expect(full.b).toBe(false);
    expect([...(full.bytes as Buffer)]).toEqual([0, 1, 2, 250, 255]);
    expect(JSON.parse(full.j)).toEqual({ a: [1, 2, { b: null }], s: 'x' });
    expect(full.tags).toEqual([]);
    expect(full.rec.x.value).toBe('-5');
    expect(full.rec.ys).toEqual([1.5, -2.25]);
    expect(full.rec.inner).toEqual({ z: 'deep' });
    expect(full.recs.map((r: { k: string; v: Big | null }) => [r.k, r.v === null ? null : r.v.toFixed()])).toEqual([
      ['a', '0.000000001'],
      ['b', null],
    ]);
  });

  it('keeps NULLs as null and an absent REPEATED field as an empty array', async () => {
    const [rows] = await table.getRows();
    const nulls = rows.find((r) => r.id === 'nulls')!;
    expect(nulls.ts).toBeNull();
    expect(nulls.num).toBeNull();
    expect(nulls.rec).toBeNull();
    expect(nulls.tags).toEqual([]);
    expect(nulls.recs).toEqual([]);
  });

  it('writes timestamps as ISO 8601 when asked (ISO8601_STRING) and as seconds otherwise', async () => {
    const [iso] = await table.getRows({ 'formatOptions.timestampOutputFormat': 'ISO8601_STRING' } as object);
    expect(iso.find((r) => r.id === 'full')!.ts.value).toBe('2026-12-03T10:11:12.123456000Z');
    const raw = await (await fetch(`${process.env.BIGQUERY_EMULATOR_HOST}/projects/${bq.projectId}/datasets/${dataset.id}/tables/types/data?selectedFields=ts&formatOptions.timestampOutputFormat=ISO8601_STRING`)).json();
    expect(raw.rows.map((r: { f: { v: unknown }[] }) => r.f[0].v)).toContain('2026-12-03T10:11:12.123456Z');
    const res = await fetch(`${process.env.BIGQUERY_EMULATOR_HOST}/projects/${bq.projectId}/datasets/${dataset.id}/tables/types/data?selectedFields=id,ts&formatOptions.useInt64Timestamp=false`);
    const body = await res.json();
    const cells = body.rows.map((r: { f: { v: unknown }[] }) => r.f.map((c) => c.v));
    // 2026-12-03T10:11:12.123456Z = 1796292672 s + 123456 us.
    expect(cells).toContainEqual(['full', '1796292672.123456']);
    const int64 = await (await fetch(`${process.env.BIGQUERY_EMULATOR_HOST}/projects/${bq.projectId}/datasets/${dataset.id}/tables/types/data?selectedFields=ts&formatOptions.useInt64Timestamp=true`)).json();
    expect(int64.rows.map((r: { f: { v: unknown }[] }) => r.f[0].v)).toContain('1796292672123456');
  });

  it('returns the same values from a query (jobs.query and getQueryResults)', async () => {
    // The same row in a table without the BIGNUMERIC column, which queries cannot read locally (next test).
    const queryable = await tableWith('types_q', { fields: allTypes.fields.filter((f) => f.type !== 'BIGNUMERIC') });
    const { bignum: _bignum, ...queryableRow } = fullRow;
    await queryable.insert([queryableRow]);
    const [rows] = await bq.query({ query: `SELECT * FROM \`${bq.projectId}.${dataset.id}.types_q\` WHERE id = 'full'`, wrapIntegers: true });
    const full = rows[0];
    expect(full.ts.value).toBe('2026-12-03T10:11:12.123456000Z');
    expect(full.dt.value).toBe('2026-12-03T10:11:12.654321');
    expect((full.num as Big).toFixed()).toBe('-12345678901234567890.123456789');
    expect(full.i.value).toBe('9223372036854775807');
    expect(full.tags).toEqual([]);
    expect(full.rec.inner).toEqual({ z: 'deep' });
    expect(JSON.parse(full.j)).toEqual({ a: [1, 2, { b: null }], s: 'x' });
    // The JSON type survives into the result schema.
    const [job] = await bq.createQueryJob({ query: `SELECT j, tags, rec FROM \`${bq.projectId}.${dataset.id}.types_q\`` });
    const [, , response] = await job.getQueryResults({ autoPaginate: false });
    expect(response!.schema!.fields!.map((f) => `${f.name}:${f.type}:${f.mode}`)).toEqual(['j:JSON:NULLABLE', 'tags:STRING:REPEATED', 'rec:RECORD:NULLABLE']);
  });

  itOnLocalServer('refuses, with 501 notImplemented, a query on a table with a BIGNUMERIC or GEOGRAPHY column and a BIGNUMERIC in SQL', async () => {
    const table = `\`${bq.projectId}.${dataset.id}.types\``;
    for (const query of [`SELECT bignum FROM ${table}`, `SELECT id FROM ${table}`, `SELECT SUM(bignum) AS s FROM ${table}`]) {
      const err = await rejection(bq.query(query));
      expect([err.code, err.errors?.[0].reason]).toEqual([501, 'notImplemented']);
      expect(err.message).toBe(
        `Table ${bq.projectId}:${dataset.id}.types cannot be queried on the local server: its BIGNUMERIC column bignum is kept as exact text (insertAll and tabledata.list round-trip it), and the local server cannot compute with BIGNUMERIC. Query a copy without it, or use NUMERIC or STRING locally.`,
      );
    }
    const geo = await tableWith('places', { fields: [{ name: 'id', type: 'STRING' }, { name: 'where', type: 'RECORD', fields: [{ name: 'point', type: 'GEOGRAPHY' }] }] } as typeof allTypes);
    await geo.insert([{ id: 'p', where: { point: 'POINT(1 2)' } }]);
    const [geoRows] = await geo.getRows();
    expect(geoRows.map((r) => [r.id, r.where.point.value])).toEqual([['p', 'POINT(1 2)']]);
    const err = await rejection(bq.query(`SELECT id FROM \`${bq.projectId}.${dataset.id}.places\``));
    expect(err.message).toMatch(/its GEOGRAPHY column where\.point is kept as exact text/);
    for (const query of ["SELECT BIGNUMERIC '1.5' AS b", "SELECT CAST('1.5' AS BIGNUMERIC) AS b", "SELECT CAST(NULL AS GEOGRAPHY) AS g"]) {
      const literal = await rejection(bq.query(query));
      expect([literal.code, literal.message]).toEqual([501, expect.stringMatching(/^(BIGNUMERIC|GEOGRAPHY) is not supported in queries by the local server/)]);
    }
  });

  it('accepts timestamps as seconds since the epoch and with zone offsets', async () => {
    const table2 = await tableWith('ts_forms', { fields: [{ name: 'id', type: 'STRING', mode: 'REQUIRED' }, { name: 'ts', type: 'TIMESTAMP' }] } as typeof allTypes);
    await table2.insert([
      { id: 'seconds', ts: 1796292672.5 },
      { id: 'offset', ts: '2026-12-03 12:11:12.000001+02:00' },
      { id: 'utc', ts: '2026-12-03 10:11:12 UTC' },
    ]);
    const raw = await (await fetch(`${process.env.BIGQUERY_EMULATOR_HOST}/projects/${bq.projectId}/datasets/${dataset.id}/tables/ts_forms/data?formatOptions.timestampOutputFormat=ISO8601_STRING`)).json();
    const byId = Object.fromEntries(raw.rows.map((r: { f: { v: string }[] }) => [r.f[0].v, r.f[1].v]));
    expect(byId).toEqual({ seconds: '2026-12-03T10:11:12.500000Z', offset: '2026-12-03T10:11:12.000001Z', utc: '2026-12-03T10:11:12.000000Z' });
  });
});

describe('insertAll', () => {
  const small = { fields: [{ name: 'id', type: 'STRING', mode: 'REQUIRED' }, { name: 'n', type: 'INT64' }, { name: 'rec', type: 'RECORD', fields: [{ name: 'a', type: 'STRING' }] }] } as typeof allTypes;

  it('reports per-row errors in BigQuery\'s shape and stores nothing when a row is invalid', async () => {
    const table = await tableWith('partial', small);
    const err = (await rejection(table.insert([{ id: 'ok1', n: 1 }, { id: 'bad', n: 'twelve' }, { n: 3 }, { id: 'ok2' }], { partialRetries: 0 }))) as unknown as {
      name: string;
      errors: { row: { id?: string }; errors: { reason: string; message: string }[] }[];
      response: { insertErrors: { index: number; errors: { reason: string; location: string; message: string }[] }[] };
    };
    expect(err.name).toBe('PartialFailureError');
    expect(err.response.insertErrors).toEqual([
      { index: 0, errors: [{ reason: 'stopped', location: '', debugInfo: '', message: '' }] },
      { index: 1, errors: [{ reason: 'invalid', location: 'n', debugInfo: '', message: 'Cannot convert value to integer (bad value): twelve' }] },
      { index: 2, errors: [{ reason: 'invalid', location: 'id', debugInfo: '', message: 'Missing required field: id.' }] },
      { index: 3, errors: [{ reason: 'stopped', location: '', debugInfo: '', message: '' }] },
    ]);
    const [rows] = await table.getRows();
    expect(rows).toEqual([]);
  });

  it('stores the valid rows and reports only the invalid ones with skipInvalidRows', async () => {
    const table = await tableWith('skip', small);
    const err = (await rejection(table.insert([{ id: 'ok1', n: 1 }, { id: 'bad', n: 'x' }, { id: 'ok2', n: 2 }], { skipInvalidRows: true, partialRetries: 0 }))) as unknown as {
      response: { insertErrors: { index: number }[] };
    };
    expect(err.response.insertErrors.map((e) => e.index)).toEqual([1]);
    const [rows] = await table.getRows();
    expect(rows.map((r) => r.id).sort()).toEqual(['ok1', 'ok2']);
  });

  it('rejects unknown fields, top-level and nested, unless ignoreUnknownValues is set', async () => {
    const table = await tableWith('unknown', small);
    const err = (await rejection(table.insert([{ id: 'u', extra: 1, rec: { a: 'x', b: 2 } }], { partialRetries: 0 }))) as unknown as {
      response: { insertErrors: { index: number; errors: { location: string; message: string }[] }[] };
    };
    expect(err.response.insertErrors[0].errors.map((e) => [e.location, e.message])).toEqual([
      ['extra', 'no such field: extra.'],
      ['rec.b', 'no such field: rec.b.'],
    ]);
    await table.insert([{ id: 'u', extra: 1, rec: { a: 'x', b: 2 } }], { ignoreUnknownValues: true });
    const [rows] = await table.getRows();
    expect(rows).toEqual([{ id: 'u', n: null, rec: { a: 'x' } }]);
  });

  it('stores a row once when the same insertId arrives again (in one request or a retry)', async () => {
    const table = await tableWith('dedup', small);
    const rows = [
      { insertId: 'evt-1', json: { id: 'evt-1', n: 1 } },
      { insertId: 'evt-2', json: { id: 'evt-2', n: 2 } },
      { insertId: 'evt-1', json: { id: 'evt-1', n: 1 } },
    ];
    await table.insert(rows, { raw: true });
    await table.insert(rows.slice(0, 2), { raw: true });
    await table.insert([{ json: { id: 'no-id', n: 3 } }, { json: { id: 'no-id', n: 3 } }], { raw: true });
    const [stored] = await table.getRows();
    // evt-1 and evt-2 once each; rows without insertId are never de-duplicated (2 rows).
    expect(stored.map((r) => r.id).sort()).toEqual(['evt-1', 'evt-2', 'no-id', 'no-id']);
  });

  it('answers 400 for a request without rows and 404 for a missing table', async () => {
    const table = await tableWith('empty_req', small);
    const res = await fetch(`${process.env.BIGQUERY_EMULATOR_HOST}/projects/${bq.projectId}/datasets/${dataset.id}/tables/empty_req/insertAll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: [] }) });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe('No rows present in the request.');
    const missing = await rejection(dataset.table('nope').insert([{ id: 'x' }]));
    expect(missing.code).toBe(404);
    expect(table.id).toBe('empty_req');
  });

  itOnLocalServer('refuses an insertAll over BigQuery\'s limits: more than 10 MB (413) or 50,000 rows (400), the status in the body too', async () => {
    await tableWith('limits', small);
    const url = `${process.env.BIGQUERY_EMULATOR_HOST}/projects/${bq.projectId}/datasets/${dataset.id}/tables/limits/insertAll`;
    const post = (body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const big = await post(JSON.stringify({ rows: [{ json: { id: 'x'.repeat(10 * 1024 * 1024) } }] }));
    expect(big.status).toBe(413);
    expect((await big.json()).error).toMatchObject({ code: 413, message: 'Request payload size exceeds the limit: 10485760 bytes.' });
    const many = await post(JSON.stringify({ rows: Array.from({ length: 50_001 }, (_, i) => ({ json: { id: String(i) } })) }));
    expect(many.status).toBe(400);
    expect((await many.json()).error.message).toBe('too many rows present in the request, limit: 50000 row count: 50001.');
    const [rows] = await dataset.table('limits').getRows();
    expect(rows).toEqual([]);
  });
});

describe('tabledata.list paging', () => {
  it('pages 25 rows 10 at a time with page tokens, in insertion order', async () => {
    const table = await tableWith('paged', { fields: [{ name: 'n', type: 'INT64' }] } as typeof allTypes);
    await table.insert(Array.from({ length: 25 }, (_, n) => ({ n })));
    const pages: number[][] = [];
    let query: object | null = { maxResults: 10, autoPaginate: false };
    while (query) {
      const [rows, next, response] = (await table.getRows(query)) as unknown as [{ n: number }[], object | null, { totalRows: string }];
      expect(response.totalRows).toBe('25');
      pages.push(rows.map((r) => r.n));
      query = next;
    }
    // 25 rows at 10 per page: 10 + 10 + 5.
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(Array.from({ length: 25 }, (_, n) => n));
    const [all] = await table.getRows();
    expect(all).toHaveLength(25);
    const [fromIndex] = await table.getRows({ startIndex: '20', autoPaginate: false } as object);
    expect(fromIndex.map((r) => r.n)).toEqual([20, 21, 22, 23, 24]);
  });
});
