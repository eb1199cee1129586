import { ancestry, brokenLink, interruptHandling } from '../../../local/run/interrupt';

// node (40) <- tsx (30) <- sh (20) <- npm (10) <- shell (5) <- init
const tree = (): Map<number, number> => new Map([[40, 30], [30, 20], [20, 10], [10, 5], [5, 1]]);

describe('interrupt handling', () => {
  it('records the launcher chain up to init', () => {
    const t = tree();
    expect(ancestry(40, (p) => t.get(p))).toEqual([
      { pid: 40, ppid: 30 },
      { pid: 30, ppid: 20 },
      { pid: 20, ppid: 10 },
      { pid: 10, ppid: 5 },
      { pid: 5, ppid: 1 },
    ]);
  });

  it('watches only the direct parent: an ancestor above it going away is a run in the background, not an interrupt', () => {
    const t = tree();
    const why: string[] = [];
    const h = interruptHandling({ pid: 40, parentOf: (p) => t.get(p), onInterrupt: (w) => why.push(w), onForce: () => undefined });
    // `npm run local &` from a shell that exits: npm (10) is reparented to init, the run's parent lives.
    t.delete(5);
    t.set(10, 1);
    h.checkLauncher();
    expect(h.signal.aborted).toBe(false);
    // The launcher itself killed (SIGKILL): the run is reparented.
    t.delete(30);
    t.set(40, 1);
    h.checkLauncher();
    expect(h.signal.aborted).toBe(true);
    expect(why).toEqual(['its launcher (pid 30) is gone']);
  });

  it('finds the first link of a recorded chain whose parent changed', () => {
    const t = tree();
    const chain = ancestry(40, (p) => t.get(p));
    expect(brokenLink(chain, (p) => t.get(p))).toBeUndefined();
    t.delete(20);
    t.set(30, 1);
    expect(brokenLink(chain, (p) => t.get(p))).toEqual({ pid: 30, ppid: 20 });
  });

  it('treats an orphaned run as an interrupt, once, and a second signal a second later as force', () => {
    const t = tree();
    let clock = 0;
    const why: string[] = [];
    let forced = 0;
    const h = interruptHandling({ pid: 40, parentOf: (p) => t.get(p), now: () => clock, onInterrupt: (w) => why.push(w), onForce: () => forced++ });
    h.checkLauncher();
    expect(h.signal.aborted).toBe(false);
    t.set(40, 1); // tsx gone: node reparented to init
    h.checkLauncher();
    h.checkLauncher();
    expect(h.signal.aborted).toBe(true);
    expect(why).toEqual(['its launcher (pid 30) is gone']);
    // The same Ctrl-C relayed by npm and tsx within milliseconds counts once...
    clock = 200;
    h.interrupt('SIGINT');
    expect(forced).toBe(0);
    // ...a second one later kills at once.
    clock = 1500;
    h.interrupt('SIGTERM');
    expect(forced).toBe(1);
  });
});
