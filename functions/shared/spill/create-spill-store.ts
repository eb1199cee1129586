/** The spill store the environment asks for: SPILL_BUCKET (Cloud Storage) or SPILL_DIR (local). */
import { Storage } from '@google-cloud/storage';
import { DirectorySpillStore } from './directory-spill-store';
import { GcsSpillStore } from './gcs-spill-store';
import type { SpillStore } from './spill-store';

export function createSpillStore(config: { GOOGLE_CLOUD_PROJECT: string; SPILL_BUCKET?: string; SPILL_DIR?: string }): SpillStore | undefined {
  if (config.SPILL_BUCKET && config.SPILL_DIR) throw new Error('SPILL_BUCKET and SPILL_DIR: set one, not both');
  if (config.SPILL_BUCKET) return new GcsSpillStore(new Storage({ projectId: config.GOOGLE_CLOUD_PROJECT }).bucket(config.SPILL_BUCKET));
  if (config.SPILL_DIR) return new DirectorySpillStore(config.SPILL_DIR);
  return undefined;
}
