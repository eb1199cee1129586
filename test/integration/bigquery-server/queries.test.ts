/**
 * Query jobs: the GoogleSQL the project uses, translated to DuckDB, with parameters, paging,
 * DDL/DML for batch views, and errors in BigQuery's shape.
 */
import type { Dataset, Table } from '@google-cloud/bigquery';
import { PROJECT, bigQueryClient, rejection, uniqueDatasetId } from './client';

const bq = bigQueryClient();
let dataset: Dataset;
let events: Table;
let fq: string;

// 3 devices x 4 events: d1 has values 1,2,3,4 at 10:05, 10:20, 11:05, 11:50 on 2026-12-01.
const baseRows = ['d1', 'd2', 'd3'].flatMap((device, k) =>
  [
    ['10:05:00', 1],
    ['10:20:00', 2],
    ['11:05:00', 3],
    ['11:50:00', 4],
  ].map(([time, v], i) => ({
    event_id: `${device}-${i}`,
    device_id: device,
    event_time: `2026-12-01T${time}.000123Z`,
    value: (v as number) * (k + 1),
    metrics: [
      { name: 'temp', value: (v as number) + 0.5 },
      { name: 'hum', value: 40 },
    ],
  })),
);

beforeAll(async () => {
  [dataset] = await bq.createDataset(uniqueDatasetId('queries'));
  fq = `\`${PROJECT}.${dataset.id}.events\``;
  [events] = await dataset.createTable('events', {
    schema: {
      fields: [
        { name: 'event_id', type: 'STRING', mode: 'REQUIRED' },
        { name: 'device_id', type: 'STRING', mode: 'REQUIRED' },
        { name: 'event_time', type: 'TIMESTAMP', mode: 'REQUIRED' },
        { name: 'value', type: 'FLOAT64' },
        { name: 'metrics', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'name', type: 'STRING' }, { name: 'value', type: 'FLOAT64' }] },
      ],
    },
    timePartitioning: { type: 'DAY', field: 'event_time' },
  });
  await events.insert(baseRows);
});
afterAll(async () => {
  await dataset.delete({ force: true });
});

describe('GoogleSQL on the local server', () => {
  it('groups by hour with TIMESTAMP_TRUNC, COUNT/SUM/AVG/MIN/MAX and named parameters', async () => {
    const [rows] = await bq.query({
      query: `SELECT device_id, TIMESTAMP_TRUNC(event_time, HOUR) AS hour, COUNT(*) AS n, SUM(value) AS total, AVG(value) AS mean, MIN(value) AS lo, MAX(value) AS hi
              FROM ${fq} WHERE device_id = @device AND event_time >= @since GROUP BY device_id, hour ORDER BY hour`,
      params: { device: 'd2', since: bq.timestamp('2026-12-01T00:00:00Z') },
    });
    // d2 values are 2x: 2,4 in hour 10 and 6,8 in hour 11.
    expect(rows.map((r) => [r.device_id, r.hour.value, r.n, r.total, r.mean, r.lo, r.hi])).toEqual([
      ['d2', '2026-12-01T10:00:00.000Z', 2, 6, 3, 2, 4],
      ['d2', '2026-12-01T11:00:00.000Z', 2, 14, 7, 6, 8],
    ]);
  });

  it('supports positional parameters, TIMESTAMP_SUB, UNIX_MICROS and TIMESTAMP_MICROS', async () => {
    const [rows] = await bq.query({
      query: `SELECT event_id, UNIX_MICROS(event_time) AS us, TIMESTAMP_MICROS(UNIX_MICROS(event_time) + 1) AS next_us
              FROM ${fq} WHERE event_time > TIMESTAMP_SUB(?, INTERVAL 30 MINUTE) AND device_id = ? ORDER BY event_time`,
      params: [bq.timestamp('2026-12-01T11:30:00Z'), 'd1'],
    });
    // 11:30 - 30 min = 11:00, so the 11:05 and 11:50 events of d1.
    // 2026-12-01T11:05:00.000123Z = 1796123100 s, + 123 us.
    expect(rows.map((r) => r.event_id)).toEqual(['d1-2', 'd1-3']);
    expect(rows[0].us).toBe(1796123100000123);
    expect(rows[0].next_us.value).toBe('2026-12-01T11:05:00.000124000Z');
  });

  it('computes APPROX_QUANTILES, window functions and UNNEST of a repeated record', async () => {
    const [q] = await bq.query(`SELECT APPROX_QUANTILES(value, 4) AS qs FROM ${fq} WHERE device_id = 'd1'`);
    // d1 values 1,2,3,4: quantiles at 0, 1/4, 1/2, 3/4, 1.
    expect(q[0].qs).toEqual([1, 1, 2, 3, 4]);

    const [w] = await bq.query(`SELECT event_id, ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY event_time DESC) AS rn,
      SUM(value) OVER (PARTITION BY device_id ORDER BY event_time ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
      FROM ${fq} WHERE device_id = 'd3' QUALIFY rn <= 2 ORDER BY rn`);
    // d3 values 3,6,9,12: the latest two are 12 (running 30) and 9 (running 18).
    expect(w.map((r) => [r.event_id, r.rn, r.running])).toEqual([
      ['d3-3', 1, 30],
      ['d3-2', 2, 18],
    ]);

    const [m] = await bq.query(`SELECT m.name, AVG(m.value) AS avg_value, COUNTIF(m.value > 2) AS big FROM ${fq} AS e, UNNEST(e.metrics) AS m GROUP BY m.name ORDER BY m.name`);
    // hum is 40 everywhere; temp is v + 0.5 for v in 1..4 on 3 devices: mean 3, above 2 for v=2,3,4 (9 rows).
    expect(m).toEqual([
      { name: 'hum', avg_value: 40, big: 12 },
      { name: 'temp', avg_value: 3, big: 9 },
    ]);
  });

  it('pages query results with getQueryResults', async () => {
    const [job] = await bq.createQueryJob({ query: `SELECT event_id FROM ${fq} ORDER BY event_id` });
    const [page1, next1, response1] = await job.getQueryResults({ maxResults: 5, autoPaginate: false });
    expect(response1!.totalRows).toBe('12');
    expect(page1.map((r) => r.event_id)).toEqual(['d1-0', 'd1-1', 'd1-2', 'd1-3', 'd2-0']);
    const [page2, next2] = await job.getQueryResults({ ...next1!, maxResults: 5, autoPaginate: false });
    expect(page2.map((r) => r.event_id)).toEqual(['d2-1', 'd2-2', 'd2-3', 'd3-0', 'd3-1']);
    const [page3, next3] = await job.getQueryResults({ ...next2!, maxResults: 5, autoPaginate: false });
    expect(page3.map((r) => r.event_id)).toEqual(['d3-2', 'd3-3']);
    expect(next3).toBeNull();
    const [all] = await job.getQueryResults();
    expect(all).toHaveLength(12);
    const [meta] = await job.getMetadata();
    expect(meta.status).toEqual({ state: 'DONE' });
    expect(meta.statistics.query.statementType).toBe('SELECT');
  });

  it('pages jobs.query results when maxResults is smaller than the result', async () => {
    const [rows] = await bq.query({ query: `SELECT event_id FROM ${fq}`, maxResults: 4 });
    expect(rows).toHaveLength(12);
  });

  it('builds an hourly batch view: CREATE OR REPLACE TABLE ... PARTITION BY ... CLUSTER BY ... AS, then INSERT and MERGE', async () => {
    const view = `\`${PROJECT}.${dataset.id}.device_hourly\``;
    await bq.query({ query: `CREATE OR REPLACE TABLE ${view}
      PARTITION BY DATE(hour) CLUSTER BY device_id OPTIONS(description = "hourly aggregates", labels = [("layer", "batch")]) AS
      SELECT device_id, TIMESTAMP_TRUNC(event_time, HOUR) AS hour, COUNT(*) AS events, SUM(value) AS total
      FROM ${fq} WHERE device_id IN UNNEST(@devices) GROUP BY device_id, hour`, params: { devices: ['d1', 'd2'] } });
    const [meta] = await dataset.table('device_hourly').getMetadata();
    expect(meta.timePartitioning).toEqual({ type: 'DAY', field: 'hour' });
    expect(meta.clustering).toEqual({ fields: ['device_id'] });
    expect(meta.description).toBe('hourly aggregates');
    expect(meta.labels).toEqual({ layer: 'batch' });
    expect(meta.schema.fields.map((f: { name: string; type: string }) => `${f.name}:${f.type}`)).toEqual(['device_id:STRING', 'hour:TIMESTAMP', 'events:INTEGER', 'total:FLOAT']);
    expect(meta.numRows).toBe('4');

    const [insertJob] = await bq.createQueryJob({
      query: `INSERT INTO ${view} (device_id, hour, events, total) SELECT device_id, TIMESTAMP_TRUNC(event_time, HOUR), COUNT(*), SUM(value) FROM ${fq} WHERE device_id = 'd3' GROUP BY 1, 2`,
    });
    const [insertMeta] = await insertJob.getMetadata();
    expect(insertMeta.statistics.query.numDmlAffectedRows).toBe('2');
    expect(insertMeta.statistics.query.statementType).toBe('INSERT');

    // Late data for d1 in hour 10: MERGE updates that row and inserts a new hour.
    const [mergeJob] = await bq.createQueryJob({
      query: `MERGE ${view} T USING (
          SELECT 'd1' AS device_id, TIMESTAMP '2026-12-01 10:00:00 UTC' AS hour, 5 AS events, 100.0 AS total UNION ALL
          SELECT 'd1', TIMESTAMP '2026-12-01 12:00:00 UTC', 1, 7.0) S
        ON T.device_id = S.device_id AND T.hour = S.hour
        WHEN MATCHED THEN UPDATE SET events = S.events, total = S.total
        WHEN NOT MATCHED THEN INSERT (device_id, hour, events, total) VALUES (S.device_id, S.hour, S.events, S.total)`,
    });
    const [mergeMeta] = await mergeJob.getMetadata();
    expect(mergeMeta.statistics.query.numDmlAffectedRows).toBe('2');
    const [rows] = await bq.query(`SELECT hour, events, total FROM ${view} WHERE device_id = 'd1' ORDER BY hour`);
    expect(rows.map((r) => [r.hour.value, r.events, r.total])).toEqual([
      ['2026-12-01T10:00:00.000Z', 5, 100],
      ['2026-12-01T11:00:00.000Z', 2, 7],
      ['2026-12-01T12:00:00.000Z', 1, 7],
    ]);

    const [del] = await bq.createQueryJob({ query: `DELETE FROM ${view} WHERE hour < TIMESTAMP '2026-12-01 11:00:00+00'` });
    expect((await del.getMetadata())[0].statistics.query.numDmlAffectedRows).toBe('3');
  });

  it('uses the default dataset for unqualified table names', async () => {
    const [rows] = await bq.query({ query: 'SELECT COUNT(*) AS n FROM events', defaultDataset: { datasetId: dataset.id! } });
    expect(rows).toEqual([{ n: 12 }]);
  });

  it('names unaliased result columns f0_, f1_ as BigQuery does', async () => {
    const [rows] = await bq.query(`SELECT device_id, COUNT(*), MAX(value) FROM ${fq} GROUP BY device_id ORDER BY device_id LIMIT 1`);
    expect(rows).toEqual([{ device_id: 'd1', f0_: 4, f1_: 4 }]);
  });

  it('runs jobs.insert with a destination table', async () => {
    const [job] = await bq.createQueryJob({ query: `SELECT device_id, COUNT(*) AS n FROM ${fq} GROUP BY device_id`, destination: dataset.table('counts'), writeDisposition: 'WRITE_TRUNCATE' });
    await job.getQueryResults();
    const [rows] = await dataset.table('counts').getRows();
    expect(rows.sort((a, b) => a.device_id.localeCompare(b.device_id))).toEqual([
      { device_id: 'd1', n: 4 },
      { device_id: 'd2', n: 4 },
      { device_id: 'd3', n: 4 },
    ]);
  });
});

describe('query errors', () => {
  it('answers a syntax error with 400 invalidQuery', async () => {
    const err = await rejection(bq.query('SELEC 1'));
    expect(err.code).toBe(400);
    expect(err.errors?.[0].reason).toBe('invalidQuery');
  });

  it('answers a missing table with 404 notFound naming it', async () => {
    const err = await rejection(bq.query(`SELECT * FROM \`${PROJECT}.${dataset.id}.nope\``));
    expect(err.code).toBe(404);
    expect(err.message).toBe(`Not found: Table ${PROJECT}:${dataset.id}.nope was not found in location US`);
  });

  it('answers an unknown column and a missing parameter with 400 invalidQuery', async () => {
    const col = await rejection(bq.query(`SELECT nope FROM ${fq}`));
    expect(col.code).toBe(400);
    expect(col.errors?.[0].reason).toBe('invalidQuery');
    const param = await rejection(bq.query({ query: `SELECT * FROM ${fq} WHERE device_id = @device`, params: { other: 'x' } }));
    expect(param.message).toMatch(/Query parameter 'device' not found/);
  });

  it('records a failed jobs.insert as DONE with errorResult, and the client raises it', async () => {
    const err = await rejection(bq.createQueryJob({ query: `SELECT * FROM ${fq} WHERE`, jobId: 'failing_job_1' }));
    expect(err.errors?.[0].reason).toBe('invalidQuery');
    const [meta] = await bq.job('failing_job_1').getMetadata();
    expect(meta.status.state).toBe('DONE');
    expect(meta.status.errorResult.reason).toBe('invalidQuery');
    const results = await rejection(bq.job('failing_job_1').getQueryResults());
    expect(results.code).toBe(400);
  });

  it('answers 404 for an unknown job and 409 for a reused job id', async () => {
    const missing = await rejection(bq.job('no_such_job').getMetadata());
    expect(missing.code).toBe(404);
    await bq.createQueryJob({ query: 'SELECT 1', jobId: 'once_only' });
    const again = await rejection(bq.createQueryJob({ query: 'SELECT 1', jobId: 'once_only' }));
    expect(again.code).toBe(409);
  });

  it('rejects scripts and legacy SQL instead of guessing', async () => {
    const script = await rejection(bq.query('SELECT 1; SELECT 2'));
    expect(script.message).toMatch(/Multi-statement/);
    const legacy = await rejection(bq.createQueryJob({ query: 'SELECT 1', useLegacySql: true }));
    expect(legacy.message).toMatch(/Legacy SQL/);
  });
});
