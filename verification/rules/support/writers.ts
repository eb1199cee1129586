/** Resources that write into a BigQuery table: Dataflow jobs, BigQuery subscriptions, scheduled queries. */
import type { Resource } from '../../graph/types';
import type { Topology } from '../../analyses/topology';

export function tableWritersOf(topo: Topology, table: Resource): Resource[] {
  return [
    ...topo.dataflowJobs.filter((j) => topo.refersTo(j, table, 'parameters')),
    ...topo.subscriptions.filter((s) => topo.refersTo(s, table, 'bigquery_config')),
    ...topo.scheduledQueries.filter((q) => topo.refersTo(q, table, 'params')),
  ];
}
