/**
 * The local cloud for a run: the Pub/Sub and Bigtable emulators and the BigQuery-compatible
 * server (each a child process in its own group), the chosen environment synthesized into a
 * private output folder, and the resources that synth declares provisioned onto them.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startBigtableEmulator, startPubSubEmulator } from '../emulators/gcloud-emulators';
import { startBigQueryServerProcess } from '../emulators/bigquery-server-process';
import { lowerPriority, type RunningService } from '../emulators/processes';
import { loadInput } from '../../verification/graph';
import { provisionLocalCloud, type ProvisionReport } from '../provision';
import { REPO_ROOT } from './services';

export interface LocalCloud {
  pubsub: RunningService;
  bigtable: RunningService;
  bigquery: RunningService & { url: string };
  /** Every process started, for CPU accounting and the shutdown. */
  services: RunningService[];
  stop(): Promise<void>;
}

/**
 * Niceness of the archive path (the archive worker and the BigQuery-compatible server) in the
 * local run. On GCP the archive runs on its own Dataflow workers and writes to BigQuery, so it
 * takes no CPU from the speed layer; here every service shares two cores, so the archive gets
 * only what the speed path leaves and catches up once the send phase ends.
 */
export const ARCHIVE_PATH_NICENESS = 19;

export async function startLocalCloud(logDir: string, options: { archivePathNiceness?: number } = {}): Promise<LocalCloud> {
  const started: RunningService[] = [];
  const stop = async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  };
  // Settled, not Promise.all: when one fails, the others may still be starting, and each must
  // be stopped once it has started rather than left running.
  const [pubsub, bigtable, bigquery] = await Promise.allSettled([
    startPubSubEmulator(logDir),
    startBigtableEmulator(logDir),
    startBigQueryServerProcess(logDir).then((s) => {
      // Lowered once it answers: a starved start-up would time out.
      if (options.archivePathNiceness) lowerPriority(s.pid, options.archivePathNiceness);
      return s;
    }),
  ]);
  for (const r of [pubsub, bigtable, bigquery]) if (r.status === 'fulfilled') started.push(r.value);
  if (pubsub.status === 'rejected' || bigtable.status === 'rejected' || bigquery.status === 'rejected') {
    await stop();
    throw [pubsub, bigtable, bigquery].find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason;
  }
  return { pubsub: pubsub.value, bigtable: bigtable.value, bigquery: bigquery.value, services: [...started], stop };
}

export interface SynthOutput {
  stackDir: string;
  seconds: number;
}

/**
 * Synthesizes an environment with the project's own entry point (`stacks/main.ts`) into
 * `outdir`, in a child process so the CDK stays out of this one. The gate is skipped
 * (IOT_SKIP_VERIFY=1): the run verifies the same output itself with `verifyPath` and shows
 * the verdict and predictions beside the measurement, so a failing design is still measured.
 */
export function synthesize(environment: string, outdir: string, timeoutMs = 180_000): Promise<SynthOutput> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'stacks', 'main.ts')],
      { cwd: REPO_ROOT, timeout: timeoutMs, env: { ...process.env, IOT_ENV: environment, CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: outdir, IOT_SKIP_VERIFY: '1' }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const detail = (stderr || stdout || err.message).trim().split('\n').slice(-3).join(' | ');
          reject(new Error(`synth of ${environment} failed: ${detail}`));
          return;
        }
        const stacks = join(outdir, 'stacks');
        const dirs = existsSync(stacks) ? readdirSync(stacks).filter((d) => existsSync(join(stacks, d, 'cdk.tf.json'))) : [];
        if (dirs.length !== 1) {
          reject(new Error(`synth of ${environment} wrote ${dirs.length} stacks into ${stacks}; expected one`));
          return;
        }
        resolve({ stackDir: join(stacks, dirs[0]), seconds: (Date.now() - started) / 1000 });
      },
    );
  });
}

/**
 * Provisions what the synth declares. `withoutTopicSchemas` drops the topics' schema settings
 * first: the declared AVRO schema holds ONE event per message, so a run that packs several
 * events into a message (the emulator's delivery ceiling, see options.ts) cannot satisfy it.
 * Returns the addresses whose schema was dropped, for the report.
 */
export async function provision(
  stackDir: string,
  cloud: LocalCloud,
  withoutTopicSchemas = false,
): Promise<{ report: ProvisionReport; schemaDropped: string[]; exactlyOnceDropped: string[] }> {
  const graph = loadInput(stackDir);
  const schemaDropped: string[] = [];
  // The emulator does not provide exactly-once delivery (the provisioning report says so), yet
  // a subscription created with the flag switches the client into its exactly-once mode (acks
  // and lease extensions wait for confirmations the emulator handles poorly): measured with
  // bench/processor.ts, 200 ordered keys at 10,000 events/s, the backlog's tail took 16.3 s to
  // arrive with the flag and 0.26 s without. The processor's exactly-once comes from idempotent
  // writes, not from the flag, so the run drops it and states the deviation.
  const exactlyOnceDropped: string[] = [];
  for (const r of graph.resources) {
    if (r.type === 'google_pubsub_subscription' && r.values.enable_exactly_once_delivery === true) {
      delete r.values.enable_exactly_once_delivery;
      exactlyOnceDropped.push(r.address);
    }
  }
  if (withoutTopicSchemas) {
    for (const r of graph.resources) {
      if (r.type === 'google_pubsub_topic' && r.values.schema_settings !== undefined && r.values.schema_settings !== null) {
        delete r.values.schema_settings;
        schemaDropped.push(r.address);
      }
    }
  }
  const report = await provisionLocalCloud({
    input: graph,
    endpoints: { pubsub: cloud.pubsub.endpoint, bigtable: cloud.bigtable.endpoint, bigquery: cloud.bigquery.url },
  });
  return { report, schemaDropped, exactlyOnceDropped };
}
