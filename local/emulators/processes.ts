/**
 * Start and stop local services as child processes, each in its own process group so a
 * stop takes its children (the Pub/Sub emulator's launcher starts a JVM) and nothing else.
 *
 * Every group started is registered until it is stopped: `stopAllNow` kills what is left
 * (a second Ctrl-C), and a detached reaper (./reaper.ts) reading the same list kills it when
 * this process dies without stopping them (a crash, SIGKILL, a CI timeout), so no emulator
 * outlives its run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { closeSync, mkdtempSync, openSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Process groups started by this process and not stopped yet. */
const liveGroups = new Set<number>();
/** Where the reaper reads that list; created with the reaper, on the first service started. */
let reaperList: string | undefined;

function startReaper(): string | undefined {
  try {
    const list = join(mkdtempSync(join(tmpdir(), 'iot-reaper-')), 'groups.json');
    writeFileSync(list, '[]');
    const reaper = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'reaper.ts'), list, String(process.pid)], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    reaper.on('error', () => undefined);
    // The reaper exits once its list has emptied; groups started after that need a new one.
    reaper.once('exit', () => {
      if (reaperList !== list) return;
      reaperList = undefined;
      if (liveGroups.size > 0) publishGroups();
    });
    reaper.unref();
    return list;
  } catch {
    return undefined;
  }
}

/** Rewrites the reaper's list (write then rename, so it never reads half a file). */
function publishGroups(): void {
  reaperList ??= startReaper();
  if (!reaperList) return;
  try {
    const next = `${reaperList}.next`;
    writeFileSync(next, JSON.stringify([...liveGroups]));
    renameSync(next, reaperList);
  } catch {
    /* best effort: the explicit stops still run */
  }
}

function register(pgid: number): void {
  liveGroups.add(pgid);
  publishGroups();
}

function unregister(pgid: number): void {
  if (!liveGroups.delete(pgid)) return;
  publishGroups();
}

/** Kills every group this process started and has not stopped (synchronous, SIGKILL). */
export function stopAllNow(): void {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    unregister(pgid);
  }
}

export interface RunningService {
  name: string;
  host: string;
  port: number;
  /** `host:port`, the form the *_EMULATOR_HOST variables take. */
  endpoint: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function tcpReachable(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Poll `probe` until it answers true or the deadline passes. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

/** True when a GET of `url` answers 2xx within a second. */
export async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

/** Waits until the started service is ready; one that never gets there is stopped before the error is thrown. */
export async function readyOrStopped<T extends { stop(): Promise<void> }>(svc: T, what: string, probe: () => Promise<boolean>, timeoutMs: number, child: ChildProcess): Promise<T> {
  try {
    await waitFor(what, probe, timeoutMs, child);
  } catch (err) {
    await svc.stop();
    throw err;
  }
  return svc;
}

/** Kill a whole process group, then wait for the leader to be gone (bounded). */
export async function killGroup(pid: number, graceMs = 3000): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    unregister(pid);
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  unregister(pid);
}

/**
 * With the kernel's autogroup scheduling on (the default on desktop and many server kernels),
 * CPU is shared fairly between sessions and a detached service is a session of its own, so a
 * thread's nice value counts only against the other threads of its session. The session's
 * group has a nice value of its own: set that too. Best effort, like the per-thread values.
 */
function setAutogroupNiceness(pid: number, niceness: number): void {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(niceness));
  } catch {
    /* no autogroup scheduling here */
  }
}

/**
 * Lowers a running service's CPU priority: every thread it has (Linux nice is per thread;
 * threads started later inherit their creator's value) and its session's autogroup. Called
 * once the service is ready, so a starved start-up cannot time out.
 */
export function lowerPriority(pid: number, niceness: number): void {
  let tids: string[] = [String(pid)];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    /* not Linux: the process itself only */
  }
  for (const tid of tids) {
    try {
      setPriority(Number(tid), niceness);
    } catch {
      /* gone, or not allowed */
    }
  }
  setAutogroupNiceness(pid, niceness);
}

export function spawnService(name: string, command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  register(pid);
  child.once('exit', () => {
    // The leader is gone; its group may still hold children until killGroup has run.
    if (!groupAlive(pid)) unregister(pid);
  });
  return child;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
