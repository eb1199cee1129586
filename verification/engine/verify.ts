/**
 * The verifier: graph -> model -> analyses -> rules -> waivers -> verdict.
 * `verifyGraph` is pure (no I/O), so the advice stage can re-run it on edited graphs.
 */
import { runAnalyses } from '../analyses';
import { loadInputWithSpec, loadTerraformJson } from '../graph/load';
import type { Graph } from '../graph/types';
import { buildModel } from '../model';
import { RULES } from '../rules';
import type { Spec } from '../spec/spec';
import { applyWaivers, EXPIRED_WAIVER_RULE } from '../waivers/apply';
import { InputError } from './errors';
import { specItemVerdicts } from './spec-items';
import { COMPONENT_IDS, type Finding, type Rule, type RuleContext, type RuleResult, type VerificationReport, type Waiver } from './types';
import { validateSpec } from '../graph/spec-file';

type UsageOverrides = NonNullable<Parameters<typeof runAnalyses>[0]['usage']>;

export interface VerifyGraphOptions {
  /** ISO date that decides waiver expiry; defaults to the current UTC date. */
  today?: string;
  waivers?: readonly Waiver[];
  usage?: UsageOverrides;
  /** Rules to run; defaults to every registered rule. */
  rules?: readonly Rule[];
}

export function verifyGraph(graph: Graph, spec: Spec, options: VerifyGraphOptions = {}): VerificationReport {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const model = buildModel(graph);
  const analyses = runAnalyses(options.usage ? { graph, model, spec, usage: options.usage } : { graph, model, spec });
  const ctx: RuleContext = { graph, model, spec, analyses, today };
  const rules = options.rules ?? RULES;

  const raw: RuleResult[] = [];
  for (let k = 0; k < rules.length; k++) {
    const findings = runRule(rules[k], ctx);
    for (let i = 0; i < findings.length; i++) raw.push(toResult(rules[k], findings[i]));
  }
  const waivers = options.waivers ?? [];
  // With no waivers there is nothing to apply and nothing to warn about.
  const waived = waivers.length === 0 ? { results: raw, warnings: [] } : applyWaivers(raw, waivers, today, new Map(rules.map((r) => [r.id, r.specItem] as const)));
  const results = sortResults(waived.results);
  const specItems = specItemVerdicts(spec, results, analyses);

  const blocking = results.some((r) => r.severity === 'error' && (r.status === 'fail' || r.status === 'unknown'));
  // A spec item no rule evaluates is unknown, and unknown never passes.
  const judged = new Set<string>();
  for (let i = 0; i < results.length; i++) judged.add(results[i].specItem);
  const unjudged = specItems.some((i) => !judged.has(i.item));
  return {
    schemaVersion: 1,
    verdict: blocking || unjudged ? 'fail' : 'pass',
    input: inputSummary(graph, results),
    spec,
    components: COMPONENT_IDS.map((id) => ({ id, resources: (model.components.get(id) ?? []).map((r) => r.address) })),
    flows: model.flows,
    specItems,
    results,
    cost: analyses.cost,
    latency: analyses.latency,
    capacity: analyses.capacity,
    availability: analyses.availability,
    dr: analyses.dr,
    retention: analyses.retention,
    warnings: [...graph.warnings, ...analyses.cost.warnings, ...(analyses.latency.warnings ?? []), ...waived.warnings],
  };
}

function inputSummary(graph: Graph, results: RuleResult[]): VerificationReport['input'] {
  const input: VerificationReport['input'] = { kind: graph.source.kind, path: graph.source.path, resources: graph.resources.length };
  if (graph.files) input.files = graph.files;
  const stackOf: Record<string, string> = {};
  let any = false;
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (!r.address) continue;
    const stack = (graph.byAddress.get(r.address) ?? (graph.removed.length > 0 ? graph.removed.find((x) => x.address === r.address) : undefined))?.stack;
    if (stack) {
      stackOf[r.address] = stack;
      any = true;
    }
  }
  if (any) input.stackOf = stackOf;
  return input;
}

/** For the synth gate: an in-memory document (`stack.toTerraform()`) and the environment's spec. */
export function verifyTerraformJson(
  doc: unknown,
  options: { spec: Spec; sourcePath?: string; today?: string; waivers?: Waiver[] },
): VerificationReport {
  const spec = validateSpec(options.spec, 'spec');
  const graph = loadTerraformJson(doc, options.sourcePath ?? '<in-memory>');
  return verifyGraph(graph, spec, { today: options.today, waivers: options.waivers });
}

/** Loads a path and settles the spec (given, else spec.json beside the input). */
export function loadForVerification(path: string, options: { spec?: Spec; env?: string } = {}): { graph: Graph; spec: Spec } {
  const loaded = loadInputWithSpec(path, options.env ? { env: options.env } : {});
  const spec = options.spec ?? loaded.spec;
  if (!spec) {
    throw new InputError(`${path}: no spec found (no spec.json beside the input); pass one with --spec`);
  }
  // Judging one environment against another's spec would print a verdict for neither.
  if (options.env && spec.environment !== options.env) {
    throw new InputError(`${path}: --env ${options.env} but the spec ${options.spec ? 'given' : 'beside the input'} is for ${spec.environment}`);
  }
  // Judging an input against another environment's spec can be meant (a stricter spec), but
  // must not pass unnoticed: the report says whose spec it used.
  if (options.spec && loaded.spec && loaded.spec.environment !== options.spec.environment) {
    loaded.graph.warnings.push(`${path}: judged against the spec given (${options.spec.environment}), not the spec beside the input (${loaded.spec.environment})`);
  }
  return { graph: loaded.graph, spec };
}

/** For the CLI: a synth folder, one cdk.tf.json, or plan JSON; the spec beside it unless given. */
export function verifyPath(
  path: string,
  options: { spec?: Spec; env?: string; waivers?: Waiver[]; today?: string; usage?: UsageOverrides; rules?: readonly Rule[] } = {},
): VerificationReport {
  const { graph, spec } = loadForVerification(path, options);
  return verifyGraph(graph, spec, options);
}

/** A rule that throws yields one unknown (it never passes, and never stops the others). */
function runRule(rule: Rule, ctx: RuleContext): Finding[] {
  try {
    const findings = rule.check(ctx);
    if (findings.length > 0) return findings;
    return [{ status: 'pass', message: `nothing to check: no ${rule.reads.join(', ') || 'resources'} in the input` }];
  } catch (e) {
    return [
      {
        status: 'unknown',
        message: `rule could not run: ${(e as Error)?.message ?? String(e)}`,
        fix: `report this input to the verifier maintainers; the rule ${rule.id} failed on it`,
      },
    ];
  }
}

/**
 * Every result gets the same fields in the same order, absent ones undefined (the JSON report
 * omits them, so it reads exactly as with the fields left out): the engine reads the results in
 * several passes, and objects of one shape keep those reads cheap (a field present or not per
 * result made up to 32 shapes).
 */
function toResult(rule: Rule, f: Finding): RuleResult {
  return {
    rule: rule.id,
    title: rule.title,
    severity: rule.severity,
    specItem: rule.specItem,
    status: f.status,
    message: f.message,
    address: f.address,
    observed: f.observed,
    expected: f.expected,
    fix: f.fix,
    evidence: f.evidence,
  };
}

const STATUS_ORDER = { fail: 0, unknown: 1, waived: 2, pass: 3 } as const;
const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/**
 * Stable order: worst first, then rule id, then address (both by localeCompare). Status, severity
 * and rule id make one small number per result (rule ids ranked once, see ruleRanks), so the
 * results are put in that order by counting, and localeCompare runs only on the addresses of
 * results that share the number (the findings of one rule and status).
 */
function sortResults(results: readonly RuleResult[]): RuleResult[] {
  const ranks = ruleRanks(results);
  const keys = new Int32Array(results.length);
  const starts = new Int32Array(STATUS_COUNT * SEVERITY_COUNT * ranks.size + 1);
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    keys[i] = (STATUS_ORDER[r.status] * SEVERITY_COUNT + SEVERITY_ORDER[r.severity]) * ranks.size + ranks.get(r.rule)!;
    starts[keys[i] + 1]++;
  }
  // starts[k]: where the results of key k begin.
  for (let k = 1; k < starts.length; k++) starts[k] += starts[k - 1];
  const sorted = new Array<RuleResult>(results.length);
  const sortedKeys = new Int32Array(results.length);
  for (let i = 0; i < results.length; i++) {
    const at = starts[keys[i]]++;
    sorted[at] = results[i];
    sortedKeys[at] = keys[i];
  }
  // Each run of one key in address order, stably.
  for (let start = 0; start < sorted.length; ) {
    let end = start + 1;
    while (end < sorted.length && sortedKeys[end] === sortedKeys[start]) end++;
    if (end - start > 1) sortRunByAddress(sorted, start, end);
    start = end;
  }
  return sorted;
}

const STATUS_COUNT = 4;
const SEVERITY_COUNT = 3;
/** Longer runs are sorted by Array#sort (n log n); an insertion sort is quicker on a handful. */
const INSERTION_SORT_MAX = 24;

function sortRunByAddress(results: RuleResult[], start: number, end: number): void {
  if (end - start > INSERTION_SORT_MAX) {
    const run = results.slice(start, end).sort((a, b) => (a.address ?? '').localeCompare(b.address ?? ''));
    for (let i = 0; i < run.length; i++) results[start + i] = run[i];
    return;
  }
  for (let i = start + 1; i < end; i++) {
    const r = results[i];
    const address = r.address ?? '';
    let j = i;
    while (j > start && (results[j - 1].address ?? '').localeCompare(address) > 0) {
      results[j] = results[j - 1];
      j--;
    }
    results[j] = r;
  }
}

/**
 * Each distinct rule id's place in localeCompare order; ids that compare equal share a place.
 * The ids of the registered rules are ranked once per process (a constant table); other ids
 * (a caller's own rules) are ranked with them per call.
 */
function ruleRanks(results: readonly RuleResult[]): Map<string, number> {
  let known = true;
  for (let i = 0; i < results.length; i++) if (!REGISTERED_IDS.has(results[i].rule)) known = false;
  if (known) return (registeredRanks ??= rankByLocale(REGISTERED_IDS));
  const ids = new Set(REGISTERED_IDS);
  for (const r of results) ids.add(r.rule);
  return rankByLocale(ids);
}

const REGISTERED_IDS: ReadonlySet<string> = new Set([...RULES.map((r) => r.id), EXPIRED_WAIVER_RULE]);
let registeredRanks: Map<string, number> | undefined;

function rankByLocale(distinctIds: ReadonlySet<string>): Map<string, number> {
  const ids = [...distinctIds].sort((a, b) => a.localeCompare(b));
  const rank = new Map<string, number>();
  let place = 0;
  for (let i = 0; i < ids.length; i++) {
    if (i > 0 && ids[i - 1].localeCompare(ids[i]) !== 0) place++;
    rank.set(ids[i], place);
  }
  return rank;
}
