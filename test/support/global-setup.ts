/**
 * Integration global setup: start the Pub/Sub and Bigtable emulators on free ports (unless
 * the usual *_EMULATOR_HOST variable already points at one), export the variables, and
 * record what was started so the teardown stops exactly that.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startPubSubEmulator, startBigtableEmulator } from '../../local/emulators/gcloud-emulators';
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
    const [pubsub, bigtable] = await Promise.all([
      process.env.PUBSUB_EMULATOR_HOST ? undefined : startPubSubEmulator(logDir),
      process.env.BIGTABLE_EMULATOR_HOST ? undefined : startBigtableEmulator(logDir),
    ]);
    if (pubsub) record(pubsub, 'PUBSUB_EMULATOR_HOST');
    if (bigtable) record(bigtable, 'BIGTABLE_EMULATOR_HOST');
  } finally {
    // Written even on failure, so the teardown can stop whatever did start.
    writeState(state);
  }
  for (const v of ['PUBSUB_EMULATOR_HOST', 'BIGTABLE_EMULATOR_HOST']) {
    if (process.env[v]) state.env[v] = process.env[v]!;
  }
  writeState(state);
}
