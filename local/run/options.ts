/**
 * Options of a local run, checked before anything starts: a bad value is one clear line.
 * Values left out default to the environment's spec workload after synth (rate, burst,
 * event size, events per request) or to local defaults stated here.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MAX_FLEET_EVENT_BYTES } from './event-factory';

export class RunOptionsError extends Error {
  override name = 'RunOptionsError';
}

export interface LocalRunOptions {
  /** Environment to synthesize and provision (default prod). */
  env?: string;
  /** Simulated devices (default 200: see DEFAULT_DEVICES). */
  devices?: number;
  /** Sustained offered rate, events/s (default: the spec's average rate). */
  rate?: number;
  /** Burst offered rate, events/s (default: the spec's burst rate; 0 = no burst). */
  burst?: number;
  /** Burst length, seconds (default 10, at the end of the run). */
  burstSeconds?: number;
  /** Serialized event size, bytes (default: the spec's event size). */
  eventSize?: number;
  /** Share of events invalid on purpose, 0..0.5 (default 0.01). */
  invalidShare?: number;
  /** Seconds the fleet sends (default 60). */
  duration?: number;
  /** Events per HTTP request (default: the spec's events per ingest request). */
  eventsPerRequest?: number;
  /** Events the gateway packs per Pub/Sub message (default 50 locally; see DEFAULT_EVENTS_PER_MESSAGE). */
  eventsPerMessage?: number;
  /** Seconds at the start excluded from the sustained figures (default min(5, duration / 10)). */
  warmupSeconds?: number;
  /** Write the measurement JSON here. */
  json?: string;
  /** Use this already synthesized stack folder instead of synthesizing (`npm start` passes its own). */
  stackDir?: string;
  /** One line per second of progress (default: stdout). */
  progress?: (line: string) => void;
  /** Abort (Ctrl-C): the fleet stops, the run reports what it has and stops everything. */
  signal?: AbortSignal;
}

/**
 * 200 devices, not the spec's 100,000: each device posts `eventsPerRequest` of its own
 * events per request, so at 10,000 events/s a device sends one request of 100 events every
 * 2 s. With 100,000 devices the same rate is 0.1 event/s per device, a request would wait
 * 1,000 s to fill, and no message could carry more than one event of a key.
 */
export const DEFAULT_DEVICES = 200;
/**
 * 50 events per message, not the spec's 1: the Pub/Sub emulator delivers ~1,500-2,700
 * ordered messages/s on a 2-core machine (bench/results/emulator-capacity.json), far below
 * 10,000 single-event messages/s; on GCP, Pub/Sub has no such ceiling. Every message costs
 * the emulator, the gateway and the processor CPU of their own, and on 2 shared cores that
 * is the limit: in 30 s runs at 10,000 events/s the processor kept up with 4,300-6,200
 * events/s at 20 per message, 7,500-8,900 at 50, and 7,200 at 100 (one message per request).
 */
export const DEFAULT_EVENTS_PER_MESSAGE = 50;
export const DEFAULT_BURST_SECONDS = 10;
export const DEFAULT_DURATION_SECONDS = 60;
export const DEFAULT_INVALID_SHARE = 0.01;

function check(name: string, value: number | undefined, ok: (v: number) => boolean, rule: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) throw new RunOptionsError(`--${name}: ${rule}, got ${String(value)}`);
}

const int = (v: number) => Number.isInteger(v);

export function validateRunOptions(o: LocalRunOptions): void {
  if (o.env !== undefined && !/^[a-z][a-z0-9-]{0,30}$/.test(o.env)) throw new RunOptionsError(`--env: must be an environment name like prod or dev, got ${o.env}`);
  check('devices', o.devices, (v) => int(v) && v >= 1 && v <= 1_000_000, 'an integer from 1 to 1,000,000');
  check('rate', o.rate, (v) => int(v) && v >= 1 && v <= 1_000_000, 'an integer from 1 to 1,000,000 events/s');
  check('burst', o.burst, (v) => int(v) && v >= 0 && v <= 1_000_000, 'an integer from 0 (no burst) to 1,000,000 events/s');
  check('burst-seconds', o.burstSeconds, (v) => int(v) && v >= 0 && v <= 3600, 'an integer from 0 to 3,600 seconds');
  check('event-size', o.eventSize, (v) => int(v) && v >= 200 && v <= MAX_FLEET_EVENT_BYTES, `an integer from 200 to ${MAX_FLEET_EVENT_BYTES.toLocaleString('en-US')} bytes (the largest event the fleet pads to within the contract's attribute limits)`);
  check('invalid-share', o.invalidShare, (v) => v >= 0 && v <= 0.5, 'a fraction from 0 to 0.5');
  check('duration', o.duration, (v) => int(v) && v >= 5 && v <= 86_400, 'an integer from 5 to 86,400 seconds');
  check('events-per-request', o.eventsPerRequest, (v) => int(v) && v >= 1 && v <= 1000, 'an integer from 1 to 1,000 (MAX_EVENTS_PER_REQUEST)');
  check('events-per-message', o.eventsPerMessage, (v) => int(v) && v >= 1 && v <= 500, 'an integer from 1 to 500');
  check('warmup-seconds', o.warmupSeconds, (v) => v >= 0, 'a number of seconds >= 0');
  if (o.duration !== undefined && o.burstSeconds !== undefined && o.burstSeconds > o.duration) {
    throw new RunOptionsError(`--burst-seconds ${o.burstSeconds} is longer than --duration ${o.duration}`);
  }
  // The burst is the end of the run: the sustained phase is what is left before it.
  const duration = o.duration ?? DEFAULT_DURATION_SECONDS;
  const burstSeconds = o.burst === 0 ? 0 : Math.min(o.burstSeconds ?? DEFAULT_BURST_SECONDS, duration);
  checkSustainedPhase(duration, burstSeconds, o.warmupSeconds);
  if (o.rate !== undefined && o.devices !== undefined && o.eventsPerRequest !== undefined && o.devices * o.eventsPerRequest > o.rate * 3600) {
    throw new RunOptionsError(`--devices ${o.devices} x --events-per-request ${o.eventsPerRequest} events would take each device over an hour to fill one request at --rate ${o.rate}`);
  }
  if (o.json !== undefined) checkOutputFile(o.json);
}

/** Seconds of the sustained phase measured after its warm-up, at least. */
export const MIN_SUSTAINED_MEASURED_SECONDS = 3;

/** The warm-up excluded from the sustained figures when not given: min(5, duration / 10). */
export function defaultWarmupSeconds(duration: number): number {
  return Math.min(5, duration / 10);
}

/**
 * A run needs a sustained phase before its burst: a --duration not longer than the burst by
 * the warm-up plus MIN_SUSTAINED_MEASURED_SECONDS would measure sustained 0 events/s.
 */
export function checkSustainedPhase(duration: number, burstSeconds: number, warmupSeconds?: number): void {
  const warmup = warmupSeconds ?? defaultWarmupSeconds(duration);
  const margin = Math.ceil(warmup + MIN_SUSTAINED_MEASURED_SECONDS);
  if (duration - burstSeconds >= margin) return;
  const what = burstSeconds > 0 ? `the burst seconds (${burstSeconds})` : '0 (no burst)';
  throw new RunOptionsError(
    `--duration ${duration}: must exceed ${what} by at least ${margin} s for a sustained phase (a ${Number(warmup.toFixed(1))} s warm-up + ${MIN_SUSTAINED_MEASURED_SECONDS} s measured); use --duration ${burstSeconds + margin} or more${burstSeconds > 0 ? ' or a shorter --burst-seconds' : ''}`,
  );
}

/** Options that are valid but probably not meant (one line each, not errors). */
export function runOptionWarnings(o: { rate: number; burst: number }): string[] {
  const out: string[] = [];
  if (o.burst > 0 && o.burst < o.rate) out.push(`warning: --burst ${o.burst} is below --rate ${o.rate}: the burst phase offers fewer events/s than the sustained phase`);
  return out;
}

/** The measurement file must be writable before a run of minutes starts, not after it. */
function checkOutputFile(path: string): void {
  if (path.trim() === '') throw new RunOptionsError('--json: a file path is required');
  const target = resolve(path);
  if (existsSync(target) && statSync(target).isDirectory()) throw new RunOptionsError(`--json ${path}: is a directory; give a file path`);
  const dir = dirname(target);
  if (!existsSync(dir)) throw new RunOptionsError(`--json ${path}: folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new RunOptionsError(`--json ${path}: ${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new RunOptionsError(`--json ${path}: folder ${dir} is not writable`);
  }
}
