/**
 * What a local run measured, beside what the verifier predicted for the same environment,
 * and the spec items judged on the measurement. Written as JSON by `--json`.
 */
import { measuredOr } from './checks';
import type { MachineDetails } from './machine';

export interface LatencyFigures {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface PhaseThroughput {
  /** Seconds of the phase that were measured (warm-up excluded for the sustained phase). */
  seconds: number;
  targetEps: number;
  offeredEps: number;
  acceptedEps: number;
  /** Events the processor made durable per second over the phase. */
  processedEps: number;
  /** Highest one-second accepted rate in the phase. */
  peakAcceptedEps: number;
}

export interface Prediction {
  verdict: 'pass' | 'fail';
  p50Ms: number | null;
  p99Ms: number | null;
  /** The whole design's capacity (its bottleneck may be the asynchronous archive). */
  sustainedEps: number | null;
  burstEps: number | null;
  /** The speed path's sustained capacity (ingest -> processor -> hot store): what the run's processed rate measures. */
  speedPathSustainedEps: number | null;
  /** What the ingest side accepts at a burst's start (components ahead of the Pub/Sub buffer): what "burst accepted" measures. */
  ingestBurstEps: number | null;
  bottleneck: string | null;
  dashboardFreshnessP99Ms: number | null;
}

export interface SpecCheck {
  item: string;
  measured: string;
  bound: string;
  status: 'pass' | 'fail' | 'not-measured';
}

export interface Limit {
  component: string;
  figure: string;
  explanation: string;
}

export interface CpuShare {
  process: string;
  cpuSeconds: number;
  /** Share of one core over the fleet's send phase, percent. */
  percentOfOneCore: number;
}

export interface Measurement {
  schemaVersion: 1;
  environment: string;
  machine: MachineDetails;
  startedAt: string;
  finishedAt: string;
  interrupted: boolean;
  /** How long each phase of the run took, in order (start-up, sending, drain, last windows, archive catch-up). */
  phases?: { name: string; seconds: number }[];
  options: Record<string, unknown>;
  /** Where the local run differs from the environment's workload, and why. */
  deviations: string[];

  sent: number;
  sentValid: number;
  sentInvalid: number;
  accepted: number;
  rejected: number;
  rejectedValid: number;
  invalidAccepted: number;
  /** Valid events the gateway never confirmed (429/503 until the deadline); not accepted, so not loss. */
  unconfirmed: number;
  /** Events the schedule called for that the fleet could not post in time. */
  shortfall: number;
  stored: number;
  /** Accepted events still in the speed subscription when the drain limit ended the run (not stored yet, not lost). */
  queuedAtEnd: number;
  /** Accepted events that are neither in Bigtable nor still queued. */
  lost: number;
  /** Events the processor stored but left out of aggregates as beyond the allowed lateness. */
  lateEvents: number | null;
  lostSample: string[];
  doubleCounted: number;
  /** Accepted events missing from finalized windows (not yet final, or lost). */
  aggregatesMissing: number;
  windowsChecked: number;
  /** Up to 20 windows whose stored count differs from the fleet's. */
  windowDiscrepancies: { device: number; windowStartMs: number; expected: number; stored: number }[];
  /** Event rows read back from Bigtable in the last pass, and how many passes it took. */
  rowsReadBack: number;
  readBacks: number;
  deadLettered: number | null;
  /** The archive worker's counters (the local stand-in for the Dataflow template), when it ran. */
  archive: Record<string, number> | null;
  /**
   * This run's events in the raw archive table, counted through the BigQuery API: distinct
   * event ids, rows, accepted events missing, and when the archive caught up (seconds after
   * the send phase; null if it did not within the wait).
   */
  archived: { events: number; rows: number; missing: number; caughtUpSeconds: number | null } | null;
  /** The speed-layer processor's counters at the end (GET /metrics). */
  processorCounters: Record<string, number> | null;

  /** Sustained-phase processed events/s. */
  throughputEps: number;
  throughput: { sustained: PhaseThroughput; burst: PhaseThroughput | null; drainSeconds: number | null };
  /** Processing latency (receive -> durable write) over the sustained phase, from the processor's histogram. */
  p50Ms: number | null;
  p99Ms: number | null;
  latency: { sustained: LatencyFigures | null; wholeRun: LatencyFigures | null };
  /**
   * Where the processor's time went over the whole run (its /metrics `stagesMs`): waiting for a
   * write slot (receive -> writes start), the Bigtable writes of a batch, window passes.
   */
  processorStagesMs: Record<string, LatencyFigures> | null;
  /** Largest lag of the dashboard's "as of" behind the clock, sampled every second. */
  dashboardLagMs: number | null;
  dashboardLag: { samples: number; p50Ms: number | null; maxMs: number | null; over5s: number };

  predicted: Prediction | null;
  checks: SpecCheck[];
  limits: Limit[];
  cpu: CpuShare[];
  /** The machine's 1-minute load average (every user) when sending started and ended. */
  loadAverage: { sendStart: number; sendEnd: number };
  provision: { notHonoured: { address: string; feature: string; reason: string }[]; skipped: number } | null;
  services: { name: string; started: boolean; note?: string }[];
  logDir: string;
  timeline: {
    second: number;
    phase: string;
    sent: number;
    accepted: number;
    processedEps: number | null;
    /** Accepted minus processed events: a lower bound of the backlog (the processor counts redeliveries too). */
    backlogEvents: number | null;
    p99LastMinuteMs: number | null;
    dashboardLagMs: number | null;
  }[];
}

const fmt = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined || !Number.isFinite(n) ? 'n/a' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The end-of-run report for a terminal. */
export function formatMeasurement(m: Measurement): string {
  const lines: string[] = [];
  const p = m.predicted;
  lines.push(`Local run of ${m.environment}${m.interrupted ? ' (INTERRUPTED)' : ''}: ${m.machine.cpuCount} x ${m.machine.cpuModel}, ${m.machine.memoryGiB} GiB, Node ${m.machine.node}`);
  lines.push('');
  lines.push('  events        sent %s (valid %s, invalid on purpose %s); accepted %s; rejected %s; stored %s'
    .replace('%s', fmt(m.sent)).replace('%s', fmt(m.sentValid)).replace('%s', fmt(m.sentInvalid)).replace('%s', fmt(m.accepted)).replace('%s', fmt(m.rejected)).replace('%s', fmt(m.stored)));
  lines.push(`  loss          lost ${fmt(m.lost)}; still queued ${fmt(m.queuedAtEnd)}; late (not aggregated) ${fmt(m.lateEvents)}; valid rejected ${fmt(m.rejectedValid)}; invalid accepted ${fmt(m.invalidAccepted)}; unconfirmed ${fmt(m.unconfirmed)}; dead-lettered ${fmt(m.deadLettered)}`);
  if (m.processorCounters) {
    const c = m.processorCounters;
    lines.push(`  processor     messages received ${fmt(c.messagesReceived)}, redelivered after their ack ${fmt(c.messagesRedelivered)} (acked again, not rewritten), nacked ${fmt(c.messagesNacked)}; rows written ${fmt(c.rowsWritten)}, retried ${fmt(c.rowsRetried)}`);
  }
  if (m.archived) {
    const a = m.archived;
    lines.push(`  archive       in events_raw ${fmt(a.events)} of ${fmt(m.accepted)} accepted (missing ${fmt(a.missing)}; ${a.caughtUpSeconds === null ? 'not caught up within the wait' : `caught up ${fmt(a.caughtUpSeconds, 1)} s after the send phase`})`);
  }
  if (m.archive) lines.push(`  archive worker ${Object.entries(m.archive).map(([k, v]) => `${k} ${fmt(v)}`).join('; ')}`);
  lines.push(`  aggregates    double-counted ${fmt(m.doubleCounted)}; missing ${fmt(m.aggregatesMissing)} over ${fmt(m.windowsChecked)} windows${m.interrupted && m.aggregatesMissing > 0 ? ' (not final: interrupted before the last windows closed)' : ''}`);
  lines.push('');
  lines.push('  measure                     measured              predicted           bound');
  const row = (name: string, measured: string, predicted: string, bound: string) =>
    lines.push(`  ${name.padEnd(27)} ${measured.padEnd(21)} ${predicted.padEnd(19)} ${bound}`);
  const s = m.throughput.sustained;
  row('sustained events/s', `${measuredOr(s.processedEps, s.seconds, (v) => fmt(v))} (target ${fmt(s.targetEps)})`, p ? `${fmt(p.speedPathSustainedEps ?? p.sustainedEps)} (speed path)` : 'n/a', `>= ${fmt(s.targetEps)}`);
  const b = m.throughput.burst;
  if (b) row('burst accepted events/s', b.seconds > 0 ? `${fmt(b.acceptedEps)} (peak ${fmt(b.peakAcceptedEps)})` : 'not measured', p ? `${fmt(p.ingestBurstEps ?? p.burstEps)} (ingest)` : 'n/a', `>= ${fmt(b.targetEps)} (buffered)`);
  if (m.throughput.drainSeconds !== null) row('burst backlog drained in', `${fmt(m.throughput.drainSeconds, 1)} s`, '', '');
  const latSamples = m.latency.sustained?.count ?? 0;
  row('processing p50', measuredOr(m.p50Ms, latSamples, (v) => `${fmt(v, 1)} ms`), p ? `${fmt(p.p50Ms, 1)} ms` : 'n/a', '');
  row('processing p99 (sustained)', measuredOr(m.p99Ms, latSamples, (v) => `${fmt(v, 1)} ms`), p ? `${fmt(p.p99Ms, 1)} ms` : 'n/a', '');
  if (m.latency.wholeRun) row('processing p99 (whole run)', measuredOr(m.latency.wholeRun.p99, m.latency.wholeRun.count, (v) => `${fmt(v, 1)} ms`), '', 'burst buffered');
  for (const [stage, f] of Object.entries(m.processorStagesMs ?? {})) row(`  processor ${stage} p50/p99`, measuredOr(f.p50, f.count, () => `${fmt(f.p50, 1)} / ${fmt(f.p99, 1)} ms`), '', '');
  row('dashboard lag (max)', measuredOr(m.dashboardLagMs, m.dashboardLag.samples, (v) => `${fmt(v)} ms`), p ? `${fmt(p.dashboardFreshnessP99Ms)} ms` : 'n/a', '<= 5,000 ms');
  lines.push('');
  for (const c of m.checks) lines.push(`  ${c.status.toUpperCase().padEnd(12)} ${c.item.padEnd(26)} ${c.measured} (bound ${c.bound})`);
  if (m.limits.length > 0) {
    lines.push('');
    lines.push('  what limits this machine:');
    for (const l of m.limits) lines.push(`    ${l.component}: ${l.figure}. ${l.explanation}`);
  }
  if (m.deviations.length > 0) {
    lines.push('');
    lines.push('  local deviations from the environment:');
    for (const d of m.deviations) lines.push(`    - ${d}`);
  }
  if (m.cpu.length > 0) {
    lines.push('');
    lines.push(`  CPU over the send phase (% of one core): ${m.cpu.map((c) => `${c.process} ${fmt(c.percentOfOneCore)}%`).join(', ')}`);
  }
  const notStarted = m.services.filter((x) => !x.started);
  if (notStarted.length > 0) lines.push(`  not started: ${notStarted.map((x) => `${x.name} (${x.note ?? ''})`).join('; ')}`);
  if (m.phases && m.phases.length > 0) {
    const total = m.phases.reduce((a, x) => a + x.seconds, 0);
    lines.push(`  run took ${fmt(total)} s: ${m.phases.map((x) => `${x.name} ${fmt(x.seconds)} s`).join(', ')} (then stopping everything)`);
  }
  lines.push(`  logs: ${m.logDir}`);
  return lines.join('\n');
}
