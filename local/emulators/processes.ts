/**
 * Start and stop local services as child processes, each in its own process group so a
 * stop takes its children (the Pub/Sub emulator's launcher starts a JVM) and nothing else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { openSync, closeSync, writeFileSync } from 'node:fs';

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
}

export interface SpawnOptions {
  /**
   * CPU niceness (0 normal, 19 lowest), given at exec time so every thread the process starts
   * inherits it (Linux nice is per thread; renicing a running process misses its threads).
   */
  niceness?: number;
}

/**
 * With the kernel's autogroup scheduling on (the default on desktop and many server kernels),
 * CPU is shared fairly between sessions and a detached service is a session of its own, so its
 * nice value counts only against its own threads. The session's group has a nice value of its
 * own: set that too. Best effort (no autogroup, or not allowed: the plain nice value remains).
 */
function setAutogroupNiceness(pid: number, niceness: number): void {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(niceness));
  } catch {
    /* no autogroup scheduling here */
  }
}

export function spawnService(name: string, command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env, options: SpawnOptions = {}): ChildProcess {
  const fd = openSync(logFile, 'a');
  // `nice` execs the command in place, so the child's pid (and process group) stay the service's.
  const [cmd, argv] = options.niceness ? ['nice', ['-n', String(options.niceness), command, ...args]] : [command, args];
  const child = spawn(cmd, argv, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  if (options.niceness) setAutogroupNiceness(child.pid, options.niceness);
  return child;
}
