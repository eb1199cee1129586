/**
 * BIGQUERY_EMULATOR_HOST with a path, the form another emulator needs when it serves the API
 * under /bigquery/v2 (goccy/bigquery-emulator): the client, provisioning and the services'
 * configuration all take it as the base URL. The other emulator is stood in for by a proxy
 * that serves the local server only under /bigquery/v2.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BigQuery } from '@google-cloud/bigquery';
import { bigQueryBaseUrl } from '../../../local/bigquery-server/base-url';
import { bigQueryAt } from '../../../local/provision/bigquery';
import { provisionLocalCloud } from '../../../local/provision';
import { loadConfig, googleProjectSchema } from '../../../functions/shared/config';
import { join } from 'node:path';
import { loadInput } from '../../../verification/graph';
import { uniqueDatasetId } from './client';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'provision', 'cdk.tf.json');
let proxy: Server;
let base: string;
const upstream = new URL(process.env.BIGQUERY_EMULATOR_HOST!);

beforeAll(async () => {
  proxy = createServer((req, res) => {
    // Only /bigquery/v2/projects/...: the local server also answers at /bigquery/v2, which would hide a doubled path.
    if (!req.url?.startsWith('/bigquery/v2/projects/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not an API path under /bigquery/v2: ${req.url}`);
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: `${upstream.pathname.replace(/\/$/, '')}${req.url.slice('/bigquery/v2'.length)}`, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/bigquery/v2`;
});
afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

describe('an emulator whose base URL has a path', () => {
  it('keeps the path in the one base-URL rule (scheme added, trailing slash dropped)', () => {
    expect(bigQueryBaseUrl('127.0.0.1:9050/bigquery/v2/')).toBe('http://127.0.0.1:9050/bigquery/v2');
    expect(bigQueryBaseUrl('http://localhost:9050')).toBe('http://localhost:9050');
    expect(() => bigQueryBaseUrl('http://local host:9050')).toThrow(/must be http:\/\/host:port/);
  });

  it('is used verbatim by the client through BIGQUERY_EMULATOR_HOST', async () => {
    const saved = process.env.BIGQUERY_EMULATOR_HOST;
    process.env.BIGQUERY_EMULATOR_HOST = base;
    try {
      const bq = new BigQuery({ projectId: 'base-url-test' });
      const [dataset] = await bq.createDataset(uniqueDatasetId('baseurl'));
      const [rows] = await bq.query('SELECT 40 + 2 AS n');
      expect(rows).toEqual([{ n: 42 }]);
      await dataset.delete();
    } finally {
      process.env.BIGQUERY_EMULATOR_HOST = saved;
    }
  });

  it('provisions datasets and tables through it', async () => {
    // The fixture's BigQuery resources, under a project of this test's own.
    const graph = loadInput(FIXTURE);
    graph.resources = graph.resources.filter((r) => r.type.startsWith('google_bigquery_'));
    for (const provider of graph.providers) if (provider.name === 'google') provider.project = 'base-url-test';
    const report = await provisionLocalCloud({ input: graph, endpoints: { bigquery: base } });
    expect(report.items.map((i) => `${i.kind} ${i.name} ${i.outcome}`).sort()).toEqual([
      'dataset base-url-test:fixture_analytics created',
      'table base-url-test:fixture_analytics.dead_letters created',
      'table base-url-test:fixture_analytics.readings_raw created',
    ]);
    const client = bigQueryAt(base, 'base-url-test');
    const [meta] = await client.dataset('fixture_analytics').table('readings_raw').getMetadata();
    expect(meta.timePartitioning).toEqual({ type: 'DAY', field: 'event_time', expirationMs: '2592000000' });
    await client.dataset('fixture_analytics').delete({ force: true });
  });

  it('is accepted by the services configuration', () => {
    expect(loadConfig(googleProjectSchema, { GOOGLE_CLOUD_PROJECT: 'p', BIGQUERY_EMULATOR_HOST: base }).BIGQUERY_EMULATOR_HOST).toBe(base);
  });
});
