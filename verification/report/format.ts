/** Number and text formatting shared by the report formats. */
import type { Status, VerificationReport } from '../engine/types';
import type { Spec } from '../spec/spec';
import { formatFraction } from '../analyses/percent-format';
import { formatNumber } from '../analyses/number-format';
export { drFigure, scenarioLabel } from '../analyses/dr-figures';

export function usd(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'unknown';
  return `$${formatNumber(n, digits, digits)}`;
}

export function num(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'unknown';
  return formatNumber(n, digits, digits);
}

/** A retention as people read it: "31 d", "6 h" under a day, "kept until deleted", "unknown". */
export function retention(e: { retentionDays: number | null; unbounded?: boolean }): string {
  if (e.unbounded) return 'kept until deleted';
  if (e.retentionDays === null) return 'unknown';
  if (e.retentionDays > 0 && e.retentionDays < 1) return `${formatNumber(e.retentionDays * 24, 1)} h`;
  return `${formatNumber(e.retentionDays, 1)} d`;
}

export function ms(n: number | null | undefined): string {
  return n === null || n === undefined ? 'unknown' : `${num(n, n < 10 ? 2 : 1)} ms`;
}

export function percent(a: number | null | undefined): string {
  return a === null || a === undefined ? 'unknown' : formatFraction(a);
}

export const STATUS_WORD: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', unknown: 'UNKNOWN', waived: 'WAIVED' };

export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Greedy word wrap. A word longer than the width (a resource address) is broken across lines,
 * never cut: the table stays within its columns and still shows the whole address. It breaks
 * between the address's parts (after `.`, `/`, `]`, `,`) in the line's second half where it can,
 * else after `_` or `-`: `module.b["key"].` / `google_pubsub_topic.x`, not `google_pub` / `sub_topic.x`.
 */
export function wrap(s: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(/\s+/).filter(Boolean)) {
    if (width > 0 && word.length > width) {
      if (line !== '') lines.push(line);
      for (const piece of breakWord(word, width)) lines.push(piece);
      line = lines.pop() as string;
    } else if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** Where an address breaks best: between its parts, then inside a name. */
const STRONG_BREAKS = new Set(['.', '/', ']', ',']);
const WEAK_BREAKS = new Set(['_', '-']);

/** A word longer than `width` in pieces of at most `width`, each ending at a separator where one is in its second half. */
function breakWord(word: string, width: number): string[] {
  const pieces: string[] = [];
  let rest = word;
  while (rest.length > width) {
    const cut = lastBreak(rest, width, STRONG_BREAKS) ?? lastBreak(rest, width, WEAK_BREAKS) ?? width;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces;
}

/** The length of the longest prefix (over half the width) that ends with one of `after`. */
function lastBreak(s: string, width: number, after: ReadonlySet<string>): number | undefined {
  for (let i = width; i > width / 2; i--) if (after.has(s[i - 1])) return i;
  return undefined;
}

export function costByComponent(report: VerificationReport): { component: string; min: number; expected: number; max: number }[] {
  const sums = new Map<string, { min: number; expected: number; max: number }>();
  for (const line of report.cost.lines) {
    const s = sums.get(line.component) ?? { min: 0, expected: 0, max: 0 };
    s.min += line.monthlyUsd.min;
    s.expected += line.monthlyUsd.expected;
    s.max += line.monthlyUsd.max;
    sums.set(line.component, s);
  }
  return [...sums].map(([component, s]) => ({ component, ...s })).sort((a, b) => b.expected - a.expected);
}

export function resultCounts(report: VerificationReport): Record<Status, number> {
  const counts: Record<Status, number> = { pass: 0, fail: 0, unknown: 0, waived: 0 };
  for (const r of report.results) counts[r.status] += 1;
  return counts;
}

/** Address -> component, from the report's component lists. */
export function componentIndex(report: VerificationReport): Map<string, string> {
  const index = new Map<string, string>();
  for (const c of report.components) for (const a of c.resources) index.set(a, c.id);
  return index;
}

/** The spec itself, as every format states it before the verdicts: what must hold, under which workload. */
export interface SpecSection {
  title: string;
  lines: string[];
}

export function specStatement(spec: Spec): SpecSection[] {
  const c = spec.constraints;
  const w = spec.workload;
  const duration = (msValue: number) =>
    msValue >= 60_000 && msValue % 60_000 === 0 ? `${num(msValue / 60_000)} min` : msValue >= 1_000 && msValue % 1_000 === 0 ? `${num(msValue / 1_000)} s` : `${num(msValue)} ms`;
  const bound = (p: Spec['properties'][number]) =>
    `${p.operator} ${duration(p.boundMs)}${p.percentile !== undefined ? ` at p${p.percentile}` : p.operator === 'WITHIN' ? ' for every event' : ''}`;
  return [
    { title: 'Invariants (always)', lines: spec.invariants.map((i) => `${i.id}: ${i.statement}`) },
    { title: 'Temporal properties', lines: spec.properties.map((p) => `${p.id} ${bound(p)}: ${p.statement}`) },
    {
      title: 'Constraints',
      lines: [
        `latency p99 <= ${num(c.latencyP99Ms)} ms, p50 <= ${num(c.latencyP50Ms)} ms`,
        `throughput ${num(c.sustainedEventsPerSecond)} events/s sustained, ${num(c.burstEventsPerSecond)} events/s burst`,
        `cost <= ${usd(c.monthlyBudgetUsd)}/month`,
        `availability >= ${percent(c.availability)}${c.freshnessAvailability !== undefined ? ` (freshness plane >= ${percent(c.freshnessAvailability)})` : ''}`,
        `retention >= ${num(c.retentionDays)} days`,
        `RPO <= ${num(c.rpoMinutes)} min, RTO <= ${num(c.rtoMinutes)} min`,
      ],
    },
    {
      title: 'Workload',
      lines: [
        `${num(w.averageEventsPerSecond)} events/s average, bursts of ${num(w.burstEventsPerSecond)} events/s for ${num(w.burstDurationSeconds)} s, ${num(w.burstsPerDay)} a day`,
        `${num(w.eventSizeBytes)}-byte events, ${num(w.eventsPerMessage)} per Pub/Sub message, ${num(w.eventsPerIngestRequest)} per ingest request, ${num(w.deviceCount)} devices`,
        `${num(w.queryRatePerSecond)} queries/s${w.coldQueryShare !== undefined ? ` (${percent(w.coldQueryShare)} from BigQuery)` : ''}; ${num(w.aggregateWindowSeconds)} s windows, ${num(w.watermarkDelaySeconds)} s watermark, ${num(w.hotWindowHours)} h hot window`,
      ],
    },
    { title: 'Assumptions', lines: spec.assumptions.map((a) => `${a.id}: ${a.statement}`) },
  ];
}
