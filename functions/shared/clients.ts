/**
 * Google clients, created once per process by each service's main and passed down. The
 * libraries read PUBSUB_EMULATOR_HOST / BIGTABLE_EMULATOR_HOST / BIGQUERY_EMULATOR_HOST
 * themselves; metadata-server detection is turned off so nothing waits on it locally.
 */
import { PubSub } from '@google-cloud/pubsub';
import { Bigtable } from '@google-cloud/bigtable';
import { BigQuery } from '@google-cloud/bigquery';

function noMetadataServerWhenEmulated(): void {
  const emulated = process.env.PUBSUB_EMULATOR_HOST || process.env.BIGTABLE_EMULATOR_HOST || process.env.BIGQUERY_EMULATOR_HOST;
  if (emulated && !process.env.METADATA_SERVER_DETECTION) process.env.METADATA_SERVER_DETECTION = 'none';
}

/** `emulatorHost` (the service's checked PUBSUB_EMULATOR_HOST) wins over the process environment. */
export function createPubSub(projectId: string, emulatorHost?: string): PubSub {
  noMetadataServerWhenEmulated();
  return new PubSub({ projectId, ...(emulatorHost ? { apiEndpoint: emulatorHost } : {}) });
}

export function createBigtable(projectId: string, appProfileId?: string): Bigtable {
  noMetadataServerWhenEmulated();
  // Client-side metrics export to Cloud Monitoring; off (it would try to reach GCP locally).
  return new Bigtable({ projectId, appProfileId, metricsEnabled: false } as ConstructorParameters<typeof Bigtable>[0]);
}

export function createBigQuery(projectId: string): BigQuery {
  noMetadataServerWhenEmulated();
  return new BigQuery({ projectId });
}
