/**
 * Start the local cloud (Pub/Sub emulator, Bigtable emulator, BigQuery-compatible server),
 * optionally provision it from a synthesized environment, print the endpoints as the
 * *_EMULATOR_HOST variables, and stop everything cleanly on Ctrl-C.
 *
 *   npx tsx scripts/local-cloud.ts [--provision cdktf.out/stacks/iot-pipeline-dev] [--bigquery-db file.duckdb]
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Command } from 'commander';
import { startPubSubEmulator, startBigtableEmulator } from '../local/emulators/gcloud-emulators';
import type { RunningService } from '../local/emulators/processes';
import { startBigQueryServer, type BigQueryServer } from '../local/bigquery-server';
import { provisionLocalCloud, formatReport } from '../local/provision';

process.env.METADATA_SERVER_DETECTION = 'none';

async function main(): Promise<void> {
  const program = new Command()
    .name('local-cloud')
    .description('Run the Pub/Sub and Bigtable emulators and the local BigQuery server until Ctrl-C')
    .option('--provision <path>', 'synth folder or cdk.tf.json to provision the services from')
    .option('--bigquery-db <path>', 'DuckDB file for the BigQuery server (default: in memory)')
    .option('--bigquery-port <port>', 'port for the BigQuery server (default: a free port)', '0')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .configureOutput({ writeErr: (s) => process.stderr.write(s.split('\n')[0] + '\n') });
  program.parse();
  const opts = program.opts<{ provision?: string; bigqueryDb?: string; bigqueryPort: string }>();
  const bigqueryPort = Number(opts.bigqueryPort);
  if (!Number.isInteger(bigqueryPort) || bigqueryPort < 0 || bigqueryPort > 65535) {
    process.stderr.write(`error: --bigquery-port must be an integer 0-65535, got "${opts.bigqueryPort}"\n`);
    process.exit(2);
  }

  const logDir = mkdtempSync(join(tmpdir(), 'iot-local-cloud-'));
  const emulators: RunningService[] = [];
  let bigquery: BigQueryServer | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('stopping the local cloud...\n');
    await Promise.allSettled([...emulators.map((e) => e.stop()), bigquery?.close()]);
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  try {
    // allSettled: when one fails early, the others still finish starting and are stopped with it.
    const started = await Promise.allSettled([
      startPubSubEmulator(logDir).then((s) => (emulators.push(s), s)),
      startBigtableEmulator(logDir).then((s) => (emulators.push(s), s)),
      startBigQueryServer({ port: bigqueryPort, dbPath: opts.bigqueryDb, logLevel: 'warn' }).then((s) => (bigquery = s)),
    ]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [pubsub, bigtable, bq] = started.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as [
      Awaited<ReturnType<typeof startPubSubEmulator>>,
      Awaited<ReturnType<typeof startBigtableEmulator>>,
      Awaited<ReturnType<typeof startBigQueryServer>>,
    ];
    const env = { PUBSUB_EMULATOR_HOST: pubsub.endpoint, BIGTABLE_EMULATOR_HOST: bigtable.endpoint, BIGQUERY_EMULATOR_HOST: bq.endpoint };
    if (opts.provision) {
      const report = await provisionLocalCloud({ input: opts.provision, endpoints: { pubsub: env.PUBSUB_EMULATOR_HOST, bigtable: env.BIGTABLE_EMULATOR_HOST, bigquery: env.BIGQUERY_EMULATOR_HOST } });
      process.stderr.write(`${formatReport(report)}\n`);
    }
    process.stdout.write(`${Object.entries(env).map(([k, v]) => `export ${k}=${v}`).join('\n')}\n`);
    process.stderr.write(`local cloud running (logs in ${logDir}); Ctrl-C to stop\n`);
  } catch (err) {
    process.stderr.write(`local-cloud: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
    await stop(1);
  }
}

void main();
