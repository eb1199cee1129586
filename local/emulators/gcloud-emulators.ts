/**
 * The gcloud SDK's Pub/Sub and Bigtable emulators, started on free loopback ports.
 */
import { existsSync, realpathSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { execFileSync } from 'node:child_process';
import { freePort, httpOk, killGroup, readyOrStopped, spawnService, tcpReachable, type RunningService } from './processes';

/** The SDK root: $CLOUDSDK_ROOT, else where `gcloud` on PATH lives. */
export function gcloudSdkRoot(): string {
  const fromEnv = process.env.CLOUDSDK_ROOT;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  try {
    const gcloud = execFileSync('sh', ['-c', 'command -v gcloud'], { encoding: 'utf8' }).trim();
    // <root>/bin/gcloud, possibly behind a symlink.
    const root = dirname(dirname(realpathSync(gcloud)));
    if (existsSync(join(root, 'platform'))) return root;
  } catch {
    /* fall through */
  }
  for (const candidate of ['/usr/lib/google-cloud-sdk', '/google-cloud-sdk', '/opt/google-cloud-sdk']) {
    if (existsSync(join(candidate, 'platform'))) return candidate;
  }
  throw new Error('gcloud SDK not found: install it (with the pubsub and bigtable emulators) or set CLOUDSDK_ROOT');
}

function wrap(name: string, host: string, port: number, pid: number, logFile: string): RunningService {
  return { name, host, port, endpoint: `${host}:${port}`, pid, logFile, stop: () => killGroup(pid) };
}

export async function startPubSubEmulator(logDir: string, timeoutMs = 60_000): Promise<RunningService> {
  const bin = join(gcloudSdkRoot(), 'platform/pubsub-emulator/bin/cloud-pubsub-emulator');
  if (!existsSync(bin)) throw new Error(`Pub/Sub emulator not installed at ${bin} (gcloud components install pubsub-emulator)`);
  const host = '127.0.0.1';
  const port = await freePort();
  const logFile = join(logDir, `pubsub-emulator-${port}.log`);
  const child = spawnService('pubsub-emulator', bin, [`--host=${host}`, `--port=${port}`], logFile);
  const svc = wrap('pubsub-emulator', host, port, child.pid!, logFile);
  // The REST surface answers once the server is fully up (the port opens slightly earlier).
  const ready = async () => (await tcpReachable(host, port)) && httpOk(`http://${host}:${port}/v1/projects/readiness/topics`);
  return readyOrStopped(svc, 'Pub/Sub emulator', ready, timeoutMs, child);
}

export async function startBigtableEmulator(logDir: string, timeoutMs = 30_000): Promise<RunningService> {
  const bin = join(gcloudSdkRoot(), 'platform/bigtable-emulator/cbtemulator');
  if (!existsSync(bin)) throw new Error(`Bigtable emulator not installed at ${bin} (gcloud components install bigtable)`);
  const host = '127.0.0.1';
  const port = await freePort();
  const logFile = join(logDir, `bigtable-emulator-${port}.log`);
  const child = spawnService('bigtable-emulator', bin, ['-host', host, '-port', String(port)], logFile);
  const svc = wrap('bigtable-emulator', host, port, child.pid!, logFile);
  return readyOrStopped(svc, 'Bigtable emulator', () => tcpReachable(host, port), timeoutMs, child);
}
