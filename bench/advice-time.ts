/**
 * Advice time (patterns + re-verified what-if recommendations) on:
 *   1. the project's prod synth output (synthesized here with the gate off, into a temp dir);
 *   2. first-proposal's synth output (the design the advice must fix: the most re-verifications);
 *   3. the generated 10,000-resource plan of bench/verify-vs-parse.ts.
 * Each input: verification alone, the advice under the CLI's default budget (1000
 * re-verifications, 10 s time guard), the advice under the count alone (no time guard, the
 * deterministic figure), and the CLI end to end (`verify <input> --format json`).
 * Writes bench/results/advice-time.json with the machine's details.
 *
 *   npx tsx bench/advice-time.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { machineDetails } from '../local/run/machine';
import { join } from 'node:path';
import { adviseReport } from '../verification/advice';
import { evaluatorFromVerify } from '../verification/advice/evaluation';
import { verifyGraph } from '../verification/engine/verify';
import { loadInputWithSpec, loadTerraformJson } from '../verification/graph/load';
import { readSpecFile } from '../verification/graph/spec-file';
import type { Spec } from '../verification/spec/spec';
import { DEFAULT_ADVICE_SECONDS } from '../verification/cli/run';
import { generatePlan } from './verify-vs-parse';

const ROOT = join(__dirname, '..');
const TODAY = '2026-12-03';

function ms(start: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - start) / 1e5) / 10;
}

function synth(env: string): { file: string; spec: Spec } {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-advice-synth-'));
  const r = spawnSync('npx', ['tsx', 'stacks/main.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, IOT_ENV: env, IOT_SKIP_VERIFY: '1', CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' },
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`${env} synth failed: ${r.stderr.split('\n')[0]}`);
  const stacks = join(outdir, 'stacks');
  const dir = readdirSync(stacks).find((d) => d.includes(env) && existsSync(join(stacks, d, 'cdk.tf.json')));
  if (!dir) throw new Error(`no ${env} stack in ${stacks}`);
  return { file: join(stacks, dir, 'cdk.tf.json'), spec: readSpecFile(join(stacks, dir, 'spec.json')) };
}

function advice(file: string, spec: Spec, budget: { maxMillis?: number }) {
  const graph = loadTerraformJson(JSON.parse(readFileSync(file, 'utf8')), file);
  const verify = (g: typeof graph, s: Spec) => verifyGraph(g, s, { today: TODAY });
  let t = process.hrtime.bigint();
  const report = verify(graph, spec);
  const verifyMs = ms(t);
  t = process.hrtime.bigint();
  const a = adviseReport(graph, spec, report, { evaluate: evaluatorFromVerify(verify), budget });
  const adviceMs = ms(t);
  return {
    resources: graph.resources.length,
    verdict: report.verdict,
    verifyMs,
    adviceMs,
    evaluations: a.budget.evaluations,
    msPerEvaluation: a.budget.evaluations > 0 ? Math.round((a.budget.elapsedMs / a.budget.evaluations) * 10) / 10 : null,
    exhausted: a.budget.exhausted,
    ...(a.budget.stoppedBy ? { stoppedBy: a.budget.stoppedBy, stoppedDuring: a.budget.stoppedDuring } : {}),
    recommendations: a.recommendations.length,
    planFound: a.recommendations.some((r) => r.scope === 'plan'),
    unfixed: a.unfixed.length,
    patterns: a.patterns.length,
  };
}

function cli(file: string, specFile: string) {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-advice-cli-')), 'report.json');
  const t = process.hrtime.bigint();
  const r = spawnSync('npx', ['tsx', 'verification/cli/main.ts', file, '--spec', specFile, '--format', 'json', '--out', out, '--today', TODAY], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  const wallMs = ms(t);
  const budget = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { adviceBudget?: { evaluations: number; elapsedMs: number; exhausted: boolean; stoppedBy?: string } }).adviceBudget : undefined;
  return { wallMs, exit: r.status, ...(budget ? { adviceMs: budget.elapsedMs, evaluations: budget.evaluations, exhausted: budget.exhausted, ...(budget.stoppedBy ? { stoppedBy: budget.stoppedBy } : {}) } : {}) };
}

function measure(name: string, file: string, spec: Spec, specFile: string) {
  process.stderr.write(`measuring ${name}\n`);
  const defaults = advice(file, spec, { maxMillis: DEFAULT_ADVICE_SECONDS * 1000 });
  process.stderr.write(`  default budget: advice ${defaults.adviceMs} ms, ${defaults.evaluations} re-verifications\n`);
  const countOnly = advice(file, spec, {});
  process.stderr.write(`  count only: advice ${countOnly.adviceMs} ms, ${countOnly.evaluations} re-verifications\n`);
  const end = cli(file, specFile);
  process.stderr.write(`  CLI ${end.wallMs} ms\n`);
  return { input: name, defaultBudget: defaults, countBudgetOnly: countOnly, cliEndToEnd: end };
}

function main(): void {
  const results: Record<string, unknown> = {
    name: 'advice-time',
    machine: { ...machineDetails(), loadAverage1m: Math.round(loadavg()[0] * 10) / 10 },
    method: `one timed run each (advice runs are seconds long); verification --today ${TODAY}; default budget = the CLI's (1000 re-verifications, ${DEFAULT_ADVICE_SECONDS} s time guard); count only = 1000 re-verifications, no time guard; CLI = spawned 'npx tsx verification/cli/main.ts <input> --format json --out <tmp>' wall time, tsx start-up included`,
  };
  const dir = mkdtempSync(join(tmpdir(), 'bench-advice-'));
  for (const env of ['prod', 'first-proposal']) {
    try {
      const s = synth(env);
      const specFile = join(dir, `${env}-spec.json`);
      writeFileSync(specFile, JSON.stringify(s.spec));
      results[env === 'prod' ? 'prodSynth' : 'firstProposalSynth'] = measure(`${env} synth output (cdk.tf.json)`, s.file, s.spec, specFile);
    } catch (e) {
      results[env === 'prod' ? 'prodSynth' : 'firstProposalSynth'] = { error: (e as Error).message };
    }
  }
  const specFile = join(ROOT, 'test/fixtures/verification/synth-folder/stacks/prod-ingestion/spec.json');
  const spec = loadInputWithSpec(join(ROOT, 'test/fixtures/verification/synth-folder')).spec!;
  const plan = join(dir, 'plan-10k.json');
  writeFileSync(plan, JSON.stringify(generatePlan(2500)));
  results.generatedPlan = measure('generated plan, 2,500 module instances x 4 resources', plan, spec, specFile);

  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const out = join(ROOT, 'bench/results/advice-time.json');
  const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>) : {};
  // the figures measured before the budget and the indexed graph lookups, kept beside the new ones
  if (previous.before) results.before = previous.before;
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\nwrote ${out}\n`);
}

if (require.main === module) main();
