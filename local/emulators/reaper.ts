/**
 * The reaper: a small detached process that outlives whoever started the local services and
 * stops the process groups they left behind. The starter keeps the list of groups it started
 * and has not stopped in a JSON file; the reaper watches its own parent, and once that parent
 * is gone (it exited, crashed or was killed with SIGKILL, e.g. by a CI timeout) it sends every
 * listed group SIGTERM, then SIGKILL after a grace period, and exits. Once the starter stopped
 * every group it listed (the list emptied) the reaper exits too, within about a second.
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

/**
 * Once every group it listed was stopped (the list had groups and has been empty for this
 * long) the reaper has nothing left to guard and exits, so it never outlives a finished run by
 * more than a moment. The starter starts a new reaper if it starts services again.
 */
export const EMPTY_EXIT_MS = 1000;

/** What the reaper does on one poll: wait, reap (the starter is gone) or exit (nothing left). */
export function nextStep(state: { starterAlive: boolean; groups: number; seenGroups: boolean; emptySinceMs: number | null; nowMs: number }): 'wait' | 'reap' | 'exit' {
  if (!state.starterAlive) return 'reap';
  if (state.seenGroups && state.groups === 0 && state.emptySinceMs !== null && state.nowMs - state.emptySinceMs >= EMPTY_EXIT_MS) return 'exit';
  return 'wait';
}

if (require.main === module) {
  if (!listFile || !Number.isInteger(starter)) process.exit(2);
  let seenGroups = false;
  let emptySinceMs: number | null = null;
  const timer = setInterval(() => {
    const groups = listed().length;
    const now = Date.now();
    if (groups > 0) seenGroups = true;
    emptySinceMs = groups > 0 ? null : (emptySinceMs ?? now);
    // Reparented (to init or a subreaper): the starter is gone.
    const step = nextStep({ starterAlive: process.ppid === starter, groups, seenGroups, emptySinceMs, nowMs: now });
    if (step === 'wait') return;
    clearInterval(timer);
    if (step === 'exit') process.exit(0);
    void reap().finally(() => process.exit(0));
  }, POLL_MS);
}
