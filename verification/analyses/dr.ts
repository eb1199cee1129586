/**
 * Recovery point and time per stateful store and processing component for zone loss,
 * region loss and operator error (deletes and replacements in the plan, of a store or of the
 * tables under it; deletion protection). Figures come from dr.json; `null` means not bounded
 * (the data or service is gone or unavailable until the failed location returns), which never
 * passes.
 *
 * RPO counts the accepted events the recovered pipeline does not have: lost, or stranded in the
 * lost location until it returns (Pub/Sub has no cross-region failover for stored messages).
 * RTO is the time until the user-facing plane the component serves works again (ingest,
 * processing into the hot store, queries); work that waits durably buffered for the failed
 * location (archive writes to a BigQuery primary) is named in the basis with its buffer, as the
 * availability model keeps the asynchronous archive out of the user-facing planes.
 */
import type { DrScenario, DrResult } from '../engine/types';
import type { Resource } from '../graph/types';
import { MINUTES_PER_HOUR, SECONDS_PER_HOUR } from '../data';
import { blocks, bool, durationSeconds, field } from './attributes';
import type { AnalysisContext } from './context';
import { clustersOf } from './hot-store';
import { tableLoad } from './cold-store';
import { datasetReplicas } from './cold-store-replica';
import { readAttr } from '../graph/values';
import type { ServiceRole } from './topology';
import { speedPathBurst } from './burst-impact';
import { gatedStandby, metricReaderGrant, standbyTakeover, type GatedStandby } from './standby';

const SECONDS_PER_MINUTE = SECONDS_PER_HOUR / MINUTES_PER_HOUR;
/** `text.split(separator)[0]` without splitting the rest. */
const textBefore = (text: string, separator: string) => {
  const i = text.indexOf(separator);
  return i < 0 ? text : text.slice(0, i);
};
const toMin = (s: number) => Math.round((s / SECONDS_PER_MINUTE) * 100) / 100;

export interface DrScenarioEx extends DrScenario {
  address?: string;
}

function scenario(s: DrScenarioEx): DrScenarioEx {
  return s;
}

function bigtableScenarios(ctx: AnalysisContext, instance: Resource): DrScenarioEx[] {
  const d = ctx.data;
  const clusters = clustersOf(ctx, instance);
  const zones = new Set(clusters.map((c) => c.zone));
  const regions = new Set(clusters.map((c) => c.region));
  const multi = ctx.topology.appProfilesOf(instance).some((p) => p.values.multi_cluster_routing_use_any === true);
  const lag = toMin(d.drFigure('bigtable.replication-lag-seconds').value);
  const failover = multi ? toMin(d.drFigure('bigtable.multi-cluster-failover-seconds').value) : d.drFigure('bigtable.manual-failover-minutes').value;
  const how = multi ? 'multi-cluster routing fails over automatically' : 'single-cluster routing: an operator repoints the app profile';
  const target = `hot store ${instance.address}`;
  const out: DrScenarioEx[] = [];
  out.push(
    zones.size >= 2
      ? scenario({ scenario: 'zone-loss', target, address: instance.address, rpoMinutes: lag, rtoMinutes: failover, basis: `${clusters.length} clusters in ${zones.size} zones; replication lag <= ${lag} min (U); ${how}` })
      : scenario({ scenario: 'zone-loss', target, address: instance.address, rpoMinutes: 0, rtoMinutes: null, basis: 'one cluster in one zone: durable but unavailable until the zone returns' }),
  );
  out.push(
    regions.size >= 2
      ? scenario({ scenario: 'region-loss', target, address: instance.address, rpoMinutes: lag, rtoMinutes: failover, basis: `clusters in ${[...regions].join(', ')}; writes not yet replicated (<= ${lag} min, U) are at risk; ${how}` })
      : scenario({ scenario: 'region-loss', target, address: instance.address, rpoMinutes: null, rtoMinutes: null, basis: `all clusters in ${[...regions].join(', ') || 'one region'}: no copy outside the lost region` }),
  );
  const tables = ctx.topology.tablesOf(instance);
  out.push(operatorError(ctx, instance, target, bool(instance, 'deletion_protection') !== false, shortestBackupSeconds(tables), tables));
  return out;
}

/** Backup frequency of one table's automated backup policy, seconds. */
function tableBackupSeconds(table: Resource): number | undefined {
  const policy = blocks(table, 'automated_backup_policy')[0];
  const f = policy ? durationSeconds(field(policy, 'frequency')) : undefined;
  return typeof f === 'number' ? f : undefined;
}

/** Tables under a store that the plan deletes or replaces, then those it deletes from the configuration. */
function lostChildrenOf(ctx: AnalysisContext, parent: Resource, children: Resource[]): Resource[] {
  const lost = children.filter((c) => destroyedByPlan(ctx, c));
  return ctx.graph.removed.length === 0 ? lost : [...lost, ...removedChildrenOf(ctx, parent, children)];
}

/** Tables the plan deletes (gone from the configuration) that named this store as their parent. */
function removedChildrenOf(ctx: AnalysisContext, parent: Resource, kept: Resource[]): Resource[] {
  const parentAttr = parent.type === 'google_bigtable_instance' ? 'instance_name' : 'dataset_id';
  const childType = parent.type === 'google_bigtable_instance' ? 'google_bigtable_table' : 'google_bigquery_table';
  const names = new Set([parent.values.name, parent.values.dataset_id].filter((x): x is string => typeof x === 'string'));
  return ctx.graph.removed.filter(
    (x) => x.type === childType && !kept.some((k) => k.address === x.address) && (names.has(String(x.values[parentAttr])) || textRefers(x.values[parentAttr], parent.address)),
  );
}

const textRefers = (v: unknown, address: string) => typeof v === 'string' && v.includes(address);

/** The most frequent automated backup among an instance's tables, seconds. */
function shortestBackupSeconds(tables: readonly Resource[]): number | undefined {
  let best: number | undefined;
  for (const table of tables) {
    const f = tableBackupSeconds(table);
    if (f !== undefined) best = best === undefined ? f : Math.min(best, f);
  }
  return best;
}

function destroyedByPlan(ctx: AnalysisContext, r: Resource): boolean {
  for (const x of ctx.graph.removed) if (x.address === r.address) return true;
  return r.change?.actions.includes('delete') ?? false;
}

/**
 * A deleted BigQuery table can be restored from time travel (a copy of the table as it was
 * before the delete) within the dataset's window; after it, the rows are gone. It takes an
 * operator acting in time, so the RPO stays unbounded, but the way back is named.
 */
function timeTravelText(ctx: AnalysisContext, dataset: Resource | undefined): string {
  const set = dataset ? readAttr(dataset, 'max_time_travel_hours') : undefined;
  const hours = typeof set === 'number' || (typeof set === 'string' && /^\d+$/.test(set)) ? Number(set) : ctx.data.limit('bigquery.time-travel-default-hours').value;
  return `its rows are lost unless an operator restores the table from time travel (a copy as of before the delete) within ${hours} h (max_time_travel_hours${set === undefined ? ', default' : ''})`;
}

function operatorError(ctx: AnalysisContext, r: Resource, target: string, protectedFromDelete: boolean, backupFrequencySeconds: number | undefined, children: Resource[] = []): DrScenarioEx {
  const destroyed = destroyedByPlan(ctx, r);
  // A store's deletion protection does not cover the tables under it: a replaced table loses its rows.
  const lostChildren = destroyed ? [] : lostChildrenOf(ctx, r, children);
  if (lostChildren.length > 0) {
    const what = lostChildren.map((c) => `${c.change?.replace ? 'replaces' : 'deletes'} ${c.address}`).join(', ');
    const backups = lostChildren.map((c) => tableBackupSeconds(c));
    const allBacked = backups.every((b) => b !== undefined);
    return {
      scenario: 'operator-error',
      target,
      address: lostChildren[0].address,
      rpoMinutes: allBacked ? toMin(Math.max(...(backups as number[]))) : null,
      rtoMinutes: null,
      basis: `the plan ${what}: ${allBacked ? `its rows since the last backup (every ${toMin(Math.max(...(backups as number[])))} min) are lost and restore time grows with size` : r.type === 'google_bigquery_dataset' ? timeTravelText(ctx, r) : 'its rows are lost (no backup)'}; the ${r.type === 'google_bigtable_instance' ? 'instance' : 'dataset'}'s deletion protection does not cover its tables`,
    };
  }
  if (destroyed) {
    if (backupFrequencySeconds !== undefined) {
      return { scenario: 'operator-error', target, address: r.address, rpoMinutes: toMin(backupFrequencySeconds), rtoMinutes: null, basis: `the plan ${r.change?.replace ? 'replaces' : 'deletes'} it; restore from a backup taken every ${toMin(backupFrequencySeconds)} min (restore time grows with size)` };
    }
    return { scenario: 'operator-error', target, address: r.address, rpoMinutes: null, rtoMinutes: null, basis: `the plan ${r.change?.replace ? 'replaces' : 'deletes'} it and no backup exists: its data is lost` };
  }
  if (protectedFromDelete) {
    const plan = ctx.graph.source.kind === 'plan' ? '; this plan destroys neither it nor its tables' : '';
    return { scenario: 'operator-error', target, address: r.address, rpoMinutes: 0, rtoMinutes: 0, basis: `deletion protection blocks an accidental delete${plan}` };
  }
  return {
    scenario: 'operator-error',
    target,
    address: r.address,
    rpoMinutes: backupFrequencySeconds !== undefined ? toMin(backupFrequencySeconds) : null,
    rtoMinutes: null,
    basis: 'no deletion protection: one delete loses the data' + (backupFrequencySeconds !== undefined ? ' since the last backup' : ''),
  };
}

/** The subscriptions writing into a dataset's tables (directly, or read by the Dataflow job that writes), in table order. */
function writerSubscriptions(ctx: AnalysisContext, dataset: Resource): Resource[] {
  const subs: Resource[] = [];
  for (const table of ctx.topology.tablesIn(dataset)) {
    const writer = tableLoad(ctx, table).writer;
    if (!writer) continue;
    const sub = writer.type === 'google_pubsub_subscription' ? writer : ctx.topology.inputSubscriptionOf(writer);
    if (sub) subs.push(sub);
  }
  return subs;
}

/** Seconds of replay the topics feeding a dataset keep (topic retention, or retained acked messages). */
function replayWindowSeconds(ctx: AnalysisContext, writers: readonly Resource[]): { seconds: number | null; topics: Resource[] } {
  const topics = new Map<string, Resource>();
  let window = Infinity;
  for (const sub of writers) {
    const topic = ctx.topology.topicOf(sub);
    if (!topic) continue;
    topics.set(topic.address, topic);
    const topicRetention = durationSeconds(readAttr(topic, 'message_retention_duration'));
    const acked = bool(sub, 'retain_acked_messages') === true ? durationSeconds(readAttr(sub, 'message_retention_duration')) : undefined;
    const w = Math.max(typeof topicRetention === 'number' ? topicRetention : 0, typeof acked === 'number' ? acked : 0);
    window = Math.min(window, w);
  }
  if (topics.size === 0) return { seconds: null, topics: [] };
  return { seconds: window === Infinity ? null : window, topics: [...topics.values()] };
}

function bigqueryRegionLoss(ctx: AnalysisContext, dataset: Resource, target: string): DrScenarioEx {
  const location = String(dataset.values.location ?? dataset.region ?? '?');
  const replicas = datasetReplicas(ctx, dataset).filter((r) => r.location !== undefined && r.location !== r.primaryLocation);
  if (replicas.length === 0) {
    // A multi-region (US, EU) is not the answer either: its data sits in one region of it.
    const notRegional = ctx.data.drFigure('bigquery.multi-region-not-region-redundant');
    const multiRegion = !location.includes('-') && location !== '?';
    const where = multiRegion ? `location ${location} (a multi-region): ${notRegional.note}` : `location ${location}: one region, and no dataset replica outside it`;
    return { scenario: 'region-loss', target, address: dataset.address, rpoMinutes: null, rtoMinutes: null, basis: `${where} (${notRegional.confidence}, ${notRegional.source})` };
  }
  const d = ctx.data;
  const lag = d.drFigure('bigquery.replica-replication-lag-seconds');
  const read = d.drFigure('bigquery.replica-read-switch-minutes');
  const promotion = d.drFigure('bigquery.replica-promotion-needs-primary');
  const writers = writerSubscriptions(ctx, dataset);
  const replay = replayWindowSeconds(ctx, writers);
  const where = replicas.map((r) => `${r.location} (${r.job.address})`).join(', ');
  const covered = replay.seconds !== null && replay.seconds >= lag.value;
  const replayText =
    replay.seconds === null
      ? 'no topic feeding the dataset keeps a replay window'
      : `replay window ${toMin(replay.seconds)} min (retention of ${replay.topics.map((t) => t.address).join(', ')}) ${covered ? '>=' : '<'} replication lag ${toMin(lag.value)} min (${lag.confidence})`;
  const buffers = archiveBuffers(ctx, writers);
  return {
    scenario: 'region-loss',
    target: `${target} (reads; archive writes wait for the primary)`,
    address: dataset.address,
    rpoMinutes: covered ? 0 : toMin(lag.value),
    rtoMinutes: read.value,
    basis:
      `replica in ${where}; writes not yet replicated (<= ${toMin(lag.value)} min, ${lag.confidence}) ${covered ? 'are replayed from the topic by seeking the writer\'s subscription' : 'are lost'}: ${replayText}; ` +
      `RTO ${read.value} min is for reads (the query plane), which move to the read-only replica (${read.confidence}); ${promotion.note} ` +
      `Archive writes are deferred, not lost, while the outage is shorter than their buffer: ${buffers}.`,
  };
}

/** The subscriptions that buffer a dataset's writers while its primary is down, with their retention. */
function archiveBuffers(ctx: AnalysisContext, writers: readonly Resource[]): string {
  const parts = new Set<string>();
  for (const sub of writers) {
    const retention = durationSeconds(readAttr(sub, 'message_retention_duration'));
    const seconds = typeof retention === 'number' ? retention : ctx.data.limit('pubsub.subscription-retention-default-seconds').value;
    parts.add(`${sub.address} keeps unacknowledged messages ${toMin(seconds) >= MINUTES_PER_HOUR * 24 ? `${Math.round((seconds / SECONDS_PER_HOUR / 24) * 10) / 10} days` : `${toMin(seconds)} min`}`);
  }
  return parts.size > 0 ? [...parts].join('; ') : 'no subscription buffers them (writes during the outage are lost)';
}

function bigqueryScenarios(ctx: AnalysisContext, dataset: Resource): DrScenarioEx[] {
  const target = `cold store ${dataset.address}`;
  const zoneRedundant = ctx.data.drFigure('bigquery.zone-redundant');
  const tables = ctx.topology.tablesIn(dataset);
  const protectedTables = tables.every((t) => bool(t, 'deletion_protection') !== false);
  const deleteContents = bool(dataset, 'delete_contents_on_destroy') === true;
  return [
    { scenario: 'zone-loss', target, address: dataset.address, rpoMinutes: 0, rtoMinutes: 0, basis: `${zoneRedundant.note} (${zoneRedundant.confidence})` },
    bigqueryRegionLoss(ctx, dataset, target),
    operatorError(ctx, dataset, target, protectedTables && !deleteContents, undefined, tables),
  ];
}

function queueScenarios(ctx: AnalysisContext, gateways: readonly Resource[], out: DrScenarioEx[]): void {
  const d = ctx.data;
  for (const sub of ctx.topology.speedSubscriptions.length > 0 ? ctx.topology.speedSubscriptions : ctx.topology.subscriptions.slice(0, 1)) {
    const target = `queue ${sub.address}`;
    out.push({ scenario: 'zone-loss', target, address: sub.address, rpoMinutes: 0, rtoMinutes: 0, basis: `${d.drFigure('pubsub.zone-redundant').note} (U)` });
    out.push(queueRegionLoss(ctx, sub, target, gateways));
    if (destroyedByPlan(ctx, sub)) {
      out.push({ scenario: 'operator-error', target, address: sub.address, rpoMinutes: null, rtoMinutes: null, basis: 'the plan deletes or replaces the subscription: its unacknowledged backlog is lost' });
    }
  }
}

/**
 * Pub/Sub keeps a message in the region it was stored in (nearest the publisher) and has no
 * failover for it: a region loss strands the undelivered backlog there until it returns. The
 * oldest such message is the recovery point: at the sustained rate the speed path keeps up,
 * after a buffered burst the backlog is up to burst + drain seconds old. New events flow again
 * once devices fail over to the other region's gateway, whose publishes are stored there, or,
 * with every gateway in one region, once the gateway is redeployed elsewhere (the same figure as
 * the gateway's own region-loss RTO: the topic and subscription are global resources).
 */
function queueRegionLoss(ctx: AnalysisContext, sub: Resource, target: string, gateways: readonly Resource[]): DrScenarioEx {
  const d = ctx.data;
  const stranded = d.drFigure('pubsub.region-loss-strands-backlog');
  const gatewayRegions = new Set(gateways.map((g) => g.region));
  const burst = speedPathBurst(ctx);
  const backlogSeconds = burst.drainSeconds === null ? null : burst.drainSeconds > 0 ? burst.burstSeconds + burst.drainSeconds : 0;
  const failover = d.drFigure('cloudrun.client-failover-seconds');
  const redeploy = d.drFigure('cloudrun.redeploy-minutes');
  const rpoText =
    backlogSeconds === null
      ? `the backlog that can sit there is unbounded (${burst.basis})`
      : backlogSeconds === 0
        ? 'the speed path keeps up even in a burst, so the backlog there is the in-flight messages only'
        : `after a burst the oldest undelivered message is ${burst.burstSeconds} + ${Math.round(burst.drainSeconds!)} = ${Math.round(backlogSeconds)} s old (${textBefore(burst.basis, ':')})`;
  const rto =
    gatewayRegions.size >= 2
      ? { rto: toMin(failover.value), text: `new events reach Pub/Sub again through the gateway in another region within ${toMin(failover.value)} min (${failover.confidence}; they are stored in that region)` }
      : gateways.length > 0
        ? {
            rto: redeploy.value,
            text: `every gateway is in ${[...gatewayRegions].join(', ')}: new events reach Pub/Sub again once the gateway is redeployed in another region, ${redeploy.value} min (${redeploy.confidence}, as the gateway's own region-loss scenario; its publishes are stored in that region)`,
          }
        : { rto: null, text: 'no ingest gateway in the graph: no publisher to recover' };
  return {
    scenario: 'region-loss',
    target,
    address: sub.address,
    rpoMinutes: backlogSeconds === null ? null : toMin(backlogSeconds),
    rtoMinutes: rto.rto,
    basis: `${stranded.note} (${stranded.confidence}); ${rpoText}: those events are unavailable until the region returns; ${rto.text}`,
  };
}

/**
 * The speed path after the primary processor's region is lost, when the other regions hold gated
 * standbys (STANDBY_BACKLOG_AGE_SECONDS): the fastest standby's takeover (threshold + metric
 * sampling + visibility + poll + startup); a standby that cannot read the metric never takes over.
 */
function standbyRegionLoss(ctx: AnalysisContext, services: Resource[], target: string): DrScenarioEx | undefined {
  const primary = services[0];
  const others = services.filter((s) => s.region !== primary.region);
  if (others.length === 0) return undefined;
  const gated = others.map((s) => gatedStandby(ctx, s)).filter((g): g is GatedStandby => g !== undefined);
  // Another region that pulls all the time takes over by itself (the client-failover figure applies).
  if (gated.length < others.length) return undefined;
  // No data is lost (stateless, Pub/Sub keeps the backlog); the standby's takeover decides the RTO.
  const results = gated.map((g) => {
    const reader = metricReaderGrant(ctx.graph, g.service);
    const takeover = standbyTakeover(ctx, g);
    return { g, reader, takeover };
  });
  const able = results.filter((r) => typeof r.reader === 'object' && r.takeover.seconds !== null);
  const cold = results.find((r) => r.g.minInstances === 0);
  if (able.length > 0) {
    const best = able.reduce((a, b) => (b.takeover.seconds! < a.takeover.seconds! ? b : a));
    return regionLossWithoutDataLoss(target, primary.address, toMin(best.takeover.seconds!), `${best.takeover.basis}; min instances already warm, so it pulls as soon as it sees the age; stateless, Pub/Sub keeps the backlog`);
  }
  if (cold && results.every((r) => r.g.minInstances === 0)) return regionLossWithoutDataLoss(target, primary.address, null, cold.takeover.basis);
  const pending = results.find((r) => r.reader === 'unknown' || (typeof r.reader === 'object' && r.takeover.seconds === null && r.g.minInstances !== 0));
  if (pending) {
    const rtoUnknown = pending.reader === 'unknown' ? `${pending.g.service.address}: service account known only after apply, so whether it may read the backlog-age metric is unknown` : pending.takeover.basis;
    return { scenario: 'region-loss', target, address: primary.address, rpoMinutes: 0, rtoMinutes: null, rtoUnknown, basis: pending.takeover.basis };
  }
  return regionLossWithoutDataLoss(
    target,
    primary.address,
    null,
    `${gated.map((g) => g.service.address).join(', ')}: gated standby without a role that reads Cloud Monitoring (roles/monitoring.viewer) on its service account: it cannot see the backlog age, so it never takes over (until an operator removes STANDBY_BACKLOG_AGE_SECONDS)`,
  );
}

function regionLossWithoutDataLoss(target: string, address: string, rtoMinutes: number | null, basis: string): DrScenarioEx {
  return { scenario: 'region-loss', target, address, rpoMinutes: 0, rtoMinutes, basis };
}

function serviceScenarios(ctx: AnalysisContext, services: Resource[], role: ServiceRole, label: string, out: DrScenarioEx[]): void {
  if (services.length === 0) return;
  const d = ctx.data;
  const regions = new Set(services.map((s) => s.region));
  const target = `${label} ${services.map((s) => s.address).join(', ')}`;
  const standby = role === 'processor' ? standbyRegionLoss(ctx, services, target) : undefined;
  out.push(
    { scenario: 'zone-loss', target, address: services[0].address, rpoMinutes: 0, rtoMinutes: 0, basis: `${d.drFigure('cloudrun.zone-redundant').note} (U)` },
    standby ??
    (regions.size >= 2
      ? {
          scenario: 'region-loss',
          target,
          address: services[0].address,
          rpoMinutes: 0,
          rtoMinutes: toMin(d.drFigure('cloudrun.client-failover-seconds').value),
          basis: `deployed in ${[...regions].join(', ')}: ${d.drFigure('cloudrun.client-failover-seconds').note} (U)`,
        }
      : { scenario: 'region-loss', target, address: services[0].address, rpoMinutes: 0, rtoMinutes: d.drFigure('cloudrun.redeploy-minutes').value, basis: `one region (${[...regions].join(', ')}): ${d.drFigure('cloudrun.redeploy-minutes').note} (U); stateless, Pub/Sub keeps the backlog` }),
  );
}

function dataflowScenarios(ctx: AnalysisContext, job: Resource): DrScenarioEx[] {
  const d = ctx.data;
  const target = `archive job ${job.address}`;
  return [
    { scenario: 'zone-loss', target, address: job.address, rpoMinutes: 0, rtoMinutes: d.drFigure('dataflow.zone-failover-minutes').value, basis: `${d.drFigure('dataflow.zone-failover-minutes').note} (U)` },
    { scenario: 'region-loss', target, address: job.address, rpoMinutes: 0, rtoMinutes: d.drFigure('dataflow.relaunch-minutes').value, basis: `${d.drFigure('dataflow.relaunch-minutes').note} (U)` },
    ...(destroyedByPlan(ctx, job) && job.values.on_delete !== 'drain'
      ? [{ scenario: 'operator-error' as const, target, address: job.address, rpoMinutes: null, rtoMinutes: null, basis: 'the plan cancels the job without draining: in-flight elements are lost' }]
      : []),
  ];
}

/** Store types whose deletion by the plan loses data. */
const STORE_TYPES = new Set(['google_bigtable_instance', 'google_bigtable_table', 'google_bigquery_dataset', 'google_bigquery_table', 'google_pubsub_topic', 'google_pubsub_subscription']);

export function analyseDr(ctx: AnalysisContext): DrResult & { scenarios: DrScenarioEx[] } {
  const topo = ctx.topology;
  // Each role looked up once: the topology filters and sorts the services on every lookup.
  const gateways = topo.services('ingest-gateway');
  const processors = topo.services('processor');
  const scenarios: DrScenarioEx[] = [];
  for (const instance of topo.bigtableInstances) scenarios.push(...bigtableScenarios(ctx, instance));
  for (const dataset of topo.ofType('google_bigquery_dataset')) scenarios.push(...bigqueryScenarios(ctx, dataset));
  queueScenarios(ctx, gateways, scenarios);
  serviceScenarios(ctx, gateways, 'ingest-gateway', 'ingest gateway', scenarios);
  serviceScenarios(ctx, processors, 'processor', 'processor', scenarios);
  serviceScenarios(ctx, topo.services('analytics'), 'analytics', 'analytics service', scenarios);
  for (const job of topo.dataflowJobs) scenarios.push(...dataflowScenarios(ctx, job));
  for (const r of ctx.graph.removed) {
    if (!STORE_TYPES.has(r.type) || scenarios.some((s) => s.address === r.address)) continue;
    const dataset = r.type === 'google_bigquery_table' ? topo.datasetOf(r) : undefined;
    const basis = r.type === 'google_bigquery_table' ? `the plan deletes this table: ${timeTravelText(ctx, dataset)}` : 'the plan deletes this store: its data is lost';
    scenarios.push({ scenario: 'operator-error', target: r.address, address: r.address, rpoMinutes: null, rtoMinutes: null, basis });
  }
  return { scenarios, missing: missingStages(ctx, gateways.length > 0, processors.length > 0) };
}

/** The stateful stores and processing stages every pipeline has; without one, recovery is unknown. */
function missingStages(ctx: AnalysisContext, hasGateway: boolean, hasProcessor: boolean): string[] {
  const topo = ctx.topology;
  const missing: string[] = [];
  if (!hasGateway) missing.push('ingest gateway service');
  if (topo.speedSubscriptions.length === 0 && topo.subscriptions.length === 0) missing.push('speed-layer subscription');
  if (!hasProcessor) missing.push('processor service');
  if (topo.bigtableInstances.length === 0) missing.push('hot store (Bigtable instance)');
  if (topo.ofType('google_bigquery_dataset').length === 0) missing.push('cold store (BigQuery dataset)');
  return missing;
}
