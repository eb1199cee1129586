/**
 * `runLocalPipeline`: the whole pipeline on this machine, measured.
 *
 *   1. the local cloud (Pub/Sub + Bigtable emulators, BigQuery-compatible server);
 *   2. the environment synthesized (through its verification gate) and provisioned from
 *      that synthesized graph; the verifier's predictions for the same synth output;
 *   3. every service as a child process (ingest, processor, archive worker, analytics,
 *      dashboard) with the environment Cloud Run would give it;
 *   4. the device fleet at the sustained rate, then the burst, with a progress line a second;
 *   5. drain, then the checks: read back every event row (lost), compare finalized windows
 *      with the fleet's own counts (double-counted), latency from the processor's histogram,
 *      dashboard lag sampled from the dashboard service the page polls;
 *   6. everything it started is stopped, in reverse order, whatever happened.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BigQuery } from '@google-cloud/bigquery';
import { Bigtable } from '@google-cloud/bigtable';
import type { Spec } from '../../verification/spec/spec';
import type { VerificationReport } from '../../verification/engine/types';
import { verifyPath } from '../../verification/engine/verify';
import { buildUdf } from '../../functions/udf/build';
import { FLEET_METRICS_SECONDS } from '../../stacks/constructs/stream-processing';
import { stopAllNow } from '../emulators/processes';
import { ARCHIVE_PATH_NICENESS, provision, startLocalCloud, synthesize, type LocalCloud } from './cloud';
import { countArchived, drainSubscription, readBackEvents, readWindowCounts, type ArchiveCount } from './conformance';
import { groupCpuSeconds, selfCpuSeconds } from './cpu';
import { deviceIdOf } from './event-factory';
import { DeviceFleet, phaseAt, type FleetResult, type RateSchedule } from './fleet';
import { FleetLedger } from './ledger';
import { machineDetails, writeRecord } from './machine';
import { explainLimits, recordedCeilings } from './limits';
import { archivedTwiceNote, burstCheck, exactlyOnceCheck, latencyCheck } from './checks';
import type { CpuShare, LatencyFigures, Measurement, PhaseThroughput, Prediction, SpecCheck } from './measurement';
import type { ProcessorSnapshot, Sample } from './samples';
import {
  DEFAULT_BURST_SECONDS,
  DEFAULT_DEVICES,
  DEFAULT_DURATION_SECONDS,
  DEFAULT_EVENTS_PER_MESSAGE,
  DEFAULT_INVALID_SHARE,
  checkSustainedPhase,
  defaultWarmupSeconds,
  runOptionWarnings,
  validateRunOptions,
  type LocalRunOptions,
} from './options';
import { REPO_ROOT, getJson, startService, type ServiceDefinition, type StartedService } from './services';

/** Resource names (docs/architecture.md); the provisioning report must contain them. */
const NAMES = {
  topic: 'telemetry',
  deadLetterTopic: 'telemetry-dead-letter',
  speedSubscription: 'telemetry-speed-layer',
  archiveSubscription: 'telemetry-archive',
  bigtableInstance: 'iot-hot',
  eventsTable: 'events',
  aggregatesTable: 'aggregates',
  /** Processor fleet snapshots, merged by the analytics API's /v1/fleet/live. */
  fleetTable: 'fleet',
  dataset: 'iot_analytics',
  eventsRaw: 'events_raw',
  deadLetterTable: 'events_dead_letter',
  archiveErrorTable: 'events_raw_error_records',
  batchView: 'device_hourly',
};

/**
 * Kills every process group the run started and has not stopped (synchronous, SIGKILL): the
 * second Ctrl-C. The registry lives with the process starter (local/emulators/processes.ts),
 * so a group started a moment ago, before the run recorded it, is covered too.
 */
export function emergencyStop(): void {
  stopAllNow();
}

/** The smallest known figure; null when any is unknown (unknown never reads as a capacity) or none is given. */
function lowest(figures: (number | null)[]): number | null {
  if (figures.length === 0 || figures.some((f) => f === null)) return null;
  return Math.min(...(figures as number[]));
}

function predictionOf(report: VerificationReport): Prediction {
  return {
    verdict: report.verdict,
    p50Ms: report.latency.processing.p50Ms ?? report.latency.p50Ms,
    p99Ms: report.latency.processing.p99Ms ?? report.latency.p99Ms,
    sustainedEps: report.capacity.sustainedEventsPerSecond,
    burstEps: report.capacity.burstEventsPerSecond,
    speedPathSustainedEps: lowest(report.capacity.components.filter((c) => c.onSpeedPath).map((c) => c.sustainedEventsPerSecond)),
    ingestBurstEps: lowest(report.capacity.components.filter((c) => !c.buffered).map((c) => c.burstEventsPerSecond)),
    bottleneck: report.capacity.bottleneck,
    dashboardFreshnessP99Ms: report.latency.dashboardFreshness.p99Ms,
  };
}

function readSpec(stackDir: string): Spec {
  return JSON.parse(readFileSync(join(stackDir, 'spec.json'), 'utf8')) as Spec;
}

/** How long the run waits for the backlog to drain after the fleet stops. */
const DRAIN_LIMIT_MS = 300_000;
/** The archive wait ends when its count has not moved for this long... */
const ARCHIVE_STALL_MS = 30_000;
/** ...or at the drain limit, but never sooner than this after the speed layer drained. */
const ARCHIVE_WAIT_MIN_MS = 120_000;
/** A slide (10 s by default), a finalizer pass (5 s) and slack. */
const FINALIZE_MARGIN_MS = 20_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const round = (n: number, d = 0) => Math.round(n * 10 ** d) / 10 ** d;

export async function runLocalPipeline(options: LocalRunOptions = {}): Promise<Measurement> {
  validateRunOptions(options);
  const progress = options.progress ?? ((line: string) => process.stdout.write(`${line}\n`));
  const environment = options.env ?? 'prod';
  const startedAt = new Date();
  const logDir = mkdtempSync(join(tmpdir(), 'iot-local-run-'));
  const stops: { name: string; pid?: number; stop: () => Promise<void> }[] = [];
  const services: Measurement['services'] = [];
  const deviations: string[] = [];
  let interrupted = false;
  /** Phase ends, for the timings in the report (each phase runs from the previous mark). */
  const marks: { name: string; at: number }[] = [{ name: 'begin', at: startedAt.getTime() }];

  const stopAll = async () => {
    for (const s of stops.splice(0).reverse()) {
      await s.stop().catch(() => undefined);
    }
  };

  try {
    // 1-2. Local cloud, synth, predictions, provisioning.
    progress(`local run: starting the local cloud (logs in ${logDir})`);
    const cloudPromise = startLocalCloud(logDir, { archivePathNiceness: ARCHIVE_PATH_NICENESS });
    const synthPromise = options.stackDir
      ? Promise.resolve({ stackDir: options.stackDir, seconds: 0 })
      : synthesize(environment, join(logDir, 'cdktf.out'));
    // Register the cloud for shutdown even if the synth fails.
    const [cloudResult, synthResult] = await Promise.allSettled([cloudPromise, synthPromise]);
    if (cloudResult.status === 'fulfilled') {
      const cloud = cloudResult.value;
      for (const s of cloud.services) {
        stops.push({ name: s.name, pid: s.pid, stop: () => s.stop() });
      }
    }
    if (cloudResult.status === 'rejected') throw cloudResult.reason;
    if (synthResult.status === 'rejected') throw synthResult.reason;
    const cloud: LocalCloud = cloudResult.value;
    const { stackDir } = synthResult.value;
    progress(`local run: ${options.stackDir ? 'using' : `synthesized ${environment} in ${round(synthResult.value.seconds, 1)} s:`} ${stackDir}`);
    const spec = readSpec(stackDir);

    let predicted: Prediction | null = null;
    try {
      predicted = predictionOf(verifyPath(stackDir));
    } catch (err) {
      deviations.push(`no prediction: the verifier failed on ${stackDir}: ${(err as Error).message.split('\n')[0]}`);
    }

    const eventsPerMessage = options.eventsPerMessage ?? DEFAULT_EVENTS_PER_MESSAGE;
    const { report: provisioned, schemaDropped, exactlyOnceDropped } = await provision(stackDir, cloud, eventsPerMessage > 1);
    if (exactlyOnceDropped.length > 0) {
      deviations.push(
        `exactly-once delivery not enabled locally (${exactlyOnceDropped.join(', ')}): the emulator does not provide it, and the flag only slows the client's acks (bench/processor.ts: backlog tail 16.3 s with it, 0.26 s without); aggregates stay exact through idempotent writes`,
      );
    }
    if (schemaDropped.length > 0) {
      deviations.push(
        `topic schema not applied locally (${schemaDropped.join(', ')}): the declared AVRO schema holds one event per message and this run packs ${eventsPerMessage}; the gateway still validates every event against the contract`,
      );
    }
    const projectId = provisioned.projectId;
    const names = provisioned.items.map((i) => i.name);
    for (const needed of [NAMES.topic, NAMES.speedSubscription, NAMES.eventsTable, NAMES.aggregatesTable, NAMES.fleetTable]) {
      if (!names.some((n) => n.endsWith(`/${needed}`) || n.endsWith(`.${needed}`) || n === needed)) {
        throw new Error(`the synthesized ${environment} graph does not declare ${needed} (provisioned: ${names.join(', ')})`);
      }
    }
    progress(`local run: provisioned ${provisioned.items.length} resources of ${projectId}; ${provisioned.notHonoured.length} declared behaviours the local services do not honour (see the report)`);

    // Resolved workload.
    const w = spec.workload;
    const devices = options.devices ?? DEFAULT_DEVICES;
    const rate = options.rate ?? w.averageEventsPerSecond;
    const burst = options.burst ?? w.burstEventsPerSecond;
    const duration = options.duration ?? DEFAULT_DURATION_SECONDS;
    const burstSeconds = burst > 0 ? Math.min(options.burstSeconds ?? DEFAULT_BURST_SECONDS, duration) : 0;
    const eventSize = options.eventSize ?? w.eventSizeBytes;
    const eventsPerRequest = options.eventsPerRequest ?? w.eventsPerIngestRequest;
    const invalidShare = options.invalidShare ?? DEFAULT_INVALID_SHARE;
    const warmupSeconds = options.warmupSeconds ?? defaultWarmupSeconds(duration);
    // Checked again with the spec's rates resolved (the burst may come from the spec).
    checkSustainedPhase(duration, burstSeconds, warmupSeconds);
    for (const warning of runOptionWarnings({ rate, burst })) progress(warning);
    if (devices !== w.deviceCount) deviations.push(`${devices} devices instead of the spec's ${w.deviceCount}, so each request of ${eventsPerRequest} events holds one device's events (options.ts DEFAULT_DEVICES)`);
    if (eventsPerMessage !== w.eventsPerMessage) {
      const ceiling = recordedCeilings().orderedPullMsgs;
      const delivery = ceiling === undefined ? 'has no recorded ceiling here (bench/emulator-capacity.ts measures it)' : `tops out near ${fmtInt(ceiling)} msgs/s on this kind of machine (bench/results/emulator-capacity.json)`;
      deviations.push(`${eventsPerMessage} events per Pub/Sub message instead of ${w.eventsPerMessage}: the emulator's ordered delivery ${delivery}`);
    }
    if (eventsPerMessage > 1) deviations.push('the archive worker splits batched messages (ARCHIVE_SPLIT_BATCHES=true); the Dataflow template would dead-letter them');
    if (burst > 0 && burstSeconds !== w.burstDurationSeconds) deviations.push(`a ${burstSeconds} s burst instead of ${w.burstDurationSeconds} s`);
    deviations.push('one instance of each service on one machine, not the configured instance counts; no Dataflow (the archive worker applies the same UDF)');
    deviations.push(`the archive path (archive worker, BigQuery-compatible server) runs at CPU niceness ${ARCHIVE_PATH_NICENESS}: on GCP it has its own Dataflow workers; here it gets what the speed path leaves and catches up after the send phase`);

    // 3. Services.
    const apiKey = randomBytes(24).toString('hex');
    const common: Record<string, string> = {
      GOOGLE_CLOUD_PROJECT: projectId,
      PUBSUB_EMULATOR_HOST: cloud.pubsub.endpoint,
      BIGTABLE_EMULATOR_HOST: cloud.bigtable.endpoint,
      BIGTABLE_INSTANCE: NAMES.bigtableInstance,
      BIGTABLE_EVENTS_TABLE: NAMES.eventsTable,
      BIGTABLE_AGGREGATES_TABLE: NAMES.aggregatesTable,
      BIGTABLE_FLEET_TABLE: NAMES.fleetTable,
      BIGQUERY_DATASET: NAMES.dataset,
      BIGQUERY_EVENTS_TABLE: NAMES.eventsRaw,
      BIGQUERY_DEAD_LETTER_TABLE: NAMES.deadLetterTable,
      BIGQUERY_BATCH_VIEW_TABLE: NAMES.batchView,
      AGGREGATE_WINDOW_SECONDS: String(w.aggregateWindowSeconds),
      WATERMARK_DELAY_SECONDS: String(w.watermarkDelaySeconds),
      HOT_WINDOW_HOURS: String(w.hotWindowHours),
    };
    // Only for the services that read BigQuery (the client needs the URL with its scheme).
    const withBigQuery = { BIGQUERY_EMULATOR_HOST: cloud.bigquery.url };
    const start = async (def: ServiceDefinition): Promise<StartedService | undefined> => {
      if (!existsSync(join(REPO_ROOT, def.entry))) {
        services.push({ name: def.name, started: false, note: `${def.entry} does not exist yet` });
        return undefined;
      }
      const svc = await startService(def, logDir);
      stops.push({ name: svc.name, pid: svc.pid, stop: () => svc.stop() });
      services.push({ name: def.name, started: true });
      return svc;
    };
    const [processor, ingest, archive] = await Promise.all([
      start({
        name: 'speed-processor',
        entry: 'functions/processor/main.ts',
        healthPath: '/healthz',
        // Snapshots to the fleet table as often as the stacks deploy them (the dashboard's live figures).
        env: { ...common, SPEED_SUBSCRIPTION: NAMES.speedSubscription, DEAD_LETTER_TOPIC: NAMES.deadLetterTopic, FLEET_METRICS_SECONDS: String(FLEET_METRICS_SECONDS) },
      }),
      start({
        name: 'ingest-gateway',
        entry: 'functions/ingest/main.ts',
        healthPath: '/healthz',
        env: {
          ...common,
          TELEMETRY_TOPIC: NAMES.topic,
          INGEST_API_KEY_SHA256: createHash('sha256').update(apiKey).digest('hex'),
          EVENTS_PER_MESSAGE: String(eventsPerMessage),
          MAX_EVENTS_PER_REQUEST: String(Math.max(1000, eventsPerRequest)),
        },
      }),
      start({
        name: 'archive-worker',
        entry: 'functions/archive-worker/main.ts',
        healthPath: '/healthz',
        niceness: ARCHIVE_PATH_NICENESS,
        // The built ES5.1 UDF, exactly the file the Dataflow template would load.
        env: { ...common, ...withBigQuery, ARCHIVE_SUBSCRIPTION: NAMES.archiveSubscription, BIGQUERY_ARCHIVE_ERROR_TABLE: NAMES.archiveErrorTable, ARCHIVE_SPLIT_BATCHES: String(eventsPerMessage > 1), UDF_PATH: buildUdf(join(logDir, 'udf', 'transform.js')) },
      }),
    ]);
    if (!processor || !ingest) throw new Error('the ingest gateway and the speed-layer processor are required');
    const analytics = await start({
      name: 'analytics-api',
      entry: 'functions/analytics/main.ts',
      healthPath: '/healthz',
      // /v1/fleet/live merges the processors' snapshots from the fleet table (common names it).
      env: { ...common, ...withBigQuery, SPEED_SUBSCRIPTION: NAMES.speedSubscription },
    });
    const dashboard = analytics
      ? await start({ name: 'dashboard', entry: 'functions/dashboard/main.ts', healthPath: '/healthz', env: { ANALYTICS_URL: analytics.url } })
      : undefined;
    if (!analytics) services.push({ name: 'dashboard', started: false, note: 'needs the analytics API' });
    progress(`local run: services up: ${services.filter((s) => s.started).map((s) => s.name).join(', ')}`);

    // 4. The fleet, sampled every second.
    const runTag = `r${Date.now().toString(36)}`;
    const windowMs = w.aggregateWindowSeconds * 1000;
    const ledger = new FleetLedger(devices, windowMs);
    const schedule: RateSchedule = {
      durationMs: duration * 1000,
      sustainedEps: rate,
      burstEps: burst,
      burstStartMs: (duration - burstSeconds) * 1000,
      burstEndMs: duration * 1000,
    };
    const fleet = new DeviceFleet({ ingestUrl: ingest.url, apiKey, runTag, devices, eventsPerRequest, eventBytes: eventSize, invalidShare, schedule, ledger, signal: options.signal });
    const cpuOf = () => ({
      self: selfCpuSeconds(),
      groups: stops.filter((s) => s.pid !== undefined).map((s) => ({ name: s.name, cpu: groupCpuSeconds(s.pid!) })),
    });
    const samples: Sample[] = [];
    let sustainedLatency: LatencyFigures | null = null;
    let sampling = true;
    let fleetDone = false;
    const sample = async (): Promise<Sample> => {
      const [proc, live] = await Promise.all([
        getJson<ProcessorSnapshot>(`${processor.url}/metrics`, 900),
        dashboard ? getJson<{ asOf?: string }>(`${dashboard.url}/api/live`, 900) : Promise.resolve(undefined),
      ]);
      const now = Date.now();
      const asOf = live?.asOf ? Date.parse(live.asOf) : NaN;
      const s: Sample = { atMs: now, elapsedMs: fleet.elapsedMs(), processor: proc, accepted: fleet.counters.accepted, dashboardLagMs: Number.isFinite(asOf) ? now - asOf : null };
      samples.push(s);
      return s;
    };
    const backlogOf = (s: Sample) => (s.processor ? Math.max(0, s.accepted - s.processor.counters.eventsProcessed) : null);
    const line = (s: Sample, label: string) => {
      const prev = samples.length > 1 ? samples[samples.length - 2] : undefined;
      const dt = prev ? (s.atMs - prev.atMs) / 1000 : 1;
      const acc = prev ? (s.accepted - prev.accepted) / dt : 0;
      const proc = prev?.processor && s.processor ? (s.processor.counters.eventsProcessed - prev.processor.counters.eventsProcessed) / dt : null;
      return `${label.padEnd(9)} t=${String(Math.round(s.elapsedMs / 1000)).padStart(3)}s  accepted ${fmtInt(acc)}/s  processed ${fmtInt(proc)}/s  in flight ${fmtInt(s.processor?.inFlightMessages ?? null)} msgs  p99(1m) ${s.processor ? s.processor.latencyMs.lastMinute.p99.toFixed(1) : 'n/a'} ms  dashboard lag ${s.dashboardLagMs === null ? 'n/a' : `${(s.dashboardLagMs / 1000).toFixed(1)} s`}  dead letters ${fmtInt(s.processor?.counters.eventsDeadLettered ?? null)}`;
    };
    const cpuStart = cpuOf();
    const loadStart = loadavg()[0];
    const sendStartedAt = Date.now();
    const sampler = (async () => {
      while (sampling) {
        const s = await sample();
        if (sustainedLatency === null && burstSeconds > 0 && s.elapsedMs >= schedule.burstStartMs && s.processor) sustainedLatency = s.processor.latencyMs.sinceStart;
        const label = options.signal?.aborted ? 'stopping' : fleetDone || s.elapsedMs >= schedule.durationMs ? 'draining' : phaseAt(schedule, s.elapsedMs);
        progress(line(s, label));
        await sleep(Math.max(0, 1000 - (Date.now() - s.atMs)));
      }
    })();
    progress(`local run: fleet of ${devices} devices, ${rate} events/s for ${duration - burstSeconds} s${burstSeconds > 0 ? ` then ${burst} events/s for ${burstSeconds} s` : ''}; ${eventSize}-byte events, ${eventsPerRequest} per request, ${eventsPerMessage} per message, ${invalidShare * 100}% invalid`);
    progress(`local run: ${runTimeEstimate(duration, windowMs, w.watermarkDelaySeconds)}`);
    marks.push({ name: 'start-up', at: Date.now() });
    const fleetResult: FleetResult = await fleet.run();
    fleetDone = true;
    marks.push({ name: 'sending', at: Date.now() });
    const cpuEnd = cpuOf();
    const loadEnd = loadavg()[0];
    const sendSeconds = (Date.now() - sendStartedAt) / 1000;
    interrupted = !!options.signal?.aborted;

    // 5. Drain. The processor's event counter includes redeliveries, so "caught up" is judged
    // by the store itself: once the processor has been quiet (nothing in flight, no new events)
    // for QUIET_MS -- longer than the subscription's retry backoff, so nacked messages have
    // come back -- every event row is read back; if some accepted events are still missing,
    // wait for the next quiet period and read again, up to the drain limit.
    const bigtable = new Bigtable({ projectId, apiEndpoint: cloud.bigtable.endpoint, metricsEnabled: false } as ConstructorParameters<typeof Bigtable>[0]);
    const instance = bigtable.instance(NAMES.bigtableInstance);
    const tables = { events: instance.table(NAMES.eventsTable), aggregates: instance.table(NAMES.aggregatesTable) };
    const QUIET_MS = 12_000;
    const bigquery = new BigQuery({ projectId, apiEndpoint: cloud.bigquery.url });
    let archived: ArchiveCount | null = null;
    let archiveCaughtUpSeconds: number | null = null;
    const drainDeadline = Date.now() + (interrupted ? 5_000 : DRAIN_LIMIT_MS);
    let drainedAtMs: number | null = null;
    /** Accepted events not in Bigtable that an interrupted run did not trace (queued, in flight or lost). */
    let untraced = 0;
    let rowsRead = 0;
    let readBacks = 0;
    let queuedAtEnd: { messages: number; events: number; idleMs: number } | null = null;
    let windowCompare = { over: 0, under: 0, windowsChecked: 0, discrepancies: [] as unknown[] };
    const deviceIndexOf = (id: string) => {
      const prefix = `${runTag}-d`;
      if (!id.startsWith(prefix)) return undefined;
      const n = Number(id.slice(prefix.length));
      return Number.isInteger(n) && n >= 0 && n < devices && deviceIdOf(runTag, n) === id ? n : undefined;
    };
    try {
      let lastProcessed = -1;
      let lastChangeAt = Date.now();
      for (;;) {
        const last = samples[samples.length - 1];
        const processed = last?.processor?.counters.eventsProcessed ?? -1;
        if (processed !== lastProcessed || (last?.processor?.inFlightMessages ?? 0) > 0) {
          lastProcessed = processed;
          lastChangeAt = last?.atMs ?? Date.now();
        }
        const quiet = Date.now() - lastChangeAt >= QUIET_MS && processed >= fleet.counters.accepted;
        const outOfTime = Date.now() >= drainDeadline || !!options.signal?.aborted;
        if (quiet || outOfTime) {
          const stopping = interrupted || !!options.signal?.aborted;
          progress(`local run: reading back every event row from Bigtable${outOfTime && !quiet ? (stopping ? ' (interrupted: not waiting for the drain)' : ' (drain limit reached)') : ''}`);
          rowsRead = await readBackEvents(tables, ledger, runTag);
          readBacks++;
          if (ledger.storedCount >= ledger.acceptedCount) {
            drainedAtMs = lastChangeAt;
            break;
          }
          if (outOfTime && (interrupted || options.signal?.aborted)) {
            // Interrupted: tracing what is still queued takes an ack deadline; the user asked to stop.
            untraced = ledger.acceptedCount - ledger.storedCount;
            progress(`local run: interrupted: ${fmtInt(untraced)} accepted events not in Bigtable yet are not traced (still queued or in flight)`);
            break;
          }
          if (outOfTime) {
            // Not lost if still queued: stop the processor (it acks what it holds), then pull the rest.
            progress(`local run: drain limit reached with ${fmtInt(ledger.acceptedCount - ledger.storedCount)} accepted events not in Bigtable; stopping the processor and counting what is still queued`);
            const entry = stops.find((x) => x.name === 'speed-processor');
            if (entry) {
              stops.splice(stops.indexOf(entry), 1);
              await entry.stop();
            }
            rowsRead = await readBackEvents(tables, ledger, runTag);
            progress('local run: pulling what is still queued or leased (waits one ack deadline + 15 s with nothing arriving)');
            queuedAtEnd = await drainSubscription(projectId, cloud.pubsub.endpoint, NAMES.speedSubscription, ledger, runTag);
            progress(`local run: ${fmtInt(queuedAtEnd.events)} events were still queued; the rest missing from Bigtable are lost`);
            break;
          }
          progress(`waiting   ${fmtInt(ledger.acceptedCount - ledger.storedCount)} accepted events not in Bigtable yet; waiting for redeliveries`);
          lastChangeAt = Date.now();
        }
        await sleep(500);
      }
      marks.push({ name: 'drain (read-back)', at: Date.now() });
      // Windows close once a device's watermark passes their end. A quiet device's watermark
      // moves with the clock from when its last event was PROCESSED (the processor's lag counts):
      // the last tumbling window ends up to one window after the last event, then two watermark
      // delays, a slide and a finalizer pass.
      const lastEventMs = sendStartedAt + fleetResult.sendMs;
      const lastWindowEnd = Math.floor(lastEventMs / windowMs) * windowMs + windowMs;
      const finalWindowsBy = Date.now() + (lastWindowEnd - lastEventMs) + 2 * w.watermarkDelaySeconds * 1000 + FINALIZE_MARGIN_MS;
      for (;;) {
        const counts = await readWindowCounts(tables, deviceIndexOf, windowMs);
        windowCompare = ledger.compareWindows((d) => counts.get(d) ?? new Map());
        if (windowCompare.under === 0 || Date.now() > finalWindowsBy || interrupted || options.signal?.aborted) break;
        progress(`waiting   for the last windows to close (watermark): ${fmtInt(windowCompare.under)} events not yet in a final window, up to ${Math.max(0, Math.round((finalWindowsBy - Date.now()) / 1000))} s more`);
        await sleep(2000);
      }
      marks.push({ name: 'last windows', at: Date.now() });
      // The batch layer must hold every accepted event too. Locally the archive path runs at the
      // lowest CPU priority, so it catches up once the send phase ends; wait while it progresses.
      if (archive && !interrupted && !options.signal?.aborted) {
        let lastEvents = -1;
        let lastChangeAt = Date.now();
        const archiveDeadline = Math.max(drainDeadline, Date.now() + ARCHIVE_WAIT_MIN_MS);
        for (;;) {
          archived = await countArchived(bigquery, NAMES.dataset, NAMES.eventsRaw, runTag).catch((err: Error) => {
            progress(`local run: could not count the archive: ${err.message}`);
            return archived;
          });
          if (archived && archived.events >= ledger.acceptedCount) {
            archiveCaughtUpSeconds = round((Date.now() - (sendStartedAt + fleetResult.sendMs)) / 1000, 1);
            break;
          }
          const now = Date.now();
          if (archived && archived.events !== lastEvents) {
            lastEvents = archived.events;
            lastChangeAt = now;
          }
          if (now - lastChangeAt >= ARCHIVE_STALL_MS || now >= archiveDeadline || options.signal?.aborted) break;
          progress(`waiting   for the archive: ${fmtInt(archived?.events ?? null)} of ${fmtInt(ledger.acceptedCount)} accepted events in ${NAMES.eventsRaw}`);
          await sleep(2000);
        }
      }
      if (archive && archived) marks.push({ name: 'archive catch-up', at: Date.now() });
    } finally {
      await bigtable.close().catch(() => undefined);
    }
    sampling = false;
    await sampler;
    // Aborted at any point (also during the drain) is an interrupted run.
    interrupted = interrupted || !!options.signal?.aborted;
    const archiveHealth = archive ? await getJson<{ counters?: Record<string, number> }>(`${archive.url}/healthz`, 2000) : undefined;
    const lastSample = samples[samples.length - 1];
    const lastProcessor = [...samples].reverse().find((x) => x.processor)?.processor;
    void queuedAtEnd;

    // Figures.
    const fleetSeconds = fleetResult.seconds;
    const inSustained = (sec: number) => sec >= warmupSeconds && sec * 1000 < schedule.burstStartMs && sec < Math.floor(fleetResult.sendMs / 1000);
    const inBurst = (sec: number) => sec * 1000 >= schedule.burstStartMs && sec * 1000 < schedule.burstEndMs && sec < Math.floor(fleetResult.sendMs / 1000);
    const processedBetween = (fromMs: number, toMs: number) => {
      const a = samples.filter((s) => s.processor && s.elapsedMs >= fromMs).at(0);
      const b = samples.filter((s) => s.processor && s.elapsedMs <= toMs).at(-1);
      if (!a || !b || b.atMs <= a.atMs) return 0;
      return (b.processor!.counters.eventsProcessed - a.processor!.counters.eventsProcessed) / ((b.atMs - a.atMs) / 1000);
    };
    const phase = (pick: (sec: number) => boolean, targetEps: number, fromMs: number, toMs: number): PhaseThroughput => {
      const secs = fleetSeconds.filter((s) => pick(s.second));
      const n = Math.max(1, secs.length);
      return {
        seconds: secs.length,
        targetEps,
        offeredEps: round(secs.reduce((a, s) => a + s.sent, 0) / n),
        acceptedEps: round(secs.reduce((a, s) => a + s.accepted, 0) / n),
        processedEps: round(processedBetween(fromMs, toMs)),
        peakAcceptedEps: secs.reduce((a, s) => Math.max(a, s.accepted), 0),
      };
    };
    const sustained = phase(inSustained, rate, warmupSeconds * 1000, Math.min(schedule.burstStartMs, fleetResult.sendMs));
    const burstPhase = burstSeconds > 0 ? phase(inBurst, burst, schedule.burstStartMs, schedule.burstEndMs) : null;
    const wholeRun = lastProcessor?.latencyMs.sinceStart ?? null;
    const anyLat: LatencyFigures | null = sustainedLatency ?? wholeRun;
    // No samples is "not measured", never 0.0 ms.
    const sustainedLat: LatencyFigures | null = anyLat && anyLat.count > 0 ? anyLat : null;
    // Only for a burst that ran to its end; an interrupted send has no drain to time.
    const burstRan = burstSeconds > 0 && fleetResult.sendMs >= schedule.burstEndMs;
    const drainSeconds = burstRan && drainedAtMs !== null ? Math.max(0, round((drainedAtMs - (sendStartedAt + schedule.burstEndMs)) / 1000, 1)) : null;

    const lags = samples.filter((s) => s.elapsedMs >= warmupSeconds * 1000).map((s) => s.dashboardLagMs).filter((x): x is number => x !== null).sort((a, b) => a - b);
    const traced = ledger.lost();
    // Untraced events are not counted as lost (or as safe): the no-data-loss check says so.
    const lost = { count: Math.max(0, traced.count - untraced), sample: untraced > 0 ? [] : traced.sample };
    const cpu: CpuShare[] = [
      { process: 'fleet+orchestrator', cpuSeconds: round(cpuEnd.self - cpuStart.self, 1), percentOfOneCore: round(((cpuEnd.self - cpuStart.self) / sendSeconds) * 100) },
      ...cpuEnd.groups.map((g) => {
        const before = cpuStart.groups.find((x) => x.name === g.name)?.cpu ?? 0;
        const used = (g.cpu ?? 0) - (before ?? 0);
        return { process: g.name, cpuSeconds: round(used, 1), percentOfOneCore: round((used / sendSeconds) * 100) };
      }),
    ].sort((a, b) => b.cpuSeconds - a.cpuSeconds);

    const c = spec.constraints;
    const checks: SpecCheck[] = [
      untraced > 0
        ? { item: 'no_data_loss', measured: `interrupted before the drain ended: ${fmtInt(untraced)} of ${fmtInt(ledger.acceptedCount)} accepted events not in Bigtable yet were not traced`, bound: '0 lost', status: 'not-measured' }
        : { item: 'no_data_loss', measured: `${lost.count} of ${ledger.acceptedCount} accepted events neither in Bigtable nor still queued${ledger.queuedCount ? ` (${ledger.queuedCount} still queued after the drain limit)` : ''}`, bound: '0 lost', status: lost.count === 0 ? 'pass' : 'fail' },
      archived
        ? {
            item: 'no_data_loss (archive)',
            measured: `${fmtInt(Math.max(0, ledger.acceptedCount - archived.events))} of ${fmtInt(ledger.acceptedCount)} accepted events not in ${NAMES.eventsRaw}${archivedTwiceNote(archived.rows, archived.events)}${archiveCaughtUpSeconds !== null ? `; caught up ${archiveCaughtUpSeconds} s after the send phase` : ''}`,
            bound: '0 missing',
            status: archived.events >= ledger.acceptedCount ? 'pass' : 'fail',
          }
        : { item: 'no_data_loss (archive)', measured: !archive ? 'archive worker not running' : interrupted ? 'interrupted before the archive was counted' : 'archive not counted', bound: '0 missing', status: 'not-measured' },
      exactlyOnceCheck({ over: windowCompare.over, under: windowCompare.under, windows: windowCompare.windowsChecked, late: lastProcessor?.counters.eventsLate ?? null, interrupted }),
      sustained.seconds === 0
        ? { item: 'throughput_sustained', measured: 'the sustained phase did not run past its warm-up (interrupted or too short)', bound: `>= ${fmtInt(rate)} events/s offered`, status: 'not-measured' }
        : {
            item: 'throughput_sustained',
            measured: `${fmtInt(sustained.processedEps)} events/s processed`,
            bound: `>= ${fmtInt(rate)} events/s offered`,
            status: sustained.processedEps >= rate * 0.98 ? 'pass' : 'fail',
          },
      burstPhase
        ? burstCheck({ acceptedEps: burstPhase.acceptedEps, burstEps: burst, invalidShare, drainSeconds, ran: burstRan })
        : { item: 'throughput_burst', measured: 'no burst in this run', bound: `${fmtInt(c.burstEventsPerSecond)} events/s`, status: 'not-measured' },
      latencyCheck('latency_p99', sustainedLat?.p99, c.latencyP99Ms),
      latencyCheck('latency_p50', sustainedLat?.p50, c.latencyP50Ms),
      lags.length > 0
        ? { item: 'dashboard_updated', measured: `max ${fmtInt(lags[lags.length - 1])} ms behind over ${lags.length} samples`, bound: '<= 5,000 ms', status: lags[lags.length - 1] <= 5000 ? 'pass' : 'fail' }
        : { item: 'dashboard_updated', measured: 'dashboard not running', bound: '<= 5,000 ms', status: 'not-measured' },
    ];

    const latencyMissed = checks.some((x) => (x.item === 'latency_p99' || x.item === 'latency_p50') && x.status === 'fail');
    const limits = explainLimits({ loadAverage: Math.max(loadStart, loadEnd), sustained, burstPhase, fleetResult, samples, cpu, eventsPerMessage, rate, burst, schedule, warmupSeconds, cores: machineDetails().cpuCount, latencyMissed });

    const measurement: Measurement = {
      schemaVersion: 1,
      environment,
      machine: machineDetails(),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      interrupted,
      phases: marks.slice(1).map((m, i) => ({ name: m.name, seconds: round((m.at - marks[i].at) / 1000, 1) })),
      options: { devices, rate, burst, burstSeconds, eventSize, eventsPerRequest, eventsPerMessage, invalidShare, duration, warmupSeconds, stackDir },
      deviations,
      sent: fleetResult.counters.sent,
      sentValid: fleetResult.counters.sentValid,
      sentInvalid: fleetResult.counters.sentInvalid,
      accepted: fleetResult.counters.accepted,
      rejected: fleetResult.counters.rejected,
      rejectedValid: fleetResult.counters.rejectedValid,
      invalidAccepted: fleetResult.counters.invalidAccepted,
      unconfirmed: fleetResult.counters.unconfirmed,
      shortfall: fleetResult.shortfall,
      stored: ledger.storedCount,
      lost: lost.count,
      queuedAtEnd: ledger.queuedCount,
      lateEvents: lastProcessor?.counters.eventsLate ?? null,
      lostSample: lost.sample.map((x) => `${runTag}.d${x.device}.${x.seq}`),
      doubleCounted: windowCompare.over,
      aggregatesMissing: windowCompare.under,
      windowDiscrepancies: windowCompare.discrepancies as Measurement['windowDiscrepancies'],
      windowsChecked: windowCompare.windowsChecked,
      rowsReadBack: rowsRead,
      readBacks,
      deadLettered: lastProcessor?.counters.eventsDeadLettered ?? null,
      archive: archiveHealth?.counters ?? null,
      processorCounters: lastProcessor ? { ...lastProcessor.counters } : null,
      archived: archived ? { ...archived, missing: Math.max(0, ledger.acceptedCount - archived.events), caughtUpSeconds: archiveCaughtUpSeconds } : null,
      throughputEps: sustained.processedEps,
      throughput: { sustained, burst: burstPhase, drainSeconds },
      p50Ms: sustainedLat?.p50 ?? null,
      p99Ms: sustainedLat?.p99 ?? null,
      latency: { sustained: sustainedLat, wholeRun },
      processorStagesMs: lastProcessor?.stagesMs ?? null,
      dashboardLagMs: lags.length ? lags[lags.length - 1] : null,
      dashboardLag: { samples: lags.length, p50Ms: lags.length ? lags[Math.floor(lags.length / 2)] : null, maxMs: lags.length ? lags[lags.length - 1] : null, over5s: lags.filter((l) => l > 5000).length },
      predicted,
      checks,
      limits,
      cpu,
      loadAverage: { sendStart: round(loadStart, 2), sendEnd: round(loadEnd, 2) },
      provision: { notHonoured: provisioned.notHonoured, skipped: provisioned.skipped.length },
      services,
      logDir,
      timeline: samples.map((s, i) => {
        const prev = samples[i - 1];
        const dt = prev ? (s.atMs - prev.atMs) / 1000 : 1;
        const sec = Math.floor(s.elapsedMs / 1000);
        const f = fleetSeconds.find((x) => x.second === sec);
        return {
          second: sec,
          phase: s.elapsedMs < schedule.durationMs ? phaseAt(schedule, s.elapsedMs) : 'draining',
          sent: f?.sent ?? 0,
          accepted: f?.accepted ?? 0,
          processedEps: prev?.processor && s.processor ? round((s.processor.counters.eventsProcessed - prev.processor.counters.eventsProcessed) / dt) : null,
          backlogEvents: backlogOf(s),
          p99LastMinuteMs: s.processor?.latencyMs.lastMinute.p99 ?? null,
          dashboardLagMs: s.dashboardLagMs,
        };
      }),
    };
    if (options.json) {
      // A write that fails must not take the measurement with it: say so and return it.
      try {
        writeRecord(options.json, 'local-run', measurement as unknown as Record<string, unknown>);
      } catch (err) {
        progress(`local run: could not write ${options.json}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    return measurement;
  } finally {
    progress('local run: stopping everything it started');
    const stopStart = Date.now();
    await stopAll();
    progress(`local run: stopped everything in ${round((Date.now() - stopStart) / 1000, 1)} s`);
  }
}

/**
 * What the run will take beyond --duration: the drain and the last windows (one window, two
 * watermark delays, a slide and a finalizer pass after the last event) and the archive's
 * catch-up (the archive path runs at the lowest CPU priority; waited for up to the drain limit
 * after sending, sooner once it stalls for 30 s).
 */
export function runTimeEstimate(durationSeconds: number, windowMs: number, watermarkDelaySeconds: number): string {
  const windowsS = Math.round((windowMs + 2 * watermarkDelaySeconds * 1000 + FINALIZE_MARGIN_MS) / 1000);
  const archiveS = Math.round(Math.max(DRAIN_LIMIT_MS, ARCHIVE_WAIT_MIN_MS) / 1000);
  return `sending ${durationSeconds} s, then waiting for the last windows (up to ${windowsS} s) and the archive to catch up (up to ${archiveS} s after sending; it stops waiting once the archive stalls for ${ARCHIVE_STALL_MS / 1000} s), then stopping everything`;
}

function fmtInt(n: number | null): string {
  return n === null || !Number.isFinite(n) ? 'n/a' : Math.round(n).toLocaleString('en-US');
}

