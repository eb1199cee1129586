/**
 * Gated warm standby processors: a processor with STANDBY_BACKLOG_AGE_SECONDS keeps its
 * minimum instances running but does not pull the subscription until Cloud Monitoring's
 * pubsub.googleapis.com/subscription/oldest_unacked_message_age exceeds that threshold
 * (functions/processor/standby-gate.ts). So at the sustained rate it takes no share of the
 * events, at a burst's start it adds no capacity, and it takes over a lost primary region after
 *
 *   threshold (the backlog must grow that old) + metric sampling (60 s) + visibility delay
 *   (up to 120 s) + its poll interval + instance startup (0: its minimum instances are warm; with
 *   none, nothing polls and Cloud Run never starts a pull subscriber, so it never takes over)
 *
 * It reads the metric with monitoring.timeSeries.list, so its service account needs a
 * monitoring role that includes it (roles/monitoring.viewer on the project, or wider).
 */
import type { AttrValue, Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { asNumber, readAttr, textOf } from '../graph/values';
import { MINUTES_PER_HOUR, SECONDS_PER_HOUR } from '../data';
import { containerEnv, hasContainerEnvVar, num } from './attributes';
import { oncePerResource, type AnalysisContext } from './context';
import { speedPathBurst } from './burst-impact';

const SECONDS_PER_MINUTE = SECONDS_PER_HOUR / MINUTES_PER_HOUR;
export const STANDBY_ENV = 'STANDBY_BACKLOG_AGE_SECONDS';
/** Roles that include monitoring.timeSeries.list (predefined roles; https://cloud.google.com/monitoring/access-control#roles). */
export const METRIC_READER_ROLES = ['roles/monitoring.viewer', 'roles/monitoring.editor', 'roles/monitoring.admin', 'roles/viewer', 'roles/editor', 'roles/owner'];

export interface GatedStandby {
  service: Resource;
  /** Backlog age above which it pulls; null when not a literal. */
  thresholdSeconds: number | null;
  /** How often it reads the metric; null when not a literal. */
  pollSeconds: number | null;
  /** Min instances (null when pending). */
  minInstances: number | null;
}

/** The literal number of an env var: undefined when unset, null when set but not a literal number. */
function envLiteral(env: ReadonlyMap<string, AttrValue>, name: string): number | null | undefined {
  if (!env.has(name)) return undefined;
  const v = env.get(name);
  if (v === undefined || v === null || isPending(v)) return null;
  return asNumber(v as never) ?? null;
}

/** True when the processor is gated on the backlog age (STANDBY_BACKLOG_AGE_SECONDS set). */
export function isGatedStandby(svc: Resource): boolean {
  // Asked many times per verification (latency, capacity, rules): the one variable, not the
  // service's whole environment (containerEnv).
  return hasContainerEnvVar(svc, STANDBY_ENV);
}

/** The standby gate of a processor (read by latency and DR: computed once). */
export const gatedStandby = oncePerResource(function gatedStandby(ctx: AnalysisContext, svc: Resource): GatedStandby | undefined {
  if (!isGatedStandby(svc)) return undefined;
  const env = containerEnv(svc);
  const poll = envLiteral(env, 'STANDBY_POLL_SECONDS');
  const min = readAttr(svc, 'template.scaling.min_instance_count');
  return {
    service: svc,
    thresholdSeconds: envLiteral(env, STANDBY_ENV) ?? null,
    pollSeconds: poll === undefined ? ctx.data.latencyFigure('processor.standby-poll-seconds-default').value : poll,
    minInstances: min !== undefined && min !== null && isPending(min) ? null : (num(svc, 'template.scaling.min_instance_count') ?? 0),
  };
});

export function gatedStandbys(ctx: AnalysisContext): GatedStandby[] {
  const gated: GatedStandby[] = [];
  for (const p of ctx.topology.services('processor')) {
    const g = gatedStandby(ctx, p);
    if (g) gated.push(g);
  }
  return gated;
}

export interface Takeover {
  seconds: number | null;
  basis: string;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Time from a lost primary until the gated standby pulls; null with the missing figure named. */
export function standbyTakeover(ctx: AnalysisContext, g: GatedStandby): Takeover {
  const d = ctx.data;
  const sample = d.drFigure('monitoring.pubsub-metric-sample-seconds');
  const visible = d.drFigure('monitoring.pubsub-metric-visibility-seconds');
  const missing: string[] = [];
  if (g.thresholdSeconds === null) missing.push(`${STANDBY_ENV} is not a literal number`);
  if (g.pollSeconds === null) missing.push('STANDBY_POLL_SECONDS is not a literal number');
  if (g.minInstances === null) missing.push('min_instance_count is known only after apply');
  if (missing.length > 0) return { seconds: null, basis: `${g.service.address}: takeover time unknown: ${missing.join('; ')}` };
  if (g.minInstances! < 1) {
    return { seconds: null, basis: `gated standby ${g.service.address} (${g.service.region ?? '?'}) runs no instance (min_instance_count 0): nothing polls the backlog age, and Cloud Run never starts a pull subscriber from zero, so it does not take over` };
  }
  const seconds = g.thresholdSeconds! + sample.value + visible.value + g.pollSeconds!;
  return {
    seconds,
    basis:
      `gated standby ${g.service.address} (${g.service.region ?? '?'}) pulls once the backlog is older than ${g.thresholdSeconds} s: ` +
      `${g.thresholdSeconds} s threshold + ${sample.value} s metric sampling + ${visible.value} s until visible (${sample.source}, ${visible.confidence}) + ${g.pollSeconds} s poll + 0 s startup (${g.minInstances} warm instance(s)) = ${round1(seconds)} s (${round1(seconds / SECONDS_PER_MINUTE)} min)`,
  };
}

export interface StandbyInBursts {
  address: string;
  region?: string;
  thresholdSeconds: number | null;
  /** Longest backlog age a burst causes (burst impact's longest wait); null when unknown. */
  longestWaitSeconds: number | null;
  /** True when bursts make it pull, false when they stay below its threshold, null when unknown. */
  pullsDuringBursts: boolean | null;
  basis: string;
}

/** Whether bursts push the backlog age over each gated standby's threshold. */
export function standbysInBursts(ctx: AnalysisContext): StandbyInBursts[] {
  const burst = speedPathBurst(ctx);
  const wait = burst.longestWaitSeconds;
  return gatedStandbys(ctx).map((g): StandbyInBursts => {
    const base = { address: g.service.address, ...(g.service.region ? { region: g.service.region } : {}), thresholdSeconds: g.thresholdSeconds, longestWaitSeconds: wait };
    if (g.thresholdSeconds === null) return { ...base, pullsDuringBursts: null, basis: `${g.service.address}: ${STANDBY_ENV} is not a literal, so whether bursts make it pull is unknown` };
    if (wait === null) return { ...base, pullsDuringBursts: null, basis: `${g.service.address}: the longest backlog age of a burst is unknown (${burst.basis}), so whether it pulls during bursts is unknown` };
    const pulls = g.thresholdSeconds < wait;
    return {
      ...base,
      pullsDuringBursts: pulls,
      basis: pulls
        ? `the standby ${g.service.address} (${g.service.region ?? '?'}) will pull during bursts: a burst's backlog reaches ${round1(wait)} s > its ${g.thresholdSeconds} s threshold`
        : `the standby ${g.service.address} (${g.service.region ?? '?'}) stays idle in bursts: the longest backlog age ${round1(wait)} s <= its ${g.thresholdSeconds} s threshold`,
    };
  });
}

export interface MetricGrant {
  address: string;
  role: string;
}

/**
 * The project-level grant that lets a service's account read Cloud Monitoring time series
 * (a role in METRIC_READER_ROLES); 'unknown' when the account is pending with no reference to a
 * google_service_account; undefined when no such grant exists.
 */
export function metricReaderGrant(graph: { resources: Resource[] }, svc: Resource): MetricGrant | 'unknown' | undefined {
  const v = readAttr(svc, 'template.service_account');
  const pending = v !== undefined && v !== null && isPending(v);
  const accounts = pending ? v.references.filter((r) => /google_service_account\./.test(r)) : typeof v === 'string' ? [v] : [];
  if (accounts.length === 0) return pending ? 'unknown' : undefined;
  for (const iam of graph.resources) {
    if (iam.type !== 'google_project_iam_member' && iam.type !== 'google_project_iam_binding') continue;
    const roleValue = readAttr(iam, 'role');
    const role = typeof roleValue === 'string' ? roleValue : textOf(roleValue);
    if (!METRIC_READER_ROLES.includes(role)) continue;
    const members = textOf(readAttr(iam, iam.type.endsWith('_binding') ? 'members' : 'member'));
    if (accounts.some((a) => members.includes(a))) return { address: iam.address, role };
  }
  return undefined;
}

