/**
 * The reaper: a small detached process that outlives whoever started the local services and
 * stops the process groups they left behind. The starter keeps the list of groups it started
 * and has not stopped in a JSON file; the reaper watches its own parent, and once that parent
 * is gone (it exited, crashed or was killed with SIGKILL, e.g. by a CI timeout) it sends every
 * listed group SIGTERM, then SIGKILL after a grace period, and exits. On a clean exit the list
 * is empty and the reaper just exits.
 *
 * Watching the parent pid (not an IPC channel) leaves no start-up race: a starter killed a
 * moment after spawning the reaper still has its list on disk.
 *
 *   node --import tsx local/emulators/reaper.ts <groups.json> <starter pid>
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

const POLL_MS = 250;
const GRACE_MS = 3000;
const [listFile, starterArg] = process.argv.slice(2);
const starter = Number(starterArg);

function listed(): number[] {
  try {
    const groups = JSON.parse(readFileSync(listFile, 'utf8')) as unknown;
    return Array.isArray(groups) ? groups.filter((g): g is number => Number.isInteger(g) && g > 1) : [];
  } catch {
    return [];
  }
}

function signal(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

async function reap(): Promise<void> {
  let groups = listed().filter((g) => signal(g, 'SIGTERM'));
  const deadline = Date.now() + GRACE_MS;
  while (groups.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    groups = groups.filter((g) => signal(g, 0));
  }
  for (const g of groups) signal(g, 'SIGKILL');
  rmSync(dirname(listFile), { recursive: true, force: true });
}

if (!listFile || !Number.isInteger(starter)) process.exit(2);
const timer = setInterval(() => {
  // Reparented (to init or a subreaper): the starter is gone.
  if (process.ppid === starter) return;
  clearInterval(timer);
  void reap().finally(() => process.exit(0));
}, POLL_MS);
