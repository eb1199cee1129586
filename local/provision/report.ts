/**
 * What a provisioning run did, and what the local services cannot do that the graph asks for.
 */

export type LocalService = 'pubsub' | 'bigtable' | 'bigquery';

export interface ProvisionedItem {
  service: LocalService;
  /** topic, schema, subscription, table, column-family, dataset, ... */
  kind: string;
  /** Full local name, e.g. projects/p/topics/telemetry or p:iot_analytics.events_raw. */
  name: string;
  /** Terraform address the item came from. */
  address: string;
  /**
   * created: made now; existing: already there and matching every declared setting; updated:
   * changed in place to match; recreated: deleted and made again (what terraform apply would
   * replace, or what the local service cannot change in place); differs: there, but some
   * setting differs and could not be changed here (the detail says which and how to fix it).
   */
  outcome: 'created' | 'existing' | 'updated' | 'recreated' | 'differs';
  detail?: string;
}

export interface NotHonoured {
  address: string;
  /** The declared feature, e.g. "enable_exactly_once_delivery". */
  feature: string;
  /** Why the local service does not provide it and who covers it instead. */
  reason: string;
}

export interface SkippedResource {
  address: string;
  type: string;
  reason: string;
}

export interface ProvisionReport {
  projectId: string;
  items: ProvisionedItem[];
  notHonoured: NotHonoured[];
  /** Resources of the graph with no local counterpart at all (Cloud Run, Dataflow, IAM, monitoring...). */
  skipped: SkippedResource[];
}

/** A readable multi-line summary for scripts. */
export function formatReport(report: ProvisionReport): string {
  const lines = [`Local cloud provisioned for project ${report.projectId}`];
  for (const outcome of ['differs', 'recreated', 'created', 'updated', 'existing'] as const) {
    const items = report.items.filter((i) => i.outcome === outcome);
    if (items.length) lines.push(`  ${outcome} (${items.length}):`, ...items.map((i) => `    ${i.service} ${i.kind} ${i.name}${i.detail ? ` (${i.detail})` : ''}`));
  }
  if (report.notHonoured.length) {
    lines.push(`  not honoured locally (${report.notHonoured.length}):`, ...report.notHonoured.map((n) => `    ${n.address}: ${n.feature} - ${n.reason}`));
  }
  if (report.skipped.length) {
    const byType = new Map<string, number>();
    for (const s of report.skipped) byType.set(s.type, (byType.get(s.type) ?? 0) + 1);
    lines.push(`  no local counterpart: ${[...byType].map(([t, n]) => `${t} x${n}`).join(', ')}`);
  }
  return lines.join('\n');
}
