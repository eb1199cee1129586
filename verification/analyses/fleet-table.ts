/**
 * The processors' fleet snapshots (functions/shared/fleet-snapshot.ts) as the graph declares
 * them: the Bigtable table a service's BIGTABLE_FLEET_TABLE names and how often a processor
 * writes to it (FLEET_METRICS_SECONDS). Read by the live-figures latency path and the
 * hot-store load, which must agree on both.
 */
import type { Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { asNumber, asString } from '../graph/values';
import { containerEnvVar } from './attributes';
import type { AnalysisContext } from './context';

/**
 * The table a service's BIGTABLE_FLEET_TABLE names, declared under the Bigtable instance it
 * names (by reference or literal name); a text naming the missing link otherwise.
 */
export function fleetTableOf(ctx: AnalysisContext, svc: Resource): Resource | string {
  const topo = ctx.topology;
  const v = containerEnvVar(svc, 'BIGTABLE_FLEET_TABLE');
  if (v === undefined) return `${svc.address}: BIGTABLE_FLEET_TABLE is not set`;
  const instance = topo.bigtableInstances.find((i) => topo.refersTo(svc, i));
  if (!instance) return `${svc.address}: names no Bigtable instance of the graph (BIGTABLE_INSTANCE)`;
  const tables = topo.tablesOf(instance);
  const refs = v !== null && isPending(v) ? v.references : [];
  const literal = asString(v as never);
  const table = tables.find((t) => refs.some((r) => r === t.address || r.startsWith(`${t.address}.`)) || (literal !== undefined && (t.values.name === literal || t.name === literal)));
  if (!table) return `${svc.address}: BIGTABLE_FLEET_TABLE ${literal ?? (refs.join(', ') || 'pending')} is no table of ${instance.address} declared in the graph`;
  return table;
}

/** A processor's snapshot interval in seconds: its FLEET_METRICS_SECONDS, the services' default when unset, undefined when not a literal number. */
export function fleetSnapshotSeconds(ctx: AnalysisContext, processor: Resource): number | undefined {
  const v = containerEnvVar(processor, 'FLEET_METRICS_SECONDS');
  if (v === undefined) return ctx.data.latencyFigure('processor.fleet-metrics-seconds-default').value;
  return asNumber(v as never);
}
