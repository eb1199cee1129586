/**
 * Dataflow sizing: machine type and the worker ceiling of each streaming job. A ceiling is
 * set where none is; lowering it or the machine type cuts cost, raising them adds capacity.
 */
import { loadVerifierData } from '../../../data';
import type { Resource } from '../../../graph/types';
import { labelsOf, num, ofType, str } from '../../graph-query';
import type { GraphChange } from '../../types';
import { candidate, ladder, set, type Candidate, type ChangeGenerator } from '../generator';

const GROWTH_FACTOR = 3;
/** Ceilings proposed for a job with none. */
const CEILINGS = [1, 2, 3, 5, 10, 20, 50];

/** Machine types of the same family ("n1-standard") ordered by vCPU. */
export function familyLadder(machineType: string): string[] {
  const family = machineType.replace(/-\d+$/, '');
  return Object.entries(loadVerifierData().machineTypes.machineTypes)
    .filter(([name]) => name.replace(/-\d+$/, '') === family)
    .sort((a, b) => a[1].vcpu - b[1].vcpu)
    .map(([name]) => name);
}

/** Initial and minimum workers may not exceed a lowered ceiling. */
function clampWorkerLabels(job: Resource, max: number): GraphChange[] {
  const labels = labelsOf(job);
  return ['workers-initial', 'workers-min']
    .filter((l) => (num(labels[l]) ?? 0) > max)
    .map((l) => set(job, `labels.${l}`, String(max)));
}

export const dataflowSizing: ChangeGenerator = {
  id: 'dataflow-sizing',
  targets: ['monthly_cost', 'throughput_sustained', 'throughput_burst', 'batch_job_complete'],
  generate({ graph }) {
    const out: Candidate[] = [];
    for (const job of ofType(graph, 'google_dataflow_job', 'google_dataflow_flex_template_job')) {
      const max = num(job.values.max_workers);
      if (max === undefined) {
        // highest ceiling first: the ladder stops at the mildest bound that fixes the cost
        for (const c of [...CEILINGS].reverse()) out.push(candidate(this.id, `set max workers of ${job.address} to ${c}`, [set(job, 'max_workers', c)], ['monthly_cost'], `${job.address}:set-max`));
      } else {
        for (const c of ladder(max - 1, 1, -1)) out.push(candidate(this.id, `lower max workers of ${job.address} to ${c}`, [set(job, 'max_workers', c), ...clampWorkerLabels(job, c)], ['monthly_cost'], `${job.address}:max-down`));
        for (const c of ladder(max + 1, max * GROWTH_FACTOR)) out.push(candidate(this.id, `raise max workers of ${job.address} to ${c}`, [set(job, 'max_workers', c)], ['throughput_sustained', 'throughput_burst', 'batch_job_complete'], `${job.address}:max-up`));
      }
      // the initial and minimum worker counts the stacks record as labels: fewer always-on workers
      for (const label of ['workers-min', 'workers-initial']) {
        const n = num(labelsOf(job)[label]);
        if (n === undefined || n <= 1) continue;
        for (const c of ladder(n - 1, 1, -1)) {
          const changes = [set(job, `labels.${label}`, String(c))];
          if (label === 'workers-min') {
            const initial = num(labelsOf(job)['workers-initial']);
            if (initial !== undefined && initial < c) changes.push(set(job, 'labels.workers-initial', String(c)));
          }
          out.push(candidate(this.id, `lower the ${label === 'workers-min' ? 'minimum' : 'initial'} workers of ${job.address} to ${c}`, changes, ['monthly_cost'], `${job.address}:${label}-down`));
        }
      }
      const machine = str(job.values.machine_type);
      if (machine) {
        const family = familyLadder(machine);
        const at = family.indexOf(machine);
        family.forEach((m, i) => {
          if (i === at) return;
          out.push(candidate(this.id, `${i < at ? 'use the smaller' : 'use the larger'} machine type ${m} for ${job.address}`, [set(job, 'machine_type', m)], i < at ? ['monthly_cost'] : ['throughput_sustained', 'throughput_burst', 'batch_job_complete']));
        });
      }
      if (job.values.enable_streaming_engine !== true) {
        out.push(candidate(this.id, `enable Streaming Engine on ${job.address}`, [set(job, 'enable_streaming_engine', true)], ['monthly_cost', 'throughput_sustained', 'latency_p99']));
      }
    }
    return out;
  },
};
