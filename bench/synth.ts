/**
 * Synth time of each environment with and without the verification gate, as a user sees it
 * (`IOT_ENV=<env> npx tsx stacks/main.ts`, a fresh process each time, so Node and module
 * loading are included), plus the in-process time the gate itself reports.
 *
 * Run: `npx tsx bench/synth.ts` -> bench/results/synth.json
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRecord } from '../local/run/machine';

const ROOT = join(__dirname, '..');
const ENVIRONMENTS = ['dev', 'prod'];
const RUNS = 3;

function synthOnce(environment: string, skipVerify: boolean): { seconds: number; ok: boolean; detail: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const started = process.hrtime.bigint();
  let ok = true;
  let detail = '';
  try {
    detail = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'stacks', 'main.ts')], {
      cwd: ROOT,
      env: { ...process.env, IOT_ENV: environment, CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: outdir, ...(skipVerify ? { IOT_SKIP_VERIFY: '1' } : {}) },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    }).trim();
  } catch (err) {
    // A failing gate still measures the synth + verification time; the verdict is recorded.
    ok = false;
    detail = String((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split('\n').slice(-1)[0] ?? '';
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, ok, detail };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r2 = (n: number) => Math.round(n * 100) / 100;

function main(): void {
  const results = [];
  for (const environment of ENVIRONMENTS) {
    const withGate: number[] = [];
    const withoutGate: number[] = [];
    let verdict = '';
    for (let i = 0; i < RUNS; i++) {
      const a = synthOnce(environment, true);
      withoutGate.push(a.seconds);
      const b = synthOnce(environment, false);
      withGate.push(b.seconds);
      verdict = b.ok ? 'pass' : `fail (${b.detail.slice(0, 160)})`;
    }
    const entry = {
      environment,
      runs: RUNS,
      withoutVerification: { medianSeconds: r2(median(withoutGate)), minSeconds: r2(Math.min(...withoutGate)) },
      withVerification: { medianSeconds: r2(median(withGate)), minSeconds: r2(Math.min(...withGate)) },
      verificationOverheadSeconds: r2(median(withGate) - median(withoutGate)),
      gateVerdict: verdict,
    };
    process.stdout.write(
      `${environment}: synth ${entry.withoutVerification.medianSeconds} s, with verification ${entry.withVerification.medianSeconds} s (+${entry.verificationOverheadSeconds} s; gate ${verdict})\n`,
    );
    results.push(entry);
  }
  const file = join(__dirname, 'results', 'synth.json');
  writeRecord(file, 'synth', {
    what: 'wall time of `IOT_ENV=<env> npx tsx stacks/main.ts` in a fresh process (Node start and module loading included), median of runs, with IOT_SKIP_VERIFY=1 and without',
    results,
  });
  process.stdout.write(`wrote ${file}\n`);
}

main();
