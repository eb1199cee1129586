/**
 * No local service outlives the process that started it: a starter killed with SIGKILL (a CI
 * timeout, an OOM kill) cannot stop its children itself, so the detached reaper does.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..', '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(ok: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (ok()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return ok();
}

/** Starts a starter process that spawns `sleep 300` as a service and prints its pid. */
function startStarter(): Promise<{ starter: ReturnType<typeof spawn>; servicePid: number }> {
  const log = join(mkdtempSync(join(tmpdir(), 'reaper-')), 'svc.log');
  const script = `
    const { spawnService } = require(${JSON.stringify(join(REPO, 'local/emulators/processes.ts'))});
    const child = spawnService('sleeper', 'sleep', ['300'], ${JSON.stringify(log)});
    process.stdout.write(String(child.pid) + '\\n');
    setInterval(() => undefined, 1000);
  `;
  const starter = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    starter.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ starter, servicePid: Number(line) });
    });
    starter.once('exit', (code) => reject(new Error(`starter exited early (${code})`)));
  });
}

describe('process reaper', () => {
  jest.setTimeout(30_000);

  it('stops the services of a starter that was killed with SIGKILL', async () => {
    const { starter, servicePid } = await startStarter();
    expect(Number.isInteger(servicePid) && servicePid > 1).toBe(true);
    expect(alive(servicePid)).toBe(true);
    starter.kill('SIGKILL');
    // The reaper sends SIGTERM to the orphaned group as soon as the IPC channel closes.
    const gone = await until(() => !alive(servicePid), 10_000);
    if (!gone) process.kill(-servicePid, 'SIGKILL');
    expect(gone).toBe(true);
  });
});
