/** Spill settings shared by the ingest gateway and the spill replayer. */
import { z } from 'zod';
import { positiveInt } from '../config';

export const spillSchema = z.object({
  /** Cloud Storage bucket for spilled batches (production). */
  SPILL_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, 'must be a Cloud Storage bucket name').optional(),
  /** Local directory for spilled batches (local runs, tests). */
  SPILL_DIR: z.string().trim().min(1).optional(),
  /** How long one spill write may take before the batch counts as failed (503). */
  SPILL_TIMEOUT_MS: positiveInt(10000),
  /** Replayer pass interval, and how often the gateway re-reads which devices have spilled events. */
  SPILL_REPLAY_INTERVAL_MS: positiveInt(1000),
});

/** Refinement for a schema that includes spillSchema: at most one store. */
export function oneSpillStore(config: { SPILL_BUCKET?: string; SPILL_DIR?: string }, ctx: z.RefinementCtx): void {
  if (config.SPILL_BUCKET && config.SPILL_DIR) ctx.addIssue({ code: 'custom', path: ['SPILL_BUCKET'], message: 'set SPILL_BUCKET or SPILL_DIR, not both' });
}
