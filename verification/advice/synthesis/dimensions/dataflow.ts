/**
 * `processing.dataflow`: the archive job's machine type (its family, smallest first), worker
 * ceiling (`maxWorkers`; unset is the service's ceiling), initial workers (`numWorkers`) and,
 * when the config names one, the autoscaling floor (`minWorkers`). The GA job resource has no
 * attribute for the last two, so the stacks write them as the labels workers-initial and
 * workers-min, which the cost model reads; both stay within the ceiling.
 */
import { loadVerifierData } from '../../../data';
import type { Graph, Resource } from '../../../graph/types';
import type { Spec } from '../../../spec/spec';
import type { GraphChange } from '../../types';
import { labelsOf, num, str } from '../../graph-query';
import { configTargets } from '../../config-targets';
import { set } from '../../whatif/generator';
import type { Dimension } from '../search';
import { numberOf, PERFORMANCE, plainDiff, RESILIENCE, RETENTION, sortedUnique, stringOf, type Part } from './part';

/** Machine types of the same family ("n1-standard") ordered by vCPU. */
export function familyLadder(machineType: string): string[] {
  const family = machineType.replace(/-\d+$/, '');
  return Object.entries(loadVerifierData().machineTypes.machineTypes)
    .filter(([name]) => name.replace(/-\d+$/, '') === family)
    .sort((a, b) => a[1].vcpu - b[1].vcpu)
    .map(([name]) => name);
}

const WORKER_STEPS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 50];
const key = { machine: 'processing.dataflow.machineType', max: 'processing.dataflow.maxWorkers', initial: 'processing.dataflow.numWorkers', min: 'processing.dataflow.minWorkers' };
const LABEL = { initial: 'workers-initial', min: 'workers-min' };

export function dataflowPart(graph: Graph, _spec: Spec): Part | undefined {
  const job = configTargets(graph).dataflow;
  if (!job) return undefined;
  const ceiling = loadVerifierData().perf('dataflow.max-workers-ceiling').value;
  const machine = str(job.values.machine_type);
  const family = machine ? familyLadder(machine) : [];
  const unbounded = num(job.values.max_workers) === undefined;
  const maxNow = num(job.values.max_workers) ?? ceiling;
  const labels = labelsOf(job);
  const initialNow = num(labels[LABEL.initial]);
  const minNow = num(labels[LABEL.min]);
  const affects = [...PERFORMANCE, ...RESILIENCE, ...RETENTION];
  const dims: Dimension[] = [];
  if (machine && family.includes(machine)) dims.push({ id: key.machine, label: `machine type of ${job.address}`, monotone: true, affects, current: machine, domain: () => family });
  dims.push({ id: key.max, label: `max workers of ${job.address}`, monotone: true, affects, current: maxNow, domain: () => sortedUnique([...WORKER_STEPS, maxNow]) });
  for (const [id, now] of [[key.initial, initialNow], [key.min, minNow]] as const) {
    if (now === undefined) continue;
    dims.push({ id, label: `${id === key.min ? 'minimum' : 'initial'} workers of ${job.address}`, monotone: true, affects, current: now, dependsOn: key.max, domain: (p) => sortedUnique([...WORKER_STEPS, now]).filter((n) => n <= numberOf(p, key.max, maxNow)) });
  }
  return {
    dims,
    build(a, g) {
      const j = g.byAddress.get(job.address) as Resource;
      const out: GraphChange[] = [];
      const m = stringOf(a, key.machine, machine ?? '');
      if (machine && m !== machine) out.push(set(j, 'machine_type', m));
      const max = numberOf(a, key.max, maxNow);
      // the service's ceiling stays unset when the config leaves maxWorkers out
      if (max !== maxNow) out.push(set(j, 'max_workers', max));
      for (const [id, label, now] of [[key.initial, LABEL.initial, initialNow], [key.min, LABEL.min, minNow]] as const) {
        if (now === undefined) continue;
        const n = Math.min(numberOf(a, id, now), max);
        if (n !== now) out.push(set(j, `labels.${label}`, String(n)));
      }
      return out;
    },
    // an unset maxWorkers is the service's ceiling: the config leaves it out
    diff: (a) => plainDiff(dims, a, (d, v) => (d.id === key.max && unbounded && v === ceiling ? null : v)),
  };
}
