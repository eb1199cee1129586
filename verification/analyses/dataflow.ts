/**
 * Dataflow job sizing shared by cost and capacity: machine type, worker bounds and the
 * workers the workload needs. The GA `google_dataflow_job` cannot set initial or minimum
 * workers; the stacks record them as labels `workers-initial` / `workers-min`, which are
 * read here (template parameters `numWorkers` / `autoscalingMinWorkers` too).
 */
import type { Resource } from '../graph/types';
import { bool, num, str } from './attributes';
import type { AnalysisContext } from './context';
import { oncePerResource } from './context';
import type { MachineType } from '../data';

export interface DataflowSizing {
  job: Resource;
  streaming: boolean;
  streamingEngine: boolean;
  machine: MachineType | undefined;
  machineTypeName: string | null;
  initialWorkers?: number;
  /** Worker counts read from the labels the stacks record (Dataflow does not apply them: launch flags must). */
  sizingFromLabels?: string[];
  minWorkers: number;
  /** Configured ceiling; undefined when unbounded (then `ceiling` applies and it is flagged). */
  maxWorkers: number | undefined | null;
  ceiling: number;
  eventsPerWorker: number | undefined;
}

function intHint(job: Resource, paths: string[]): number | undefined {
  for (const p of paths) {
    const v = num(job, p);
    if (typeof v === 'number' && v > 0) return v;
  }
  return undefined;
}

export const dataflowSizing = oncePerResource(function dataflowSizing(ctx: AnalysisContext, job: Resource): DataflowSizing {
  const templatePath = str(job, 'template_gcs_path') ?? '';
  const reads = ctx.topology.inputSubscriptionOf(job) !== undefined;
  const streaming = reads || /pubsub/i.test(templatePath ?? '') || job.type === 'google_dataflow_flex_template_job';
  const se = bool(job, 'enable_streaming_engine') === true;
  const configured = str(job, 'machine_type');
  const defaults = ctx.data.machineTypes.dataflowDefaults;
  const machineTypeName = configured === null ? null : configured ?? (se ? defaults.streamingEngine : defaults.streamingAppliance);
  const machine = machineTypeName ? ctx.data.machineType(machineTypeName) : undefined;
  const floor = ctx.data.perf('dataflow.min-workers').value;
  const minHint = intHint(job, ['labels.workers-min', 'parameters.autoscalingMinWorkers', 'parameters.minNumWorkers']);
  const initial = intHint(job, ['labels.workers-initial', 'parameters.numWorkers']);
  // Labels are the intent only: Dataflow applies none of them to the job's workers.
  const fromLabels = ['workers-initial', 'workers-min'].filter((l) => typeof num(job, `labels.${l}`) === 'number');
  const maxWorkers = num(job, 'max_workers');
  const perVcpu = ctx.data.perf('dataflow.events-per-vcpu').value;
  return {
    job,
    streaming,
    streamingEngine: se,
    machine,
    machineTypeName,
    initialWorkers: initial,
    sizingFromLabels: fromLabels.length > 0 ? fromLabels : undefined,
    minWorkers: Math.max(floor, minHint ?? floor),
    maxWorkers: maxWorkers === undefined ? undefined : maxWorkers,
    ceiling: ctx.data.perf('dataflow.max-workers-ceiling').value,
    eventsPerWorker: machine ? perVcpu * machine.vcpu : undefined,
  };
});

/** Workers the job needs for a rate, within its bounds. */
export function workersFor(s: DataflowSizing, eventsPerSecond: number): number | undefined {
  if (!s.eventsPerWorker) return undefined;
  const upper = typeof s.maxWorkers === 'number' ? s.maxWorkers : s.ceiling;
  return Math.min(upper, Math.max(s.minWorkers, Math.ceil(eventsPerSecond / s.eventsPerWorker)));
}
