/** Resources that write into a BigQuery table: Dataflow jobs, BigQuery subscriptions, scheduled queries. */
import type { Resource } from '../../graph/types';
import type { Topology } from '../../analyses/topology';

export function tableWritersOf(topo: Topology, table: Resource): Resource[] {
  return [
    ...topo.referrersAmong(table, topo.dataflowJobs, 'parameters'),
    ...topo.referrersAmong(table, topo.subscriptions, 'bigquery_config'),
    ...topo.referrersAmong(table, topo.scheduledQueries, 'params'),
  ];
}
