/**
 * The sizing space the stacks' constructs expose, read from the graph: per Bigtable instance
 * the number of clusters (regions), storage type and node bounds; per Cloud Run service the
 * instance bounds and CPU; per Dataflow job the machine type and worker ceiling; retention
 * windows; and the events packed per Pub/Sub message. Each dimension lists its values cheapest
 * first, and `changesFor` turns an assignment into graph edits.
 */
import { loadVerifierData } from '../../data';
import type { AttrValue, Graph, Resource } from '../../graph/types';
import type { Spec } from '../../spec/spec';
import { blocks, getAttr } from '../graph-edit';
import { boundsOf, cloudRunGroups, groupSizingChanges, secondaryMinInstances, type CloudRunGroup } from '../cloud-run-sizing';
import { bigtableClusters, durationSeconds, goDurationHours, labelsOf, num, ofType, str } from '../graph-query';
import { archivePaths, isSinkSubscription } from '../patterns/roles';
import type { GraphChange } from '../types';
import { set } from '../whatif/generator';
import { batchingChanges } from '../whatif/generators/batching';
import { candidateRegions, routingChanges } from '../whatif/generators/bigtable-replication';
import { familyLadder } from '../whatif/generators/dataflow-sizing';
import type { Assignment, Dimension, Value } from './search';

/** Bigtable SLAs top out at 3 or more regions; a fourth cluster buys nothing the spec can ask for. */
const MAX_BIGTABLE_CLUSTERS = 3;
const NEW_CLUSTER_ZONE_SUFFIX = '-b';
const MAX_CLUSTER_ID = 30;
/** Node counts searched go to twice the current ceiling (at least this many). */
const MIN_NODE_CEILING = 8;
const INSTANCE_STEPS = [0, 1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32];
const CPU_STEPS = [1, 2, 4];
const WORKER_STEPS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 50];
const BATCH_STEPS = [1, 10, 100];
const MS_PER_DAY = 86_400_000;
const SECONDS_PER_MINUTE = 60;
const SECONDS_PER_HOUR = 3_600;
const SECONDS_PER_DAY = 86_400;

function sortedUnique(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

export interface SizingSpace {
  dims: Dimension[];
  /** The graph edits of a complete assignment, relative to the graph the space was read from. */
  changesFor(a: Assignment): GraphChange[];
  /** Config key per dimension, for the printed diff. */
  configKeys: Record<string, string[]>;
}

export interface SpaceOptions {
  /** Keep only these dimension ids (tests, or a narrower search). */
  only?: (id: string) => boolean;
}

interface Part {
  dims: Dimension[];
  build(a: Assignment): GraphChange[];
  keys: Record<string, string[]>;
}

function bigtablePart(graph: Graph, instance: Resource): Part {
  const a = instance.address;
  const clusters = bigtableClusters(instance);
  const template = blocks(instance.values, 'cluster')[0] ?? {};
  const regions = [...new Set(clusters.map((c) => c.region).filter((r): r is string => r !== undefined))];
  const extraRegions = candidateRegions(regions);
  const currentMax = Math.max(...clusters.map((c) => c.maxNodes ?? c.numNodes ?? 1));
  const currentMin = Math.max(...clusters.map((c) => c.minNodes ?? c.numNodes ?? 1));
  const ceiling = Math.max(MIN_NODE_CEILING, 2 * currentMax);
  const cpuTarget = clusters[0]?.cpuTarget ?? loadVerifierData().perf('bigtable.latency-cpu-target').value;
  const storage = (clusters[0]?.storageType ?? 'SSD').toUpperCase();
  const ids = { clusters: `${a}:clusters`, storage: `${a}:storage`, max: `${a}:maxNodes`, min: `${a}:minNodes`, replica: `${a}:replicaRegion` };
  // where the replicas go: the current second region, or the nearest others (replication traffic is priced by distance)
  const home = regions[0];
  const replicaChoices = [...new Set([...(clusters[1]?.region ? [clusters[1].region] : []), ...candidateRegions(home ? [home] : []).slice(0, 2)])];
  const dims: Dimension[] = [
    { id: ids.clusters, label: `clusters (regions) of ${a}`, monotone: true, current: clusters.length, domain: () => sortedUnique([...Array.from({ length: MAX_BIGTABLE_CLUSTERS }, (_, i) => i + 1), clusters.length]).filter((n) => n <= clusters.length + extraRegions.length) },
    ...(replicaChoices.length > 1
      ? [{ id: ids.replica, label: `region of the second cluster of ${a}`, monotone: false, current: replicaChoices[0], domain: () => replicaChoices } satisfies Dimension]
      : []),
    { id: ids.storage, label: `storage type of ${a}`, monotone: true, current: storage, domain: () => ['HDD', 'SSD'] },
    { id: ids.max, label: `max nodes per cluster of ${a}`, monotone: true, current: currentMax, domain: () => sortedUnique([...Array.from({ length: ceiling }, (_, i) => i + 1), currentMax]) },
    { id: ids.min, label: `min nodes per cluster of ${a}`, monotone: true, current: currentMin, dependsOn: ids.max, domain: (p) => sortedUnique([...Array.from({ length: ceiling }, (_, i) => i + 1), currentMin]).filter((n) => n <= Number(p[ids.max] ?? ceiling)) },
  ];
  const build = (asg: Assignment): GraphChange[] => {
    const count = Number(asg[ids.clusters] ?? clusters.length);
    const type = String(asg[ids.storage] ?? storage);
    const max = Number(asg[ids.max] ?? currentMax);
    const min = Number(asg[ids.min] ?? Math.min(currentMin, max));
    const blocksOut: AttrValue[] = [];
    const existing = blocks(instance.values, 'cluster');
    const replica = asg[ids.replica] !== undefined ? String(asg[ids.replica]) : clusters[1]?.region;
    // regions for clusters 2.. in order: the chosen replica region, then the nearest unused ones
    const placements = [regions[0], ...(replica ? [replica] : []), ...extraRegions.filter((r) => r !== replica)];
    let moved = false;
    for (let i = 0; i < count; i++) {
      const base: Record<string, AttrValue> = existing[i] ? { ...existing[i] } : { ...template };
      const wanted = i === 0 ? clusters[0]?.region : placements[i];
      if (!existing[i] || (wanted !== undefined && clusters[i]?.region !== wanted)) {
        if (existing[i]) moved = true;
        const zone = `${wanted}${NEW_CLUSTER_ZONE_SUFFIX}`;
        base.zone = zone;
        base.cluster_id = `${str(instance.values.name) ?? instance.name}-${zone}`.slice(0, MAX_CLUSTER_ID);
      }
      delete base.num_nodes;
      base.storage_type = type;
      base.autoscaling_config = { ...((base.autoscaling_config as Record<string, AttrValue> | undefined) ?? {}), min_nodes: min, max_nodes: max, cpu_target: num(getAttr(base, 'autoscaling_config.cpu_target')) ?? cpuTarget };
      blocksOut.push(base);
    }
    const unchanged =
      !moved &&
      count === clusters.length &&
      type === storage &&
      clusters.every((c) => (c.minNodes ?? c.numNodes) === min && (c.maxNodes ?? c.numNodes) === max);
    if (unchanged) return [];
    const changes: GraphChange[] = [set(instance, 'cluster', blocksOut.length === 1 ? blocksOut[0] : blocksOut)];
    if (count >= 2) changes.push(...routingChanges(graph, instance).changes);
    return changes;
  };
  return {
    dims,
    build,
    keys: { [ids.clusters]: ['hotStorage.clusters'], [ids.storage]: ['hotStorage.storageType'], [ids.max]: ['hotStorage.clusters[*].maxNodes'], [ids.min]: ['hotStorage.clusters[*].minNodes'] },
  };
}

/**
 * One set of dimensions per Cloud Run service name: the config entry sizes the copy in the
 * environment's region, and the stacks derive the other regions' copies from it
 * (cloud-run-sizing.ts), so the dimensions read the primary copy and the build writes every copy.
 */
function cloudRunPart(group: CloudRunGroup, secondaryMin: number | undefined): Part {
  const now = boundsOf(group.primary);
  const a = group.name;
  const ids = { max: `cloud-run:${a}:maxInstances`, min: `cloud-run:${a}:minInstances`, cpu: `cloud-run:${a}:cpu` };
  const where = group.secondaries.length > 0 ? ` (${group.secondaries.length + 1} regions)` : '';
  const dims: Dimension[] = [
    { id: ids.cpu, label: `vCPU per instance of ${a}${where}`, monotone: true, current: now.cpu, domain: () => sortedUnique([...CPU_STEPS, now.cpu]) },
    { id: ids.max, label: `max instances of ${a}${where}`, monotone: true, current: now.maxInstances, domain: () => sortedUnique([...INSTANCE_STEPS.filter((x) => x >= 1), now.maxInstances]) },
    { id: ids.min, label: `min instances of ${a}`, monotone: true, current: now.minInstances, dependsOn: ids.max, domain: (p) => sortedUnique([...INSTANCE_STEPS, now.minInstances]).filter((n) => n <= Number(p[ids.max] ?? now.maxInstances)) },
  ];
  return {
    dims,
    build: (asg) => {
      const max = Number(asg[ids.max] ?? now.maxInstances);
      return groupSizingChanges(group, { cpu: Number(asg[ids.cpu] ?? now.cpu), maxInstances: max, minInstances: Math.min(Number(asg[ids.min] ?? now.minInstances), max) }, secondaryMin);
    },
    keys: {},
  };
}

function dataflowPart(job: Resource): Part | undefined {
  const a = job.address;
  const machine = str(job.values.machine_type);
  const family = machine ? familyLadder(machine) : [];
  const ids = { machine: `${a}:machineType`, max: `${a}:maxWorkers` };
  const curMax = num(job.values.max_workers) ?? loadVerifierData().perf('dataflow.max-workers-ceiling').value;
  const labels = labelsOf(job);
  const dims: Dimension[] = [];
  if (machine && family.length > 0) dims.push({ id: ids.machine, label: `machine type of ${a}`, monotone: true, current: machine, domain: () => family });
  dims.push({ id: ids.max, label: `max workers of ${a}`, monotone: true, current: curMax, domain: () => sortedUnique([...WORKER_STEPS, curMax]) });
  return {
    dims,
    build: (asg) => {
      const out: GraphChange[] = [];
      const m = asg[ids.machine];
      if (m !== undefined && m !== machine) out.push(set(job, 'machine_type', String(m)));
      const max = Number(asg[ids.max] ?? curMax);
      if (max !== num(job.values.max_workers)) out.push(set(job, 'max_workers', max));
      // initial and minimum workers (labels the stacks write) may not exceed the ceiling
      for (const label of ['workers-initial', 'workers-min']) {
        const n = num(labels[label]);
        if (n !== undefined && n > max) out.push(set(job, `labels.${label}`, String(max)));
      }
      return out;
    },
    keys: {},
  };
}

function retentionParts(graph: Graph, spec: Spec): Part[] {
  const data = loadVerifierData();
  const parts: Part[] = [];
  const rto = spec.constraints.rtoMinutes * SECONDS_PER_MINUTE;
  const subMax = data.limit('pubsub.subscription-retention-max-seconds').value;
  const subDefault = data.limit('pubsub.subscription-retention-default-seconds').value;
  for (const sub of ofType(graph, 'google_pubsub_subscription')) {
    if (isSinkSubscription(sub)) continue;
    const cur = durationSeconds(sub.values.message_retention_duration) ?? subDefault;
    const id = `${sub.address}:retentionSeconds`;
    parts.push({
      dims: [{ id, label: `unacked retention of ${sub.address}`, monotone: true, current: cur, domain: () => sortedUnique([rto, SECONDS_PER_HOUR, SECONDS_PER_DAY, subMax, cur].filter((s) => s <= subMax && s >= rto / 2)) }],
      build: (asg) => (Number(asg[id] ?? cur) !== cur ? [set(sub, 'message_retention_duration', `${asg[id]}s`)] : []),
      keys: {},
    });
  }
  const archiveTables = new Set(archivePaths(graph).map((p) => p.table.address));
  for (const table of ofType(graph, 'google_bigquery_table').filter((t) => archiveTables.has(t.address))) {
    const ms = num(getAttr(table.values, 'time_partitioning.expiration_ms'));
    if (ms === undefined) continue;
    const cur = ms / MS_PER_DAY;
    const id = `${table.address}:partitionExpirationDays`;
    parts.push({
      dims: [{ id, label: `partition expiry of ${table.address}`, monotone: true, current: cur, domain: () => sortedUnique([spec.constraints.retentionDays, spec.constraints.retentionDays + 1, cur]) }],
      build: (asg) => (Number(asg[id] ?? cur) !== cur ? [set(table, 'time_partitioning.expiration_ms', Number(asg[id]) * MS_PER_DAY)] : []),
      keys: {},
    });
  }
  for (const gc of ofType(graph, 'google_bigtable_gc_policy')) {
    const cur = goDurationHours(getAttr(gc.values, 'max_age.duration'));
    if (cur === undefined) continue;
    const id = `${gc.address}:maxAgeHours`;
    parts.push({
      dims: [{ id, label: `GC max-age of ${gc.address}`, monotone: true, current: cur, domain: () => sortedUnique([spec.workload.hotWindowHours, cur]) }],
      build: (asg) => (Number(asg[id] ?? cur) !== cur ? [set(gc, 'max_age.duration', `${asg[id]}h`)] : []),
      keys: {},
    });
  }
  return parts;
}

function batchingPart(graph: Graph, spec: Spec): Part {
  const id = 'spec:eventsPerMessage';
  const cur = spec.workload.eventsPerMessage;
  return {
    // larger batches first: fewer messages and requests cost less, and smaller messages only
    // ever help the limits (message size, request size), so the order is monotone
    dims: [{ id, label: 'events per Pub/Sub message', monotone: true, current: cur, domain: () => sortedUnique([...BATCH_STEPS, cur]).reverse() }],
    build: (asg) => (Number(asg[id] ?? cur) !== cur ? batchingChanges(graph, spec, Number(asg[id])) : []),
    keys: {},
  };
}

export function sizingSpace(graph: Graph, spec: Spec, options: SpaceOptions = {}): SizingSpace {
  const parts: Part[] = [
    batchingPart(graph, spec),
    ...ofType(graph, 'google_bigtable_instance').map((i) => bigtablePart(graph, i)),
    ...ofType(graph, 'google_dataflow_job', 'google_dataflow_flex_template_job').map(dataflowPart).filter((p): p is Part => p !== undefined),
    ...cloudRunGroups(graph).map((g) => cloudRunPart(g, secondaryMinInstances(graph))),
    ...retentionParts(graph, spec),
  ];
  const keep = options.only ?? (() => true);
  const dims = parts.flatMap((p) => p.dims).filter((d) => keep(d.id));
  const kept = new Set(dims.map((d) => d.id));
  return {
    dims,
    changesFor(a) {
      // dimensions not searched stay at their current value
      const full: Record<string, Value> = {};
      for (const p of parts) for (const d of p.dims) full[d.id] = kept.has(d.id) && a[d.id] !== undefined ? a[d.id] : d.current;
      return parts.flatMap((p) => p.build(full));
    },
    configKeys: Object.assign({}, ...parts.map((p) => p.keys)),
  };
}

/** The assignment of the current design. */
export function currentAssignment(space: SizingSpace): Assignment {
  return Object.fromEntries(space.dims.map((d) => [d.id, d.current]));
}
