/**
 * A BigQuery-compatible local server: the REST API v2 as `@google-cloud/bigquery` uses it,
 * backed by DuckDB. Point a client at it with `BIGQUERY_EMULATOR_HOST=<endpoint>` (the
 * endpoint includes `http://`; the client uses the variable verbatim as its base URL) or
 * with `new BigQuery({ apiEndpoint: endpoint, projectId })`.
 */
import pino, { type Logger } from 'pino';
import { buildApp } from './http/app';
import { BigQueryService } from './service';

export interface BigQueryServerOptions {
  /** 0 or absent: a free port. */
  port?: number;
  host?: string;
  /** DuckDB file to keep data in across restarts; in memory when absent. */
  dbPath?: string;
  /** pino level; 'silent' by default. */
  logLevel?: string;
  logger?: Logger;
  /** insertId de-duplication window (default 60 s, BigQuery's documented minimum). */
  insertIdWindowMs?: number;
}

export interface BigQueryServer {
  /** `http://host:port`, the value for BIGQUERY_EMULATOR_HOST or the client's apiEndpoint. */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export async function startBigQueryServer(options: BigQueryServerOptions = {}): Promise<BigQueryServer> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? pino({ name: 'bigquery-server', level: options.logLevel ?? process.env.BIGQUERY_SERVER_LOG_LEVEL ?? 'silent' });
  const service = await BigQueryService.open({ dbPath: options.dbPath, insertIdWindowMs: options.insertIdWindowMs, logger });
  const app = buildApp(service, logger);
  try {
    await app.listen({ port: options.port ?? 0, host });
  } catch (err) {
    await service.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ endpoint, dbPath: options.dbPath ?? ':memory:' }, 'BigQuery-compatible server listening');
  let closed: Promise<void> | undefined;
  return {
    endpoint,
    port,
    close: () =>
      (closed ??= (async () => {
        await app.close();
        await service.close();
      })()),
  };
}
