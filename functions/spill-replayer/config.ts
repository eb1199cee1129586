import { z } from 'zod';
import { googleProjectSchema, loadConfig, port, positiveInt, requiredName } from '../shared/config';
import { oneSpillStore, spillSchema } from '../shared/spill/spill-config';

export const replayerConfigSchema = googleProjectSchema
  .extend(spillSchema.shape)
  .extend({
    TELEMETRY_TOPIC: requiredName.default('telemetry'),
    /** Deadline for Pub/Sub to confirm one spill object's messages. */
    PUBLISH_TIMEOUT_MS: positiveInt(10000),
    /** Devices replayed at once. */
    SPILL_REPLAY_CONCURRENCY: positiveInt(8),
    PORT: port(8080),
  })
  .superRefine((c, ctx) => {
    oneSpillStore(c, ctx);
    if (!c.SPILL_BUCKET && !c.SPILL_DIR) ctx.addIssue({ code: 'custom', path: ['SPILL_BUCKET'], message: 'required: SPILL_BUCKET or SPILL_DIR (where the gateway spills)' });
  });

export type ReplayerConfig = z.infer<typeof replayerConfigSchema>;

export function loadReplayerConfig(env: NodeJS.ProcessEnv = process.env): ReplayerConfig {
  return loadConfig(replayerConfigSchema, env);
}
