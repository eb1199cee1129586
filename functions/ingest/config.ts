import { z } from 'zod';
import { googleProjectSchema, loadConfig, port, positiveInt, requiredName } from '../shared/config';
import { oneSpillStore, spillSchema } from '../shared/spill/spill-config';

const sha256Hex = /^[0-9a-f]{64}$/;

export const ingestConfigSchema = googleProjectSchema.extend(spillSchema.shape).extend({
  TELEMETRY_TOPIC: requiredName.default('telemetry'),
  /** Comma-separated SHA-256 hex digests of accepted API keys (the keys live in Secret Manager). */
  INGEST_API_KEY_SHA256: z
    .string({ error: 'required (comma-separated SHA-256 hex digests of the API keys)' })
    .transform((v) => v.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean))
    .refine((list) => list.length > 0 && list.every((d) => sha256Hex.test(d)), 'each entry must be 64 hex characters (a SHA-256 digest)'),
  /** Events of one device packed into one Pub/Sub message. 1 keeps the archive template's one-row-per-message mapping. */
  EVENTS_PER_MESSAGE: z.coerce.number().int().min(1).max(500).default(1),
  PORT: port(8080),
  MAX_BODY_BYTES: positiveInt(1024 * 1024),
  MAX_EVENTS_PER_REQUEST: positiveInt(1000),
  /** Events accepted for publishing but not yet confirmed; beyond it the gateway answers 429. */
  MAX_IN_FLIGHT_EVENTS: positiveInt(20000),
  /** How long one request waits for Pub/Sub to confirm (including ordered-key recovery). */
  PUBLISH_TIMEOUT_MS: positiveInt(10000),
  /** With a spill store: run the spill replayer inside the gateway (true) or leave it to functions/spill-replayer. */
  SPILL_REPLAY_IN_PROCESS: z.enum(['true', 'false'], { error: 'must be true or false' }).default('true').transform((v) => v === 'true'),
})
  .superRefine(oneSpillStore)
  // A full request must fit in flight, or it is answered 429 "busy" forever: no retry gets it in.
  .refine((c) => c.MAX_IN_FLIGHT_EVENTS >= c.MAX_EVENTS_PER_REQUEST, {
    path: ['MAX_IN_FLIGHT_EVENTS'],
    message: 'must be at least MAX_EVENTS_PER_REQUEST (a request of that many events could never be accepted)',
  });

export type IngestConfig = z.infer<typeof ingestConfigSchema>;

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return loadConfig(ingestConfigSchema, env);
}
