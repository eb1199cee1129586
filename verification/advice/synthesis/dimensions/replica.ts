/**
 * `coldStorage.replicaLocation`: a read-only cross-region replica of the dataset, added by the
 * cold-storage construct as a DDL job (ALTER SCHEMA ... ADD REPLICA) and announced to the
 * analytics API (BIGQUERY_REPLICA_LOCATION). Searched as present or absent; an absent replica
 * is proposed in the region another component already uses for its second copy.
 */
import type { AttrValue, Graph, Resource } from '../../../graph/types';
import type { Spec } from '../../../spec/spec';
import type { GraphChange } from '../../types';
import { blocks, getAttr } from '../../graph-edit';
import { bigtableClusters, envValuePaths, regionOf, str } from '../../graph-query';
import { configTargets } from '../../config-targets';
import { set } from '../../whatif/generator';
import type { Dimension } from '../search';
import { RESILIENCE, stringOf, type Part } from './part';

export const REPLICA_KEY = 'coldStorage.replicaLocation';
const REPLICA_ENV = 'BIGQUERY_REPLICA_LOCATION';
const NO_REPLICA = 'none';

function replicaOf(job: Resource): string | undefined {
  const m = /ADD\s+REPLICA\s+`?([A-Za-z0-9_-]+)`?/i.exec(str(getAttr(job.values, 'query.query')) ?? '');
  return m?.[1];
}

export function replicaPart(graph: Graph, _spec: Spec): Part | undefined {
  const t = configTargets(graph);
  const dataset = t.dataset;
  if (!dataset) return undefined;
  const current = t.replicaJob ? replicaOf(t.replicaJob) : NO_REPLICA;
  if (current === undefined) return undefined;
  const secondRegion = [...t.cloudRun.flatMap((e) => e.group.secondaries.map(regionOf)), ...(t.bigtable ? bigtableClusters(t.bigtable).slice(1).map((c) => c.region) : [])].find((r): r is string => r !== undefined);
  const candidate = current !== NO_REPLICA ? current : secondRegion;
  if (candidate === undefined) return undefined;
  const dims: Dimension[] = [{ id: REPLICA_KEY, label: 'read-only replica of the dataset', monotone: true, affects: [...RESILIENCE, 'retention'], current, domain: () => [NO_REPLICA, candidate] }];
  const analytics = (g: Graph) => (configTargets(g).cloudRun.find((e) => e.section === 'analytics')?.group);

  const addJob = (g: Graph, location: string): GraphChange[] => {
    const ds = g.byAddress.get(dataset.address) as Resource;
    const datasetId = str(ds.values.dataset_id) ?? 'dataset';
    const project = str(ds.values.project) ?? str(ds.provider?.project ?? undefined) ?? 'project';
    const name = dataset.address.slice(dataset.address.lastIndexOf('.') + 1).replace(/_[0-9A-F]{8}$/, '');
    const values: Record<string, AttrValue> = {
      job_id: `add-replica-${datasetId}-${location}`.replace(/[^A-Za-z0-9_-]/g, '_'),
      location: ds.values.location ?? null,
      ...(ds.values.labels !== undefined ? { labels: ds.values.labels } : {}),
      query: { query: `ALTER SCHEMA \`${project}.${datasetId}\` ADD REPLICA \`${location}\` OPTIONS(location = '${location}')`, use_legacy_sql: false, create_disposition: '', write_disposition: '' },
    };
    const out: GraphChange[] = [{ kind: 'add', address: `google_bigquery_job.${name}-replica`, type: 'google_bigquery_job', values, ...(ds.provider?.key ? { providerKey: ds.provider.key } : {}), meta: { dependsOn: [dataset.address] } }];
    const group = analytics(g);
    for (const s of group ? [group.primary, ...group.secondaries] : []) {
      const count = blocks(s.values, 'template.containers.0.env').length;
      out.push(set(s, `template.containers.0.env.${count}`, { name: REPLICA_ENV, value: location }));
    }
    return out;
  };

  const dropJob = (g: Graph): GraphChange[] => {
    const out: GraphChange[] = [{ kind: 'remove', address: (t.replicaJob as Resource).address }];
    const group = analytics(g);
    for (const s of group ? [group.primary, ...group.secondaries] : []) {
      // the variable's entry goes; entries after it move up one
      for (const path of envValuePaths(s, REPLICA_ENV).reverse()) out.push(set(s, path.replace(/\.value$/, ''), undefined));
    }
    return out;
  };

  return {
    dims,
    build(a, g) {
      const to = stringOf(a, REPLICA_KEY, current);
      if (to === current) return [];
      return to === NO_REPLICA ? dropJob(g) : addJob(g, to);
    },
    diff(a) {
      const to = stringOf(a, REPLICA_KEY, current);
      return to === current ? [] : [{ configKey: REPLICA_KEY, from: current === NO_REPLICA ? null : current, to: to === NO_REPLICA ? null : to }];
    },
  };
}
