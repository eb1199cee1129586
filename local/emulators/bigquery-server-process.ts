/**
 * The local BigQuery-compatible server as a child process (like the gcloud emulators), so
 * test workers and scripts reach it over HTTP and a stop takes it down with its group.
 */
import { join } from 'node:path';
import { freePort, httpOk, killGroup, readyOrStopped, spawnService, type RunningService } from './processes';
import { bigQueryBaseUrl } from '../bigquery-server/base-url';

export interface RunningHttpService extends RunningService {
  /** `http://host:port`, the base URL for BIGQUERY_EMULATOR_HOST (local/bigquery-server/base-url.ts). */
  url: string;
}

const MAIN = join(__dirname, '..', 'bigquery-server', 'main.ts');

export async function startBigQueryServerProcess(logDir: string, timeoutMs = 30_000): Promise<RunningHttpService> {
  const host = '127.0.0.1';
  const port = await freePort();
  const logFile = join(logDir, `bigquery-server-${port}.log`);
  const child = spawnService('bigquery-server', process.execPath, ['--import', 'tsx', MAIN, '--port', String(port), '--host', host, '--log-level', 'warn'], logFile);
  const url = `http://${host}:${port}`;
  const svc: RunningHttpService = { name: 'bigquery-server', host, port, endpoint: `${host}:${port}`, url, pid: child.pid!, logFile, stop: () => killGroup(child.pid!) };
  return readyOrStopped(svc, 'BigQuery-compatible server', () => httpOk(`${url}/healthz`), timeoutMs, child);
}

/** BIGQUERY_EMULATOR_HOST as the client needs it (see local/bigquery-server/base-url.ts). */
export const normaliseBigQueryEmulatorHost = bigQueryBaseUrl;
