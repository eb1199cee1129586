/**
 * The HTTP surface: BigQuery REST API v2 paths, served both at the root (the form
 * `BIGQUERY_EMULATOR_HOST` makes the client use) and under `/bigquery/v2` (the form an
 * `apiEndpoint` option makes it use).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { BigQueryError, notFound } from '../errors';
import type { BigQueryService } from '../service';
import type { Json } from '../store/catalog';

type Params = Record<string, string>;
type Req = FastifyRequest<{ Params: Params; Querystring: Record<string, unknown>; Body: Json }>;

/** Other requests (query jobs, table metadata) may be larger; insertAll has BigQuery's own limits below. */
const BODY_LIMIT = 64 * 1024 * 1024;
/** tabledata.insertAll: at most 10 MB per HTTP request and 50,000 rows (https://cloud.google.com/bigquery/quotas#streaming_inserts). */
export const INSERT_ALL_MAX_BYTES = 10 * 1024 * 1024;
export const INSERT_ALL_MAX_ROWS = 50_000;

export function buildApp(service: BigQueryService, logger: Logger) {
  const app = Fastify({ loggerInstance: logger, bodyLimit: BODY_LIMIT, routerOptions: { ignoreTrailingSlash: true } });

  // DELETE calls from the client carry no body but may carry a content type.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body ?? '');
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new BigQueryError(400, 'invalid', 'Invalid JSON payload received.'), undefined);
    }
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    if (err instanceof BigQueryError) return reply.code(err.code).send(err.toBody());
    const e = err as { statusCode?: number; message?: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send(new BigQueryError(e.statusCode, 'invalid', e.message ?? 'Invalid request').toBody());
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send(new BigQueryError(500, 'backendError', `Internal error in the local BigQuery server: ${e.message ?? String(err)}`).toBody());
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(notFound(`URL ${req.method} ${req.url.split('?')[0]} is not part of the BigQuery API the local server implements`).toBody());
  });

  const routes = async (r: FastifyInstance) => {
    const ds = (p: Params) => ({ projectId: p.projectId, datasetId: p.datasetId });
    const tb = (p: Params) => ({ projectId: p.projectId, datasetId: p.datasetId, tableId: p.tableId });
    const send = (reply: FastifyReply, body: unknown) => reply.code(200).send(body);
    const empty = (reply: FastifyReply) => reply.code(204).send();

    r.post('/projects/:projectId/datasets', async (q: Req, reply) => send(reply, await service.insertDataset(q.params.projectId, q.body ?? {})));
    r.get('/projects/:projectId/datasets', async (q: Req, reply) => send(reply, await service.listDatasets(q.params.projectId, q.query)));
    r.get('/projects/:projectId/datasets/:datasetId', async (q: Req, reply) => send(reply, await service.getDataset(ds(q.params))));
    r.patch('/projects/:projectId/datasets/:datasetId', async (q: Req, reply) => send(reply, await service.patchDataset(ds(q.params), q.body ?? {}, false)));
    r.put('/projects/:projectId/datasets/:datasetId', async (q: Req, reply) => send(reply, await service.patchDataset(ds(q.params), q.body ?? {}, true)));
    r.delete('/projects/:projectId/datasets/:datasetId', async (q: Req, reply) => {
      await service.deleteDataset(ds(q.params), q.query);
      return empty(reply);
    });

    r.post('/projects/:projectId/datasets/:datasetId/tables', async (q: Req, reply) => send(reply, await service.insertTable(ds(q.params), q.body ?? {})));
    r.get('/projects/:projectId/datasets/:datasetId/tables', async (q: Req, reply) => send(reply, await service.listTables(ds(q.params), q.query)));
    r.get('/projects/:projectId/datasets/:datasetId/tables/:tableId', async (q: Req, reply) => send(reply, await service.getTable(tb(q.params))));
    r.patch('/projects/:projectId/datasets/:datasetId/tables/:tableId', async (q: Req, reply) => send(reply, await service.patchTable(tb(q.params), q.body ?? {}, false)));
    r.put('/projects/:projectId/datasets/:datasetId/tables/:tableId', async (q: Req, reply) => send(reply, await service.patchTable(tb(q.params), q.body ?? {}, true)));
    r.delete('/projects/:projectId/datasets/:datasetId/tables/:tableId', async (q: Req, reply) => {
      await service.deleteTable(tb(q.params));
      return empty(reply);
    });

    r.post('/projects/:projectId/datasets/:datasetId/tables/:tableId/insertAll', async (q: Req, reply) => {
      const bytes = Number(q.headers['content-length'] ?? 0);
      if (bytes > INSERT_ALL_MAX_BYTES) throw new BigQueryError(413, 'badRequest', `Request payload size exceeds the limit: ${INSERT_ALL_MAX_BYTES} bytes.`);
      const rows = Array.isArray((q.body as { rows?: unknown })?.rows) ? (q.body as { rows: unknown[] }).rows.length : 0;
      if (rows > INSERT_ALL_MAX_ROWS) throw new BigQueryError(400, 'invalid', `too many rows present in the request, limit: ${INSERT_ALL_MAX_ROWS} row count: ${rows}.`);
      return send(reply, await service.insertAll(tb(q.params), q.body ?? {}));
    });
    r.get('/projects/:projectId/datasets/:datasetId/tables/:tableId/data', async (q: Req, reply) => send(reply, await service.listTableData(tb(q.params), q.query)));

    r.post('/projects/:projectId/jobs', async (q: Req, reply) => send(reply, await service.insertJob(q.params.projectId, q.body ?? {})));
    r.get('/projects/:projectId/jobs', async (q: Req, reply) => send(reply, await service.listJobs(q.params.projectId, q.query)));
    r.get('/projects/:projectId/jobs/:jobId', async (q: Req, reply) => send(reply, await service.getJob(q.params.projectId, q.params.jobId)));
    r.post('/projects/:projectId/jobs/:jobId/cancel', async (q: Req, reply) => send(reply, await service.cancelJob(q.params.projectId, q.params.jobId)));
    r.delete('/projects/:projectId/jobs/:jobId/delete', async (q: Req, reply) => {
      await service.deleteJob(q.params.projectId, q.params.jobId);
      return empty(reply);
    });
    r.post('/projects/:projectId/queries', async (q: Req, reply) => send(reply, await service.query(q.params.projectId, q.body ?? {})));
    r.get('/projects/:projectId/queries/:jobId', async (q: Req, reply) => send(reply, await service.getQueryResults(q.params.projectId, q.params.jobId, q.query)));
  };

  app.register(routes);
  app.register(routes, { prefix: '/bigquery/v2' });
  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}
