/**
 * Integration global setup: start the Pub/Sub and Bigtable emulators on free ports (unless
 * the usual *_EMULATOR_HOST variable already points at one), export the variables, and
 * record what was started so the teardown stops exactly that.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startPubSubEmulator, startBigtableEmulator } from '../../local/emulators/gcloud-emulators';
import { startBigQueryServerProcess, normaliseBigQueryEmulatorHost } from '../../local/emulators/bigquery-server-process';
import type { RunningService } from '../../local/emulators/processes';
import { writeState, type LocalCloudState } from './local-cloud-state';

export default async function globalSetup(): Promise<void> {
  process.env.METADATA_SERVER_DETECTION = 'none';
  const logDir = mkdtempSync(join(tmpdir(), 'iot-local-cloud-'));
  const state: LocalCloudState = { started: [], env: {}, logDir };
  const record = (svc: RunningService, variable: string) => {
    state.started.push({ name: svc.name, pid: svc.pid, logFile: svc.logFile });
    state.env[variable] = svc.endpoint;
    process.env[variable] = svc.endpoint;
  };
  try {
    // An externally provided BigQuery emulator is used as is (with a scheme added if missing).
    if (process.env.BIGQUERY_EMULATOR_HOST) process.env.BIGQUERY_EMULATOR_HOST = normaliseBigQueryEmulatorHost(process.env.BIGQUERY_EMULATOR_HOST);
    const [pubsub, bigtable, bigquery] = await Promise.allSettled([
      process.env.PUBSUB_EMULATOR_HOST ? undefined : startPubSubEmulator(logDir),
      process.env.BIGTABLE_EMULATOR_HOST ? undefined : startBigtableEmulator(logDir),
      process.env.BIGQUERY_EMULATOR_HOST ? undefined : startBigQueryServerProcess(logDir),
    ]);
    if (pubsub.status === 'fulfilled' && pubsub.value) record(pubsub.value, 'PUBSUB_EMULATOR_HOST');
    if (bigtable.status === 'fulfilled' && bigtable.value) record(bigtable.value, 'BIGTABLE_EMULATOR_HOST');
    if (bigquery.status === 'fulfilled' && bigquery.value) {
      record(bigquery.value, 'BIGQUERY_EMULATOR_HOST');
      // The BigQuery client takes the variable verbatim as its base URL, so it carries the scheme.
      state.env.BIGQUERY_EMULATOR_HOST = process.env.BIGQUERY_EMULATOR_HOST = bigquery.value.url;
    }
    const failed = [pubsub, bigtable, bigquery].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    // Written even on failure, so the teardown can stop whatever did start.
    writeState(state);
  }
  for (const v of ['PUBSUB_EMULATOR_HOST', 'BIGTABLE_EMULATOR_HOST', 'BIGQUERY_EMULATOR_HOST']) {
    if (process.env[v]) state.env[v] = process.env[v]!;
  }
  writeState(state);
}
