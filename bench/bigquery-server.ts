/**
 * The local BigQuery-compatible server through the real client: streaming-insert rate
 * (tabledata.insertAll, 500 rows per request, as the archive worker sends them) and a
 * GROUP BY over one million rows. Writes bench/results/bigquery-server.json.
 *
 *   npx tsx bench/bigquery-server.ts [--batches 200] [--rows 1000000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, loadavg } from 'node:os';
import { BigQuery } from '@google-cloud/bigquery';
import { startBigQueryServerProcess } from '../local/emulators/bigquery-server-process';
import { writeRecord } from '../local/run/machine';

process.env.METADATA_SERVER_DETECTION = 'none';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`error: --${name} needs a positive integer\n`);
    process.exit(2);
  }
  return n;
}

const BATCH = 500;
const BATCHES = arg('batches', 200);
const ROWS = arg('rows', 1_000_000);
const CONCURRENCY = 4;

const schema = {
  fields: [
    { name: 'event_id', type: 'STRING', mode: 'REQUIRED' },
    { name: 'device_id', type: 'STRING', mode: 'REQUIRED' },
    { name: 'type', type: 'STRING', mode: 'REQUIRED' },
    { name: 'event_time', type: 'TIMESTAMP', mode: 'REQUIRED' },
    { name: 'ingest_time', type: 'TIMESTAMP' },
    { name: 'value', type: 'FLOAT64' },
    { name: 'metrics', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'name', type: 'STRING' }, { name: 'value', type: 'FLOAT64' }] },
    { name: 'attributes', type: 'JSON' },
  ],
};

function batchOf(start: number) {
  const base = Date.UTC(2026, 11, 1);
  return Array.from({ length: BATCH }, (_, k) => {
    const n = start + k;
    const micros = BigInt(base) * 1000n + BigInt(n) * 1000n + 123n;
    return {
      insertId: `evt-${n}`,
      json: {
        event_id: `evt-${n}`,
        device_id: `dev-${n % 1000}`,
        type: n % 10 === 0 ? 'alarm' : 'reading',
        event_time: `${new Date(Number(micros / 1000n)).toISOString().slice(0, 23)}${String(micros % 1000n).padStart(3, '0')}Z`,
        ingest_time: new Date(base + n).toISOString(),
        value: (n % 1000) / 10,
        metrics: [
          { name: 'temp', value: 20 + (n % 7) },
          { name: 'hum', value: 40 + (n % 11) },
        ],
        attributes: { fw: '1.2.3', site: `s${n % 5}` },
      },
    };
  });
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { runs: samples.length, minMs: round(sorted[0]), medianMs: round(sorted[Math.floor(sorted.length / 2)]), maxMs: round(sorted[sorted.length - 1]) };
}
const round = (x: number) => Math.round(x * 10) / 10;
const now = () => Number(process.hrtime.bigint()) / 1e6;

async function main(): Promise<void> {
  // The machine is shared; the 1-minute load average says how contended the run was.
  const loadAverageAtStart = loadavg()[0];
  const logDir = mkdtempSync(join(tmpdir(), 'bench-bq-'));
  const server = await startBigQueryServerProcess(logDir);
  try {
    const bq = new BigQuery({ projectId: 'bench', apiEndpoint: server.url });
    const [dataset] = await bq.createDataset('bench');
    const [table] = await dataset.createTable('events', { schema, timePartitioning: { type: 'DAY', field: 'event_time' }, clustering: { fields: ['device_id', 'type'] } });

    // Warm-up (JIT, connection pool, DuckDB appender paths), not measured.
    await table.insert(batchOf(-BATCH), { raw: true });

    // Sequential: one request in flight, as a single archive worker does.
    let t0 = now();
    for (let b = 0; b < BATCHES; b++) await table.insert(batchOf(b * BATCH), { raw: true });
    const sequentialMs = now() - t0;

    // Concurrent: CONCURRENCY requests in flight.
    t0 = now();
    let next = BATCHES;
    const end = BATCHES * 2;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < end) {
          const b = next++;
          await table.insert(batchOf(b * BATCH), { raw: true });
        }
      }),
    );
    const concurrentMs = now() - t0;
    // Server alone: pre-serialised insertAll bodies over plain HTTP, no client library work.
    const bodies = Array.from({ length: BATCHES }, (_, b) => JSON.stringify({ rows: batchOf((BATCHES * 2 + b) * BATCH) }));
    t0 = now();
    for (const body of bodies) {
      const res = await fetch(`${server.url}/projects/bench/datasets/bench/tables/events/insertAll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (!res.ok || (await res.json()).insertErrors) throw new Error(`insertAll failed: ${res.status}`);
    }
    const rawMs = now() - t0;
    const insertedRows = BATCHES * 3 * BATCH + BATCH;
    const [count] = await bq.query('SELECT COUNT(*) AS n FROM `bench.bench.events`');
    if (count[0].n !== insertedRows) throw new Error(`expected ${insertedRows} rows after the insert phase, found ${count[0].n}`);

    // One million rows for the GROUP BY, generated server-side with INSERT ... SELECT.
    const [big] = await dataset.createTable('events_1m', { schema, timePartitioning: { type: 'DAY', field: 'event_time' } });
    t0 = now();
    await bq.query(`INSERT INTO \`bench.bench.events_1m\` (event_id, device_id, type, event_time, value)
      SELECT CONCAT('e', CAST(n AS STRING)), CONCAT('dev-', CAST(MOD(n, 1000) AS STRING)), IF(MOD(n, 10) = 0, 'alarm', 'reading'),
             TIMESTAMP_ADD(TIMESTAMP '2026-12-01 00:00:00 UTC', INTERVAL n * 86 MILLISECOND), MOD(n, 1000) / 10
      FROM UNNEST(GENERATE_ARRAY(1, ${ROWS})) AS n`);
    const loadMs = now() - t0;
    const [loaded] = await big.getMetadata();
    if (Number(loaded.numRows) !== ROWS) throw new Error(`expected ${ROWS} rows, found ${loaded.numRows}`);

    const groupByQuery = `SELECT device_id, TIMESTAMP_TRUNC(event_time, HOUR) AS hour, COUNT(*) AS events, AVG(value) AS mean, MAX(value) AS peak
      FROM \`bench.bench.events_1m\` WHERE event_time >= @since GROUP BY device_id, hour`;
    const samples: number[] = [];
    let resultRows = 0;
    for (let run = 0; run < 6; run++) {
      t0 = now();
      const [rows] = await bq.query({ query: groupByQuery, params: { since: bq.timestamp('2026-12-01T00:00:00Z') } });
      const ms = now() - t0;
      resultRows = rows.length;
      if (run > 0) samples.push(ms); // the first run warms caches
    }
    const deviceOnly: number[] = [];
    for (let run = 0; run < 6; run++) {
      t0 = now();
      await bq.query('SELECT device_id, COUNT(*) AS n, AVG(value) AS mean FROM `bench.bench.events_1m` GROUP BY device_id');
      if (run > 0) deviceOnly.push(now() - t0);
    }

    const figures = {
      server: 'local/bigquery-server (DuckDB), child process, HTTP on loopback; client @google-cloud/bigquery 8',
      loadAverage1m: { atStart: round(loadAverageAtStart), atEnd: round(loadavg()[0]) },
      insertAll: {
        rowsPerRequest: BATCH,
        rowShape: '8 columns incl. TIMESTAMP (microseconds), REPEATED RECORD (2 entries) and JSON, with insertId',
        sequential: { requests: BATCHES, rows: BATCHES * BATCH, seconds: round(sequentialMs / 1000), rowsPerSecond: Math.round((BATCHES * BATCH) / (sequentialMs / 1000)) },
        concurrent: { inFlight: CONCURRENCY, requests: BATCHES, rows: BATCHES * BATCH, seconds: round(concurrentMs / 1000), rowsPerSecond: Math.round((BATCHES * BATCH) / (concurrentMs / 1000)) },
        serverOnly: { note: 'pre-serialised bodies over fetch, one in flight: the server\'s own rate without the client library', requests: BATCHES, rows: BATCHES * BATCH, seconds: round(rawMs / 1000), rowsPerSecond: Math.round((BATCHES * BATCH) / (rawMs / 1000)) },
      },
      groupBy: {
        tableRows: ROWS,
        loadSeconds: round(loadMs / 1000),
        byDeviceAndHour: { query: 'COUNT/AVG/MAX by device_id and TIMESTAMP_TRUNC(event_time, HOUR), timestamp parameter', resultRows, ...stats(samples), note: 'end to end: jobs.query, result materialised, all pages fetched and parsed by the client' },
        byDevice: { resultRows: 1000, ...stats(deviceOnly) },
      },
    };
    const out = join(__dirname, 'results', 'bigquery-server.json');
    writeRecord(out, 'bigquery-server', figures);
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\nwritten to ${out}\n`);
  } finally {
    await server.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/bigquery-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
