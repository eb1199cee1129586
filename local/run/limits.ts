/**
 * What held a local run below a target rate, with the figures that show it: the machine's
 * cores (every service, both emulators and the fleet share them), the gateway's confirmed
 * publishes, and the speed-layer processor next to what it and the emulators sustain alone
 * on this machine (the benchmarks' recorded results).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetResult, RateSchedule } from './fleet';
import type { CpuShare, Limit, PhaseThroughput } from './measurement';
import type { ProcessorSnapshot, Sample } from './samples';
import { REPO_ROOT } from './services';

export interface Ceilings {
  /** Best ordered streaming-pull rate of the Pub/Sub emulator alone (bench/emulator-capacity.ts). */
  orderedPullMsgs?: number;
  /** cbtemulator MutateRows rows/s alone. */
  bigtableRows?: number;
  /** The processor alone on the emulators, events/s at its offered rate (bench/processor.ts). */
  processorEps?: number;
}

function readResult<T>(name: string): T | undefined {
  const file = join(REPO_ROOT, 'bench', 'results', `${name}.json`);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Ceilings recorded by the benchmarks on this kind of machine, when present. */
export function recordedCeilings(): Ceilings {
  const emulators = readResult<{ pubsub?: { orderingKeys: number; pull: { msgsPerSecond: number } }[]; bigtable?: { rowsPerSecond: number } }>('emulator-capacity');
  const processor = readResult<{ achieved?: { steadyEventsPerSecond?: number } }>('processor');
  const ordered = emulators?.pubsub?.filter((c) => c.orderingKeys > 0).map((c) => c.pull.msgsPerSecond) ?? [];
  return {
    orderedPullMsgs: ordered.length ? Math.max(...ordered) : undefined,
    bigtableRows: emulators?.bigtable?.rowsPerSecond,
    processorEps: processor?.achieved?.steadyEventsPerSecond,
  };
}

export interface LimitInputs {
  /** 1-minute load average of the machine (all users), the higher of send start and end. */
  loadAverage: number;
  sustained: PhaseThroughput;
  burstPhase: PhaseThroughput | null;
  fleetResult: FleetResult;
  samples: Sample[];
  cpu: CpuShare[];
  eventsPerMessage: number;
  rate: number;
  burst: number;
  schedule: RateSchedule;
  warmupSeconds: number;
  cores: number;
  ceilings?: Ceilings;
  /** A processing latency bound failed in the sustained phase: its cause is named like a missed rate's. */
  latencyMissed?: boolean;
}

function fmtInt(n: number | null): string {
  return n === null || !Number.isFinite(n) ? 'n/a' : Math.round(n).toLocaleString('en-US');
}

/** The run's processes may use up to this share of the cores before the cores count as full. */
const CPU_FULL_SHARE = 0.85;

export function explainLimits(x: LimitInputs): Limit[] {
  const limits: Limit[] = [];
  const ceilings = x.ceilings ?? recordedCeilings();
  const totalCpu = x.cpu.reduce((a, c) => a + c.percentOfOneCore, 0);
  const capacity = x.cores * 100;
  const procSamples = x.samples.filter((s) => s.processor && s.elapsedMs >= x.warmupSeconds * 1000 && s.elapsedMs < x.schedule.durationMs);
  const rateOf = (pick: (p: ProcessorSnapshot) => number) => {
    if (procSamples.length < 2) return null;
    const a = procSamples[0];
    const b = procSamples[procSamples.length - 1];
    return (pick(b.processor!) - pick(a.processor!)) / ((b.atMs - a.atMs) / 1000);
  };
  const msgsPerSecond = rateOf((p) => p.counters.messagesReceived);
  const rowsPerSecond = rateOf((p) => p.counters.rowsWritten);
  const shortOfSustained = x.sustained.processedEps < x.rate * 0.98;
  const shortOfBurst = x.burstPhase !== null && x.burstPhase.acceptedEps < x.burst * 0.98;
  if (!shortOfSustained && !shortOfBurst && !x.latencyMissed) return limits;

  const cpuFull = totalCpu >= capacity * CPU_FULL_SHARE;
  if (cpuFull) {
    const top = x.cpu.slice(0, 4).map((c) => `${c.process} ${Math.round(c.percentOfOneCore)}%`).join(', ');
    limits.push({
      component: 'CPU',
      figure: `this run's processes used ${Math.round(totalCpu)}% of ${capacity}% while sending (load average ${x.loadAverage.toFixed(1)}); ${top}`,
      explanation: `every service, both emulators and the fleet share ${x.cores} cores, so each gets only part of what it needs; the rates below are what is left of them`,
    });
  } else if (x.loadAverage > x.cores) {
    // The run itself left cores idle, yet runnable work queued: someone else's processes.
    limits.push({
      component: 'shared machine',
      figure: `load average ${x.loadAverage.toFixed(1)} on ${x.cores} cores while sending, but this run's processes used only ${Math.round(totalCpu)}% of ${capacity}%`,
      explanation: "other work on the machine held the run's processes below what the cores could give them; the rates below are what was left",
    });
  }
  // A few requests late at a phase change are noise; a shortfall over 1% of the schedule is not.
  const fleetShort = x.fleetResult.shortfall > x.fleetResult.scheduledEvents * 0.01;
  if (fleetShort || (shortOfBurst && x.burstPhase!.acceptedEps < x.burstPhase!.offeredEps * 0.98) || x.fleetResult.counters.status429 > 0) {
    const target = shortOfBurst ? x.burst : x.rate;
    const accepted = shortOfBurst ? x.burstPhase!.acceptedEps : x.sustained.acceptedEps;
    limits.push({
      component: 'ingest gateway -> Pub/Sub publish',
      figure: `${fmtInt(accepted)} events/s accepted of ${fmtInt(target)} offered (${fmtInt(accepted / x.eventsPerMessage)} msgs/s published; ${x.fleetResult.counters.status429} answers 429; ${fmtInt(x.fleetResult.shortfall)} events the fleet could not post in time)`,
      explanation: 'the gateway answers only after the emulator confirms each publish; ordered publishing sends one Publish call per ordering key at a time',
    });
  }
  if (shortOfSustained && x.sustained.processedEps < x.sustained.acceptedEps * 0.98) {
    const parts = [`${fmtInt(x.sustained.processedEps)} events/s processed of ${fmtInt(x.sustained.acceptedEps)} accepted`];
    if (ceilings.processorEps) parts.push(`alone on the emulators it sustains ${fmtInt(ceilings.processorEps)} events/s (bench/results/processor.json)`);
    if (msgsPerSecond !== null) parts.push(`Pub/Sub delivery ${fmtInt(msgsPerSecond)} msgs/s${ceilings.orderedPullMsgs ? ` (emulator ordered pull ceiling ${fmtInt(ceilings.orderedPullMsgs)} msgs/s)` : ''}`);
    if (rowsPerSecond !== null) parts.push(`Bigtable ${fmtInt(rowsPerSecond)} rows/s${ceilings.bigtableRows ? ` (emulator ceiling ${fmtInt(ceilings.bigtableRows)} rows/s)` : ''}`);
    const aloneEnough = ceilings.processorEps !== undefined && ceilings.processorEps >= x.rate * 0.98;
    limits.push({
      component: 'speed-layer processor (pull -> Bigtable)',
      figure: parts.join('; '),
      explanation:
        cpuFull && aloneEnough
          ? 'the processor and both emulators reach the rate on their own, so the shared cores are the limit, not the code or the emulators; the backlog grows while the processor is below the accepted rate'
          : 'the backlog grows while the processor is below the accepted rate; the nearer figure to its ceiling names the limit',
    });
  }
  return limits;
}
