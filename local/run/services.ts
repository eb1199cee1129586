/**
 * The data-plane services as child processes, each started the way it starts on its own
 * (`node --import tsx functions/<service>/main.ts`) with the environment Cloud Run would give
 * it, on a free loopback port, in its own process group. Stopping sends SIGTERM to exactly
 * that group (the service's graceful stop: drain, flush, close), then SIGKILL if it overruns.
 */
import { join } from 'node:path';
import { freePort, killGroup, lowerPriority, spawnService, waitFor } from '../emulators/processes';

export const REPO_ROOT = join(__dirname, '..', '..');

export interface ServiceDefinition {
  /** Cloud Run service name, e.g. `ingest-gateway`. */
  name: string;
  /** Entry file relative to the repository root. */
  entry: string;
  env: Record<string, string>;
  /** GET path that answers 2xx once the service is ready; undefined for workers with no HTTP. */
  healthPath?: string;
  /** SIGTERM grace before SIGKILL (Cloud Run gives 10 s). */
  stopGraceMs?: number;
  /** CPU niceness once ready (19: runs only on what the other services leave). */
  niceness?: number;
}

export interface StartedService {
  name: string;
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  pid: number;
  logFile: string;
  /** Whether the process is still running. */
  alive(): boolean;
  exitCode(): number | null;
  stop(): Promise<void>;
}

export async function startService(def: ServiceDefinition, logDir: string, readyTimeoutMs = 60_000): Promise<StartedService> {
  const port = await freePort();
  const logFile = join(logDir, `${def.name}.log`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    METADATA_SERVER_DETECTION: 'none',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...def.env,
    PORT: String(port),
  };
  const child = spawnService(def.name, process.execPath, ['--import', 'tsx', join(REPO_ROOT, def.entry)], logFile, env);
  const url = `http://127.0.0.1:${port}`;
  const pid = child.pid!;
  let exit: number | null = null;
  child.on('exit', (code, signal) => (exit = code ?? (signal ? 128 : 1)));
  const service: StartedService = {
    name: def.name,
    url,
    port,
    pid,
    logFile,
    alive: () => exit === null,
    exitCode: () => exit,
    stop: () => killGroup(pid, def.stopGraceMs ?? 10_000),
  };
  try {
    await waitFor(
      def.name,
      async () => {
        if (!def.healthPath) return true;
        try {
          return (await fetch(`${url}${def.healthPath}`, { signal: AbortSignal.timeout(1000) })).ok;
        } catch {
          return false;
        }
      },
      readyTimeoutMs,
      child,
    );
  } catch (err) {
    await service.stop();
    throw new Error(`${(err as Error).message} (log: ${logFile})`);
  }
  if (def.niceness) lowerPriority(pid, def.niceness);
  return service;
}

/** GET a JSON document with a time limit; undefined when it does not answer in time or not 2xx. */
export async function getJson<T>(url: string, timeoutMs = 2000): Promise<T | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    return (await res.json()) as T;
  } catch {
    return undefined;
  }
}
