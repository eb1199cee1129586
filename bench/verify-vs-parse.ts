/**
 * Verification time against JSON.parse time of the same input:
 *   1. the project's own prod synth output (synthesized here with the gate off, into a temp dir);
 *   2. a generated 10,000-resource plan (modules with for_each keys, pending values, references).
 * Targets: verify <= 3x parse on the prod synth output; the 10,000-resource plan verifies in < 2 s.
 * Writes bench/results/verify-vs-parse.json with the machine's details.
 *
 *   npx tsx bench/verify-vs-parse.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { machineDetails } from '../local/run/machine';
import { join } from 'node:path';
import { runAnalyses } from '../verification/analyses';
import { verifyGraph } from '../verification/engine/verify';
import { loadInputWithSpec, loadTerraformJson } from '../verification/graph/load';
import { readSpecFile } from '../verification/graph/spec-file';
import { buildModel } from '../verification/model';
import { RULES } from '../verification/rules';
import type { Spec } from '../verification/spec/spec';

const ROOT = join(__dirname, '..');
const ROUNDS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs slower than this are measured once: precision does not matter that far from the target. */
const SLOW_MS = 3000;

function timeMs(fn: () => unknown, rounds = ROUNDS): number {
  // Warm up: JIT and module-level caches (data files are read once per process).
  const w = process.hrtime.bigint();
  fn();
  const warm = Number(process.hrtime.bigint() - w) / 1e6;
  const samples: number[] = [];
  for (let i = 0; i < (warm > SLOW_MS ? 1 : rounds); i++) {
    const t = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return Math.round(median(samples) * 1000) / 1000;
}

/** Stage by stage, so a slow stage is visible. */
function stages(text: string, path: string, spec: Spec) {
  const doc = JSON.parse(text);
  const graph = loadTerraformJson(doc, path);
  const model = buildModel(graph);
  const analyses = runAnalyses({ graph, model, spec });
  // Evaluated once up front, so the rules stage times the rules alone.
  void [analyses.cost, analyses.latency, analyses.capacity, analyses.availability, analyses.dr, analyses.retention];
  return {
    parseMs: timeMs(() => JSON.parse(text)),
    loadGraphMs: timeMs(() => loadTerraformJson(JSON.parse(text), path)) ,
    modelMs: timeMs(() => buildModel(graph)),
    // The analyses run when first read (runAnalyses returns memoised getters): read them all here,
    // so this stage is their cost and the rules stage below reads finished results.
    analysesMs: timeMs(() => {
      const a = runAnalyses({ graph, model, spec });
      return [a.cost, a.latency, a.capacity, a.availability, a.dr, a.retention];
    }, 5),
    rulesMs: timeMs(() => RULES.forEach((r) => r.check({ graph, model, spec, analyses }))),
    resources: graph.resources.length,
  };
}

function measure(name: string, text: string, path: string, spec: Spec) {
  process.stderr.write(`measuring ${name}\n`);
  const parseMs = timeMs(() => JSON.parse(text));
  // End to end from text: parse + graph + model + analyses + rules + waivers + verdict.
  const verifyMs = timeMs(() => verifyGraph(loadTerraformJson(JSON.parse(text), path), spec), 5);
  process.stderr.write(`  verify ${verifyMs} ms, parse ${parseMs} ms\n`);
  const detail = stages(text, path, spec);
  return {
    input: name,
    bytes: Buffer.byteLength(text),
    resources: detail.resources,
    parseMs,
    verifyMs,
    ratio: Math.round((verifyMs / parseMs) * 100) / 100,
    stagesMs: { loadGraphIncludingParse: detail.loadGraphMs, model: detail.modelMs, analyses: detail.analysesMs, rules: detail.rulesMs },
  };
}

function synthProd(): { file: string; spec: Spec } {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const r = spawnSync('npx', ['tsx', 'stacks/main.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, IOT_ENV: 'prod', IOT_SKIP_VERIFY: '1', CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' },
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`prod synth failed: ${r.stderr.split('\n')[0]}`);
  const stacks = join(outdir, 'stacks');
  const dir = readdirSync(stacks).find((d) => d.includes('prod') && existsSync(join(stacks, d, 'cdk.tf.json')));
  if (!dir) throw new Error(`no prod stack in ${stacks}`);
  return { file: join(stacks, dir, 'cdk.tf.json'), spec: readSpecFile(join(stacks, dir, 'spec.json')) };
}

/** A plan of `groups` module instances, each with 4 resources, plus their configuration. */
export function generatePlan(groups: number): unknown {
  const G = 'registry.terraform.io/hashicorp/google';
  const planned: unknown[] = [];
  const changes: unknown[] = [];
  const children: unknown[] = [];
  for (let i = 0; i < groups; i++) {
    const key = `tenant.${i}["x"]`;
    const mod = `module.tenant[${JSON.stringify(key)}]`;
    const resources: unknown[] = [];
    const add = (type: string, name: string, values: Record<string, unknown>, unknown: Record<string, unknown>, actions = ['create']) => {
      const address = `${mod}.${type}.${name}`;
      resources.push({ address, mode: 'managed', type, name, provider_name: G, schema_version: 0, values, sensitive_values: {} });
      changes.push({ address, module_address: mod, mode: 'managed', type, name, provider_name: G, change: { actions, before: null, after: values, after_unknown: unknown, before_sensitive: false, after_sensitive: {} } });
    };
    add('google_pubsub_topic', 'events', { name: `events-${i}` }, { id: true });
    add('google_pubsub_topic', 'dead_letter', { name: `dead-${i}` }, { id: true });
    add('google_pubsub_subscription', 'pull', { name: `pull-${i}`, dead_letter_policy: [{ max_delivery_attempts: 5 }], push_config: [] }, { id: true, topic: true, dead_letter_policy: [{ dead_letter_topic: true }] });
    add('google_bigquery_table', 'archive', { table_id: `archive_${i}`, dataset_id: 'iot_analytics', deletion_protection: true }, { id: true });
    children.push({ address: mod, resources });
  }
  const moduleResources = [
    { address: 'google_pubsub_topic.events', mode: 'managed', type: 'google_pubsub_topic', name: 'events', provider_config_key: 'google', expressions: { name: { references: ['each.key'] } } },
    { address: 'google_pubsub_topic.dead_letter', mode: 'managed', type: 'google_pubsub_topic', name: 'dead_letter', provider_config_key: 'google', expressions: {} },
    {
      address: 'google_pubsub_subscription.pull', mode: 'managed', type: 'google_pubsub_subscription', name: 'pull', provider_config_key: 'google',
      expressions: { topic: { references: ['google_pubsub_topic.events.id', 'google_pubsub_topic.events'] }, dead_letter_policy: [{ dead_letter_topic: { references: ['google_pubsub_topic.dead_letter.id', 'google_pubsub_topic.dead_letter'] } }] },
    },
    { address: 'google_bigquery_table.archive', mode: 'managed', type: 'google_bigquery_table', name: 'archive', provider_config_key: 'google', expressions: { dataset_id: { references: ['var.dataset'] } } },
  ];
  return {
    format_version: '1.2',
    terraform_version: '1.9.8',
    planned_values: { root_module: { resources: [], child_modules: children } },
    resource_changes: changes,
    configuration: {
      provider_config: { google: { name: 'google', full_name: G, expressions: { region: { constant_value: 'us-central1' } } } },
      root_module: { module_calls: { tenant: { source: './tenant', for_each_expression: { references: ['var.tenants'] }, expressions: { dataset: { constant_value: 'iot_analytics' } }, module: { resources: moduleResources, variables: { dataset: {} } } } } },
    },
  };
}

function main(): void {
  const results: Record<string, unknown> = {
    name: 'verify-vs-parse',
    machine: { ...machineDetails(), loadAverage1m: Math.round(loadavg()[0] * 10) / 10 },
    method: `median of ${ROUNDS} runs after a warm-up (5 for whole verifications; a single timed run when the warm-up exceeds ${SLOW_MS} ms); verify = JSON.parse + graph + model + analyses + rules + verdict, from the same text`,
  };

  try {
    const prod = synthProd();
    const text = readFileSync(prod.file, 'utf8');
    const m = measure('prod synth output (cdk.tf.json)', text, prod.file, prod.spec);
    results.prodSynth = { ...m, target: 'verify <= 3x parse', met: m.ratio <= 3 };
  } catch (e) {
    results.prodSynth = { error: (e as Error).message };
  }

  const spec = loadInputWithSpec(join(ROOT, 'test/fixtures/verification/synth-folder')).spec!;
  const planText = JSON.stringify(generatePlan(2500));
  const p = measure('generated plan, 2,500 module instances x 4 resources', planText, 'generated-plan.json', spec);
  results.generatedPlan = { ...p, target: 'verify < 2000 ms', met: p.verifyMs < 2000 };

  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const out = join(ROOT, 'bench/results/verify-vs-parse.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\nwrote ${out}\n`);
}

if (require.main === module) main();
