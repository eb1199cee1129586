/**
 * `hotStorage`: the Bigtable instance as the hot-storage construct builds it. Dimensions: the
 * number of clusters (`hotStorage.clusters`; an added cluster goes to the nearest unused region,
 * zone "-b", sized like the first), the instance's storage type, the autoscaling CPU target (one
 * value for every cluster: each applies every write), and per existing cluster its min and max
 * nodes. A fixed-size cluster is searched as min = max = its node count: equal bounds keep it
 * fixed (`fixedNodes`), unequal ones turn it into autoscaling, as removing `fixedNodes` does. Two or more
 * clusters switch the app profile to multi-cluster routing (`hotStorage.multiClusterRouting`).
 */
import { loadVerifierData } from '../../../data';
import type { AttrValue, Graph, Resource } from '../../../graph/types';
import type { Spec } from '../../../spec/spec';
import type { ConfigDiffEntry, GraphChange } from '../../types';
import { blocks } from '../../graph-edit';
import { bigtableClusters, str, type BigtableClusterView } from '../../graph-query';
import { configTargets } from '../../config-targets';
import { routingChanges } from '../../whatif/generators/bigtable-replication';
import { set } from '../../whatif/generator';
import { candidateRegions } from '../../regions';
import type { Assignment, Dimension } from '../search';
import { canonical, numberOf, PERFORMANCE, RESILIENCE, RETENTION, sortedUnique, stringOf, type Part } from './part';

/** Bigtable SLAs top out at 3 or more regions; a fourth cluster buys nothing the spec can ask for. */
const MAX_CLUSTERS = 3;
/** Zone "b" exists in every region the data files list, so a new cluster goes there. */
const NEW_CLUSTER_ZONE_SUFFIX = '-b';
/** Bigtable cluster ids are 6..30 characters; the construct cuts `<instance>-<zone>` there. */
const MAX_CLUSTER_ID = 30;
/** Node counts searched go to twice the current ceiling, at least this many. */
const MIN_NODE_CEILING = 8;

const key = {
  clusters: 'hotStorage.clusters',
  storage: 'hotStorage.storageType',
  cpuTarget: 'hotStorage.clusters[*].cpuTargetPercent',
  routing: 'hotStorage.multiClusterRouting',
  min: (i: number) => `hotStorage.clusters[${i}].minNodes`,
  max: (i: number) => `hotStorage.clusters[${i}].maxNodes`,
};

interface ClusterConfig {
  zone: string;
  minNodes: number;
  maxNodes: number;
  cpuTargetPercent: number;
  fixedNodes?: number;
}

function clusterId(instanceName: string, zone: string): string {
  return `${instanceName}-${zone}`.slice(0, MAX_CLUSTER_ID);
}

export function hotStoragePart(graph: Graph, _spec: Spec): Part | undefined {
  const targets = configTargets(graph);
  const instance = targets.bigtable;
  if (!instance) return undefined;
  const clusters = bigtableClusters(instance);
  if (clusters.length === 0 || clusters.some((c) => c.zone === undefined)) return undefined;
  const data = loadVerifierData();
  const latencyTarget = data.perf('bigtable.latency-cpu-target').value;
  const targetMax = data.limit('bigtable.autoscaling-cpu-target-max-percent').value;
  const maxOverMin = data.limit('bigtable.autoscaling-max-over-min-nodes').value;
  const instanceName = str(instance.values.name) ?? instance.name;
  const regions = [...new Set(clusters.map((c) => c.region as string))];
  const extraRegions = candidateRegions(regions);
  const nodes = (c: BigtableClusterView) => ({ min: c.minNodes ?? c.numNodes ?? 1, max: c.maxNodes ?? c.numNodes ?? 1 });
  const ceiling = Math.max(MIN_NODE_CEILING, 2 * Math.max(...clusters.map((c) => nodes(c).max)));
  const storage = clusters[0].storageType.toUpperCase();
  const cpuTarget = clusters.find((c) => c.cpuTarget !== undefined)?.cpuTarget ?? latencyTarget;
  const profileMulti = targets.appProfiles.length > 0 && targets.appProfiles.every((p) => p.values.multi_cluster_routing_use_any === true);

  const dims: Dimension[] = [
    {
      id: key.clusters,
      label: `clusters (regions) of ${instance.address}`,
      monotone: true,
      affects: [...RESILIENCE, ...PERFORMANCE, ...RETENTION],
      current: clusters.length,
      domain: () => sortedUnique([...Array.from({ length: MAX_CLUSTERS }, (_, i) => i + 1), clusters.length]).filter((n) => n <= clusters.length + extraRegions.length),
    },
    { id: key.storage, label: `storage type of ${instance.address}`, monotone: true, affects: PERFORMANCE, current: storage, domain: () => ['HDD', 'SSD'] },
    {
      id: key.cpuTarget,
      label: `autoscaling CPU target of every cluster of ${instance.address}`,
      // a higher target packs more load per node: cheaper and more capacity at the ceiling, slower
      monotone: false,
      affects: PERFORMANCE,
      current: cpuTarget,
      domain: () => sortedUnique([cpuTarget, latencyTarget, targetMax]),
    },
  ];
  clusters.forEach((c, i) => {
    const now = nodes(c);
    const maxId = key.max(i);
    dims.push(
      { id: maxId, label: `max nodes of cluster ${c.clusterId ?? i}`, monotone: true, affects: [...PERFORMANCE, ...RETENTION], current: now.max, domain: () => sortedUnique([...Array.from({ length: ceiling }, (_, n) => n + 1), now.max]) },
      {
        id: key.min(i),
        label: `min nodes of cluster ${c.clusterId ?? i}`,
        monotone: true,
        affects: [...PERFORMANCE, ...RETENTION],
        current: now.min,
        dependsOn: maxId,
        // min <= max, and Bigtable allows max at most 10x min
        domain: (p) => {
          const max = numberOf(p, maxId, now.max);
          return sortedUnique([...Array.from({ length: ceiling }, (_, n) => n + 1), now.min]).filter((n) => n <= max && n * maxOverMin >= max);
        },
      },
    );
  });

  /** The config's cluster list for an assignment. */
  const configClusters = (a: Assignment): ClusterConfig[] => {
    const count = numberOf(a, key.clusters, clusters.length);
    const target = numberOf(a, key.cpuTarget, cpuTarget);
    const placements = [...regions, ...extraRegions];
    const out: ClusterConfig[] = [];
    for (let i = 0; i < count; i++) {
      const c = clusters[i];
      const source = i < clusters.length ? i : 0;
      const min = numberOf(a, key.min(source), nodes(clusters[source]).min);
      const max = numberOf(a, key.max(source), nodes(clusters[source]).max);
      const zone = c?.zone ?? `${placements[i]}${NEW_CLUSTER_ZONE_SUFFIX}`;
      // a fixed-size cluster stays fixed while min = max (at that count); an added one is sized
      // like the first, fixed or not
      const like = clusters[source];
      const fixed = !like.autoscaling && like.numNodes !== undefined && min === max;
      out.push({ zone, minNodes: min, maxNodes: max, cpuTargetPercent: target, ...(fixed ? { fixedNodes: min } : {}) });
    }
    return out;
  };

  const blocksFor = (a: Assignment): AttrValue[] => {
    const type = stringOf(a, key.storage, storage);
    const existing = blocks(instance.values, 'cluster');
    return configClusters(a).map((cc, i) => {
      const base: Record<string, AttrValue> = existing[i] ? { ...existing[i] } : { ...existing[0], zone: cc.zone, cluster_id: clusterId(instanceName, cc.zone) };
      base.storage_type = type;
      if (cc.fixedNodes !== undefined) {
        base.num_nodes = cc.fixedNodes;
        delete base.autoscaling_config;
      } else {
        delete base.num_nodes;
        base.autoscaling_config = { min_nodes: cc.minNodes, max_nodes: cc.maxNodes, cpu_target: cc.cpuTargetPercent };
      }
      return base;
    });
  };

  const multiNeeded = (a: Assignment) => numberOf(a, key.clusters, clusters.length) >= 2 && !profileMulti;

  return {
    dims,
    build(a, graph) {
      const current = graph.byAddress.get(instance.address) as Resource;
      const now = blocks(current.values, 'cluster');
      const next = blocksFor(a) as Record<string, AttrValue>[];
      const out: GraphChange[] = [];
      // attribute by attribute where a cluster stays, so each edit reads as the field it is
      for (let i = 0; i < Math.min(now.length, next.length); i++) {
        const was = now[i];
        const will = next[i];
        if (was.storage_type !== will.storage_type) out.push(set(current, `cluster.${i}.storage_type`, will.storage_type));
        if (was.num_nodes !== will.num_nodes) out.push(set(current, `cluster.${i}.num_nodes`, will.num_nodes));
        const wasAuto = was.autoscaling_config as Record<string, AttrValue> | undefined;
        const willAuto = will.autoscaling_config as Record<string, AttrValue> | undefined;
        if (!wasAuto || !willAuto) {
          if (canonical(wasAuto) !== canonical(willAuto)) out.push(set(current, `cluster.${i}.autoscaling_config`, willAuto));
        } else {
          for (const f of ['min_nodes', 'max_nodes', 'cpu_target']) if (wasAuto[f] !== willAuto[f]) out.push(set(current, `cluster.${i}.autoscaling_config.${f}`, willAuto[f]));
        }
      }
      for (let i = now.length; i < next.length; i++) out.push(set(current, `cluster.${i}`, next[i]));
      // dropped clusters go from the last, so the indices of the others hold; one block left
      // is written as one (the loader reads a single block as an object)
      if (next.length === 1 && now.length > 1) out.push(set(current, 'cluster', next[0]));
      else for (let i = now.length - 1; i >= next.length; i--) out.push(set(current, `cluster.${i}`, undefined));
      if (multiNeeded(a)) out.push(...routingChanges(graph, current).changes);
      return out;
    },
    diff(a) {
      const out: ConfigDiffEntry[] = [];
      const type = stringOf(a, key.storage, storage);
      if (type !== storage) out.push({ configKey: key.storage, from: storage, to: type });
      const next = configClusters(a);
      const was: ClusterConfig[] = clusters.map((c) => ({
        zone: c.zone as string,
        minNodes: nodes(c).min,
        maxNodes: nodes(c).max,
        cpuTargetPercent: c.cpuTarget ?? cpuTarget,
        ...(!c.autoscaling && c.numNodes !== undefined ? { fixedNodes: c.numNodes } : {}),
      }));
      if (next.length !== was.length) {
        // adding or dropping a region: the whole list, as one edit
        out.push({ configKey: key.clusters, from: was, to: next });
      } else {
        next.forEach((cc, i) => {
          const w = was[i];
          for (const field of ['minNodes', 'maxNodes', 'cpuTargetPercent'] as const) {
            if (cc[field] !== w[field]) out.push({ configKey: `hotStorage.clusters[${i}].${field}`, from: w[field], to: cc[field] });
          }
          if (cc.fixedNodes !== w.fixedNodes) {
            out.push({ configKey: `hotStorage.clusters[${i}].fixedNodes`, from: w.fixedNodes ?? null, to: cc.fixedNodes ?? null });
            // a fixed cluster's config bounds were not in force: write every bound it now runs by
            if (cc.fixedNodes === undefined) {
              for (const f of ['minNodes', 'maxNodes', 'cpuTargetPercent'] as const) {
                if (cc[f] === w[f]) out.push({ configKey: `hotStorage.clusters[${i}].${f}`, from: null, to: cc[f] });
              }
            }
          }
        });
      }
      if (multiNeeded(a)) out.push({ configKey: key.routing, from: false, to: true });
      return out;
    },
  };
}
