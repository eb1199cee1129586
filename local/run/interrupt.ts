/**
 * How a local run learns it must stop: Ctrl-C, SIGTERM or SIGHUP, or its launcher going away.
 *
 * npm 11 runs a package script as `sh -c <script>` and forwards SIGINT and SIGTERM to that
 * direct child only (@npmcli/run-script's signal manager). dash does not exec a lone command,
 * so with `tsx scripts/local.ts` the shell swallowed a forwarded SIGINT and died of SIGTERM,
 * leaving the run orphaned; and the tsx CLI relays a signal to its child but SIGKILLs it when
 * the child does not acknowledge within 30 ms (a busy event loop on 2 shared cores). So the
 * package scripts are `exec node --import tsx scripts/...`: the script IS npm's child and
 * gets npm's forwarded signals itself. Anything that still kills the launcher without telling
 * the script (SIGKILL, SIGHUP to npm alone) reparents the script: it records its parent at
 * start and polls it every second, and a changed parent is an interrupt like Ctrl-C.
 * Only the direct parent is watched: an ancestor further up going away while the launcher
 * lives is a run started in the background (`npm run local &` from a shell that then exits,
 * nohup, a CI step's wrapper), which must go on and report, not stop itself.
 */
import { readFileSync } from 'node:fs';

export interface Ancestor {
  pid: number;
  ppid: number;
}

/** The parent pid of `pid` from /proc (undefined when the process is gone or /proc is absent). */
export function procParent(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** `pid` and its ancestors, each with its parent, up to (not including) init. */
export function ancestry(pid: number, parentOf: (pid: number) => number | undefined = procParent, maxDepth = 16): Ancestor[] {
  const chain: Ancestor[] = [];
  let cur = pid;
  while (cur > 1 && chain.length < maxDepth) {
    const ppid = parentOf(cur);
    if (ppid === undefined) break;
    chain.push({ pid: cur, ppid });
    cur = ppid;
  }
  return chain;
}

/**
 * The first ancestor of the recorded chain whose parent changed (it was reparented, so its
 * launcher is gone) or that is gone itself; undefined while the chain is intact.
 */
export function brokenLink(chain: Ancestor[], parentOf: (pid: number) => number | undefined = procParent): Ancestor | undefined {
  return chain.find((a) => parentOf(a.pid) !== a.ppid);
}

export const INTERRUPT_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface InterruptOptions {
  /** Told once, on the first interrupt, with what caused it. */
  onInterrupt: (why: string) => void;
  /** A second interrupt at least `repeatMs` after the first: kill what is left and exit. */
  onForce: () => void;
  repeatMs?: number;
  pollMs?: number;
  /** Injected for tests. */
  parentOf?: (pid: number) => number | undefined;
  pid?: number;
  now?: () => number;
}

export interface InterruptHandle {
  signal: AbortSignal;
  /** Feeds one interrupt (what a signal or a broken chain does). */
  interrupt(why: string): void;
  /** One poll of the launcher chain (run every pollMs). */
  checkLauncher(): void;
  dispose(): void;
}

/** Creates the abort signal of a run and the interrupt rules; `install` also hooks the process. */
export function interruptHandling(o: InterruptOptions): InterruptHandle {
  const abort = new AbortController();
  const now = o.now ?? Date.now;
  const repeatMs = o.repeatMs ?? 1000;
  const parentOf = o.parentOf ?? procParent;
  const chain = ancestry(o.pid ?? process.pid, parentOf, 1);
  let firstAt = 0;
  let count = 0;
  let orphanReported = false;
  const interrupt = (why: string) => {
    // A terminal's Ctrl-C reaches the whole process group and npm forwards it again, so one
    // press can arrive twice within milliseconds: only a second interrupt a moment later
    // means "kill now".
    if (count > 0 && now() - firstAt < repeatMs) return;
    count++;
    if (count === 1) {
      firstAt = now();
      o.onInterrupt(why);
      abort.abort();
    } else o.onForce();
  };
  const checkLauncher = () => {
    if (orphanReported) return;
    const broken = brokenLink(chain, parentOf);
    if (!broken) return;
    orphanReported = true;
    interrupt(`its launcher (pid ${broken.ppid}) is gone`);
  };
  return { signal: abort.signal, interrupt, checkLauncher, dispose: () => undefined };
}

/** interruptHandling hooked to SIGINT, SIGTERM, SIGHUP and a one-second launcher poll. */
export function installInterruptHandling(o: InterruptOptions): InterruptHandle {
  const h = interruptHandling(o);
  const handlers = INTERRUPT_SIGNALS.map((sig) => {
    const fn = () => h.interrupt(sig);
    process.on(sig, fn);
    return [sig, fn] as const;
  });
  // A launcher that went away may have taken the terminal or pipe with it: never crash on EPIPE.
  const ignore = () => undefined;
  process.stdout.on('error', ignore);
  process.stderr.on('error', ignore);
  const timer = setInterval(() => h.checkLauncher(), o.pollMs ?? 1000);
  timer.unref();
  return {
    ...h,
    dispose: () => {
      clearInterval(timer);
      for (const [sig, fn] of handlers) process.removeListener(sig, fn);
    },
  };
}
