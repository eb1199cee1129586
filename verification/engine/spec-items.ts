/**
 * One verdict per spec item: the status from the rules that serve it (an item no rule
 * evaluates is unknown), and the computed value in words from the analyses.
 */
import type { Spec, SpecItemId, ConstraintId } from '../spec/spec';
import type { AnalysisResults, DrScenario, RuleResult, SpecItemVerdict, Status } from './types';
import { scenarioJudged } from '../analyses/dr-figures';
import { formatNumber } from '../analyses/number-format';
import { formatFraction } from '../analyses/percent-format';

const CONSTRAINT_IDS: ConstraintId[] = [
  'latency_p99',
  'latency_p50',
  'throughput_sustained',
  'throughput_burst',
  'monthly_cost',
  'availability',
  'retention',
  'rpo',
  'rto',
];

export function specItemIds(spec: Spec): SpecItemId[] {
  return [...spec.invariants.map((i) => i.id), ...spec.properties.map((p) => p.id), ...CONSTRAINT_IDS, 'security'];
}

/** fail beats unknown beats waived beats pass. */
export function combineStatus(statuses: Status[]): Status {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('unknown')) return 'unknown';
  if (statuses.length > 0 && statuses.every((s) => s === 'waived')) return 'waived';
  if (statuses.includes('waived')) return 'waived';
  return 'pass';
}

const NONE_SERVED: readonly RuleResult[] = [];

export function specItemVerdicts(spec: Spec, results: readonly RuleResult[], analyses: AnalysisResults): SpecItemVerdict[] {
  // The results of each item, grouped in one pass (in their order), not filtered once per item.
  const servedBy = new Map<SpecItemId, RuleResult[]>();
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    const list = servedBy.get(r.specItem);
    if (list) list.push(r);
    else servedBy.set(r.specItem, [r]);
  }
  // The burst clause three latency summaries end with, written once.
  const burst = burstSummary(analyses);
  return specItemIds(spec).map((item) => {
    const served = servedBy.get(item) ?? NONE_SERVED;
    const computed = summarise(item, spec, analyses, served, burst);
    if (served.length === 0) {
      const summary = computed === 'not evaluated' ? 'no rule evaluates it' : `${computed}; no rule evaluates it`;
      return { item, status: 'unknown' as Status, summary };
    }
    const status = statusOf(served);
    return { item, status, summary: status === 'fail' ? withFailures(item, computed, served) : computed };
  });
}

/** combineStatus of the results' statuses, without listing them. */
function statusOf(served: readonly RuleResult[]): Status {
  let unknown = false;
  let waived = false;
  for (let i = 0; i < served.length; i++) {
    const r = served[i];
    if (r.status === 'fail') return 'fail';
    if (r.status === 'unknown') unknown = true;
    else if (r.status === 'waived') waived = true;
  }
  return unknown ? 'unknown' : waived ? 'waived' : 'pass';
}

/** The rule that judges each item's figure: its failure is what the figure already shows. */
export const FIGURE_RULES: Partial<Record<SpecItemId, string>> = {
  latency_p99: 'latency-p99-within-bound',
  latency_p50: 'latency-p50-within-bound',
  event_processed: 'event-processed-within-bound',
  dashboard_updated: 'dashboard-freshness',
  batch_job_complete: 'batch-job-within-bound',
  throughput_sustained: 'sustained-throughput',
  throughput_burst: 'burst-throughput',
  monthly_cost: 'cost-within-budget',
  availability: 'availability-target',
  retention: 'retention-covers-spec',
  rpo: 'rpo-within-bound',
  rto: 'rto-within-bound',
};

/**
 * A FAIL that comes from a check other than the figure's own would read as unexplained beside
 * the figure (unknown, or within its bound): name those checks, so a design without a
 * processor says why event_processed fails while latency_p99 is only unknown. Check counts
 * (invariants, security) already name every failing check.
 */
function withFailures(item: SpecItemId, summary: string, served: readonly RuleResult[]): string {
  const figureRule = FIGURE_RULES[item];
  if (figureRule === undefined) return summary;
  const others = served.filter((r) => r.status === 'fail' && r.rule !== figureRule);
  return others.length === 0 ? summary : `${summary}; fails: ${ruleEvidence(others)}`;
}

const known = (n: number | null | undefined): n is number => n !== null && n !== undefined && Number.isFinite(n);
const fmt = (n: number | null | undefined, digits = 0) => (known(n) ? formatNumber(n, digits, digits) : 'unknown');
/** "64.2 ms", or "unknown" without a unit. */
const unit = (n: number | null | undefined, u: string, digits = 0) => (known(n) ? `${formatNumber(n, digits, digits)} ${u}` : 'unknown');
/** The lead's decision on the audit: latency bounds are judged at the sustained rate, bursts reported beside them. */
const SUSTAINED = 'at the sustained rate (spec assumption burst-buffered)';
function burstSummary(a: AnalysisResults): string {
  const b = a.latency.burst;
  if (!b) return '';
  if (b.delayedPerBurst === null) return '; burst effect unknown';
  if (b.delayedPerBurst === 0) return '; bursts served without a backlog';
  return `; each burst delays ${fmt(b.delayedPerBurst)} events, the longest by ${fmt(b.longestWaitSeconds, 1)} s, ${fmt((b.monthShareBeyondBound ?? 0) * 100, 2)}% of the month's events beyond ${fmt(b.boundMs)} ms`;
}
const pct = (a: number | null | undefined) => (a === null || a === undefined ? 'unknown' : formatFraction(a));
/** "240.7 ms exceeds the 100 ms bound" / "64.2 ms within the 100 ms bound": the comparison the rule made. */
const against = (n: number | null | undefined, bound: number | undefined, u: string, digits = 0) => {
  const value = unit(n, u, digits);
  if (bound === undefined) return `${value} (no bound in the spec)`;
  if (!known(n)) return `unknown (bound ${fmt(bound)} ${u})`;
  return `${value} ${n <= bound ? 'within' : 'exceeds'} the ${fmt(bound)} ${u} bound`;
};

function summarise(item: SpecItemId, spec: Spec, a: AnalysisResults, served: readonly RuleResult[], burst: string): string {
  const c = spec.constraints;
  const prop = spec.properties.find((p) => p.id === item);
  switch (item) {
    case 'latency_p99':
      return `p99 ${against(a.latency.p99Ms, c.latencyP99Ms, 'ms', 1)} ${SUSTAINED}${burst}`;
    case 'latency_p50':
      return `p50 ${against(a.latency.p50Ms, c.latencyP50Ms, 'ms', 1)} ${SUSTAINED}${burst}`;
    case 'throughput_sustained':
      return `sustained ${unit(a.capacity.sustainedEventsPerSecond, 'events/s')} (need ${fmt(c.sustainedEventsPerSecond)})${a.capacity.bottleneck ? `, bottleneck ${a.capacity.bottleneck}` : ''}`;
    case 'throughput_burst':
      const absorbed = a.capacity.burstAbsorbed.absorbed === true ? `; the excess is buffered and drained: ${a.capacity.burstAbsorbed.explanation}` : '';
      return `burst capacity ${unit(a.capacity.burstEventsPerSecond, 'events/s')} (need ${fmt(c.burstEventsPerSecond)})${absorbed}`;
    case 'monthly_cost': {
      const m = a.cost.monthlyUsd;
      const unpriced = a.cost.unpriced.length > 0 ? `, ${a.cost.unpriced.length} resource(s) unpriced` : '';
      return `$${fmt(m.expected)}/month expected ($${fmt(m.min)}..$${fmt(m.max)}; budget $${fmt(c.monthlyBudgetUsd)})${unpriced}`;
    }
    case 'availability': {
      const planes = a.availability.planes.map((p) => `${p.plane} ${pct(p.availability)}`).join(', ');
      const freshness = c.freshnessAvailability !== undefined ? `, freshness ${pct(c.freshnessAvailability)}` : '';
      return `${planes || 'no plane computed'} (target ${pct(c.availability)}${freshness})`;
    }
    case 'retention': {
      // What the retention rule judges: the archive against the spec, hot tables against the hot window.
      const archive = a.retention.entries.filter((e) => e.kind === 'bigquery-table' && e.role.startsWith('archive'));
      const archiveDays = archive.some((e) => e.retentionDays === null && !e.unbounded)
        ? null
        : Math.min(...archive.map((e) => (e.unbounded ? Number.POSITIVE_INFINITY : (e.retentionDays as number))));
      const wholeTable = archive.find((e) => e.tableExpirySetting !== undefined);
      const archiveText =
        archive.length === 0
          ? 'no archive table'
          : wholeTable
            ? `archive table deleted whole by ${wholeTable.tableExpirySetting}, so no event is kept for sure`
            : archiveDays === Number.POSITIVE_INFINITY
              ? 'archive never expires'
              : `archive keeps ${unit(archiveDays, 'days')}`;
      const hot = a.retention.entries.filter((e) => e.kind === 'bigtable-table' && e.retentionDays !== null).map((e) => e.retentionDays as number);
      const hotText = hot.length > 0 ? `, hot tables keep >= ${fmt(Math.min(...hot) * 24, 1)} h (hot window ${fmt(spec.workload.hotWindowHours)} h)` : '';
      return `${archiveText} (need ${fmt(c.retentionDays)} days)${hotText}; ${a.retention.entries.length} stores and queues checked`;
    }
    case 'rpo':
    case 'rto': {
      // The worst scenario of each kind: an unbounded or unknown one beats any number.
      const bound = item === 'rpo' ? c.rpoMinutes : c.rtoMinutes;
      const judged: string[] = [];
      const notJudged: string[] = [];
      for (const kind of DR_KINDS) {
        const worst = worstOf(a.dr.scenarios, kind, item);
        if (worst !== undefined) (scenarioJudged(spec, kind) ? judged : notJudged).push(`${DR_KIND_TEXT[kind]} ${worst}`);
      }
      const missing = a.dr.missing && a.dr.missing.length > 0 ? `; unknown for the missing ${a.dr.missing.join(', ')}` : '';
      const covered = (spec.constraints.drScenarios ?? []).map((k) => k.replace('-', ' '));
      const rest = notJudged.length > 0 ? `; not judged (the spec bounds ${covered.join(', ') || 'no scenario'} only): ${notJudged.join(', ')}` : '';
      return `worst ${item.toUpperCase()}: ${judged.join(', ') || 'no scenario'} (bound ${fmt(bound)} min)${missing}${rest}`;
    }
    case 'event_processed': {
      const p50 = prop?.percentile === 50;
      return `processing p${p50 ? 50 : 99} ${against(p50 ? a.latency.processing.p50Ms : a.latency.processing.p99Ms, prop?.boundMs, 'ms', 1)} ${SUSTAINED}${burst}`;
    }
    case 'dashboard_updated': {
      // The figure the rule judges: the worst case for an "always" bound, else the stated percentile.
      const f = a.latency.dashboardFreshness;
      const value = prop?.percentile === undefined ? f.maxMs : prop.percentile === 50 ? f.p50Ms : f.p99Ms;
      const windows = a.latency.windowFreshness?.maxMs != null ? `; window series trails by up to ${unit(a.latency.windowFreshness.maxMs, 'ms')} (final windows, not bounded)` : '';
      const burst = a.latency.burst?.dashboardLagMs != null ? `; during a burst up to ${unit(a.latency.burst.dashboardLagMs, 'ms')} behind` : '';
      return `dashboard live figures ${prop?.percentile === undefined ? 'worst case' : `p${prop.percentile}`} ${against(value, prop?.boundMs, 'ms')} ${SUSTAINED}${burst}${windows}`;
    }
    case 'batch_job_complete':
      return `batch job ${against(a.latency.batchJobMinutes, prop ? prop.boundMs / 60000 : undefined, 'min', 1)}`;
    default: {
      if (served.length === 0) return 'not evaluated';
      const count = { pass: 0, fail: 0, unknown: 0, waived: 0 };
      for (let i = 0; i < served.length; i++) count[served[i].status]++;
      return `${served.length} check(s): ${count.pass} pass, ${count.fail} fail, ${count.unknown} unknown, ${count.waived} waived; ${ruleEvidence(served)}`;
    }
  }
}

const DR_KINDS = ['zone-loss', 'region-loss', 'operator-error'] as const;
const DR_KIND_TEXT: Record<DrScenario['scenario'], string> = { 'zone-loss': 'zone loss', 'region-loss': 'region loss', 'operator-error': 'operator error' };

/**
 * The worst figure among the scenarios of one kind: "unbounded" or "unknown" (as drFigure
 * reads them) beat any number; undefined when there is none of that kind.
 */
function worstOf(scenarios: readonly DrScenario[], kind: DrScenario['scenario'], item: 'rpo' | 'rto'): string | undefined {
  let any = false;
  let unbounded = false;
  let unknown = false;
  let worst = 0;
  for (let i = 0; i < scenarios.length; i++) {
    const x = scenarios[i];
    if (x.scenario !== kind) continue;
    any = true;
    const v = item === 'rpo' ? x.rpoMinutes : x.rtoMinutes;
    if (item === 'rto' && x.rtoUnknown !== undefined) unknown = true;
    else if (v === null) unbounded = true;
    else worst = Math.max(worst, v);
  }
  if (!any) return undefined;
  if (unbounded) return 'unbounded';
  if (unknown) return 'unknown';
  return `${formatNumber(worst, 1, 1)} min`;
}

const EVIDENCE_CHARS = 90;

/** What each rule found, worst result first: "ordering-enabled: enable_message_ordering = true". */
function ruleEvidence(served: readonly RuleResult[]): string {
  // Per rule, in first-seen order: its first result of the worst status, how many share that
  // status, and how many it has in all.
  const byRule = new Map<string, { worst: RuleResult; worstCount: number; count: number }>();
  for (let i = 0; i < served.length; i++) {
    const r = served[i];
    const seen = byRule.get(r.rule);
    if (!seen) byRule.set(r.rule, { worst: r, worstCount: 1, count: 1 });
    else {
      seen.count++;
      if (STATUS_RANK[r.status] < STATUS_RANK[seen.worst.status]) {
        seen.worst = r;
        seen.worstCount = 1;
      } else if (r.status === seen.worst.status) seen.worstCount++;
    }
  }
  let text = '';
  byRule.forEach(({ worst, worstCount, count }, rule) => {
    const seen = typeof worst.observed === 'string' ? worst.observed : worst.message;
    const shown = seen.length > EVIDENCE_CHARS ? `${seen.slice(0, EVIDENCE_CHARS - 1)}…` : seen;
    // "1 of 9 fail" rather than "9 results", which read as nine failures.
    const more = count <= 1 ? '' : worst.status === 'pass' ? ` (${count} results)` : ` (${worstCount} of ${count} results ${worst.status})`;
    text += `${text === '' ? '' : '; '}${rule}${worst.status === 'pass' ? '' : ` ${worst.status.toUpperCase()}`}: ${shown}${more}`;
  });
  return text;
}

const STATUS_RANK: Record<Status, number> = { fail: 0, unknown: 1, waived: 2, pass: 3 };
