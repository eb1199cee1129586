/** Resources that write into a BigQuery table: Dataflow jobs, BigQuery subscriptions, scheduled queries. */
import type { Resource } from '../../graph/types';
import type { Topology } from '../../analyses/topology';
import { referrersAmong } from './references';

export function tableWritersOf(topo: Topology, table: Resource): Resource[] {
  return [
    ...referrersAmong(topo, table, topo.dataflowJobs, 'parameters'),
    ...referrersAmong(topo, table, topo.subscriptions, 'bigquery_config'),
    ...referrersAmong(topo, table, topo.scheduledQueries, 'params'),
  ];
}
