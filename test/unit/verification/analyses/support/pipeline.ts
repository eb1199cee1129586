/**
 * Test support for the models and rules: the hand-written reference pipeline
 * (test/fixtures/verification/models/pipeline.tf.json), a spec with round numbers, and
 * helpers to edit the Terraform JSON and run the analyses or a rule on it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTerraformJson } from '../../../../../verification/graph/load';
import { buildModel } from '../../../../../verification/model';
import { runAnalyses } from '../../../../../verification/analyses';
import { createContext, type AnalysisContext } from '../../../../../verification/analyses/context';
import type { UsageOverrides } from '../../../../../verification/analyses/usage';
import type { AnalysisResults, Finding, Rule } from '../../../../../verification/engine/types';
import type { Graph } from '../../../../../verification/graph/types';
import type { Constraints, Spec, Workload } from '../../../../../verification/spec/spec';

export const MODELS_FIXTURES = join(__dirname, '..', '..', '..', '..', 'fixtures', 'verification', 'models');

type Doc = { resource: Record<string, Record<string, Record<string, unknown>>>; [k: string]: unknown };

export function pipelineDoc(): Doc {
  return JSON.parse(readFileSync(join(MODELS_FIXTURES, 'pipeline.tf.json'), 'utf8')) as Doc;
}

/**
 * Round numbers: 10,000 events/s of 1,000 B, no bursts unless a test adds them (so the
 * month-mean rate equals the average), 60,000 devices in 60 s windows = 1,000 aggregate
 * rows/s, 100 events per ingest request.
 */
export const WORKLOAD: Workload = {
  averageEventsPerSecond: 10_000,
  burstEventsPerSecond: 50_000,
  burstDurationSeconds: 60,
  burstsPerDay: 0,
  eventSizeBytes: 1_000,
  eventsPerMessage: 1,
  eventsPerIngestRequest: 100,
  deviceCount: 60_000,
  queryRatePerSecond: 50,
  aggregateWindowSeconds: 60,
  watermarkDelaySeconds: 5,
  hotWindowHours: 6,
};

export const CONSTRAINTS: Constraints = {
  latencyP99Ms: 100,
  latencyP50Ms: 50,
  sustainedEventsPerSecond: 10_000,
  burstEventsPerSecond: 50_000,
  monthlyBudgetUsd: 8_000,
  availability: 0.9999,
  retentionDays: 30,
  rpoMinutes: 5,
  rtoMinutes: 15,
};

export function testSpec(workload: Partial<Workload> = {}, constraints: Partial<Constraints> = {}): Spec {
  return {
    version: 1,
    environment: 'test',
    invariants: [
      { id: 'no_data_loss', statement: 'no loss' },
      { id: 'exactly_once_aggregation', statement: 'exactly once' },
      { id: 'ordered_within_partition', statement: 'ordered' },
    ],
    properties: [
      { id: 'event_processed', operator: 'WITHIN', boundMs: 100, percentile: 99, statement: 'processed' },
      { id: 'dashboard_updated', operator: 'WITHIN', boundMs: 5_000, statement: 'fresh' },
      { id: 'batch_job_complete', operator: 'EVENTUALLY', boundMs: 3_600_000, statement: 'batch' },
    ],
    constraints: { ...CONSTRAINTS, ...constraints },
    workload: { ...WORKLOAD, ...workload },
    assumptions: [],
  };
}

export interface Options {
  workload?: Partial<Workload>;
  constraints?: Partial<Constraints>;
  usage?: UsageOverrides;
  /** Verification date for date-dependent rules (supported runtimes); default TEST_TODAY. */
  today?: string;
}

/** The date rule tests verify at, as the engine passes `--today`. */
export const TEST_TODAY = '2026-12-03';

export function graphOf(doc: Doc): Graph {
  return loadTerraformJson(doc, 'pipeline.tf.json');
}

export function contextOf(doc: Doc, o: Options = {}): AnalysisContext {
  const graph = graphOf(doc);
  return createContext({ graph, model: buildModel(graph), spec: testSpec(o.workload, o.constraints), ...(o.usage ? { usage: o.usage } : {}) });
}

export function analyse(doc: Doc, o: Options = {}): AnalysisResults {
  const graph = graphOf(doc);
  return runAnalyses({ graph, model: buildModel(graph), spec: testSpec(o.workload, o.constraints), ...(o.usage ? { usage: o.usage } : {}) });
}

export function check(rule: Rule, doc: Doc, o: Options = {}): Finding[] {
  const graph = graphOf(doc);
  const model = buildModel(graph);
  const spec = testSpec(o.workload, o.constraints);
  const analyses = runAnalyses({ graph, model, spec, ...(o.usage ? { usage: o.usage } : {}) });
  return rule.check({ graph, model, spec, analyses, today: o.today ?? TEST_TODAY });
}

/** Set a value at a dot path inside a resource of the document (creating objects on the way). */
export function set(doc: Doc, type: string, name: string, path: string, value: unknown): Doc {
  let cur = doc.resource[type][name] as Record<string, unknown>;
  const steps = path.split('.');
  for (const s of steps.slice(0, -1)) {
    if (typeof cur[s] !== 'object' || cur[s] === null) cur[s] = {};
    cur = cur[s] as Record<string, unknown>;
  }
  cur[steps[steps.length - 1]] = value;
  return doc;
}

export function unset(doc: Doc, type: string, name: string, path?: string): Doc {
  if (path === undefined) {
    delete doc.resource[type][name];
    return doc;
  }
  let cur = doc.resource[type][name] as Record<string, unknown>;
  const steps = path.split('.');
  for (const s of steps.slice(0, -1)) cur = cur[s] as Record<string, unknown>;
  delete cur[steps[steps.length - 1]];
  return doc;
}

export const statuses = (findings: Finding[]) => findings.map((f) => f.status);
export const line = (r: AnalysisResults, address: string, item: string | RegExp) =>
  r.cost.lines.find((l) => l.address === address && (typeof item === 'string' ? l.item === item : item.test(l.item)));

/**
 * The reference pipeline with a warm standby processor in europe-west1 (the prod design): a copy
 * of the processor with `min` instances, gated on a backlog older than `threshold` s, polling every
 * 30 s, on its own service account, which holds `role` on the project (none when undefined).
 */
export function withGatedStandby(threshold: number | string, o: { min?: number; role?: string } = {}): Doc {
  const doc = pipelineDoc();
  const standby = JSON.parse(JSON.stringify(doc.resource.google_cloud_run_v2_service.processor)) as {
    location: string;
    template: { service_account: string; scaling: Record<string, number>; containers: { env: { name: string; value: string }[] } };
  };
  standby.location = 'europe-west1';
  standby.template.scaling.min_instance_count = o.min ?? 1;
  standby.template.service_account = '${google_service_account.processor_eu.email}';
  standby.template.containers.env = [
    ...standby.template.containers.env.map((e) => (e.name === 'SERVICE_REGION' ? { ...e, value: 'europe-west1' } : e)),
    { name: 'STANDBY_BACKLOG_AGE_SECONDS', value: String(threshold) },
    { name: 'STANDBY_POLL_SECONDS', value: '30' },
    { name: 'STANDBY_COOLDOWN_SECONDS', value: '300' },
  ];
  doc.resource.google_cloud_run_v2_service.processor_eu = standby as never;
  doc.resource.google_service_account.processor_eu = { account_id: 'processor-eu' };
  if (o.role) {
    doc.resource.google_project_iam_member = {
      ...(doc.resource.google_project_iam_member ?? {}),
      processor_eu_metrics: { project: 'p', role: o.role, member: 'serviceAccount:${google_service_account.processor_eu.email}' },
    };
  }
  return doc;
}
