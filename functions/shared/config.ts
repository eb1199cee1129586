/**
 * Start-up configuration from the environment, checked with zod. A bad value stops the
 * service with one line naming every problem (see `runMain`), never a stack trace.
 */
import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(`bad configuration: ${problems.join('; ')}`);
}

/** Env strings to numbers: an unset variable takes the default, a set one must parse. */
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const nonNegativeInt = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const requiredName = z.string().trim().min(1, 'required');
/** `host:port`, as the *_EMULATOR_HOST variables are written. */
export const hostPort = z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port');

export const googleProjectSchema = z.object({
  GOOGLE_CLOUD_PROJECT: requiredName,
  PUBSUB_EMULATOR_HOST: hostPort.optional(),
  BIGTABLE_EMULATOR_HOST: hostPort.optional(),
  /** A BigQuery emulator's base URL, http://host:port[/path] or host:port (local/bigquery-server/base-url.ts). */
  BIGQUERY_EMULATOR_HOST: z.string().regex(/^(https?:\/\/)?[^\s/]+:\d{1,5}(\/[^\s?#]*)?$/, 'must be http://host:port, optionally with the path the emulator serves the API under').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export const bigtableSchema = z.object({
  BIGTABLE_INSTANCE: requiredName.default('iot-hot'),
  BIGTABLE_EVENTS_TABLE: requiredName.default('events'),
  BIGTABLE_AGGREGATES_TABLE: requiredName.default('aggregates'),
  /** Per-instance processor metrics snapshots (shared/fleet-snapshot.ts), read by /v1/fleet/live. */
  BIGTABLE_FLEET_TABLE: requiredName.default('fleet'),
  BIGTABLE_APP_PROFILE: z.string().trim().min(1).optional(),
});

export const windowSchema = z.object({
  AGGREGATE_WINDOW_SECONDS: positiveInt(60),
  /** Windows start every slide; the window must be a multiple of it. */
  AGGREGATE_SLIDE_SECONDS: positiveInt(10),
  WATERMARK_DELAY_SECONDS: nonNegativeInt(10),
  HOT_WINDOW_HOURS: positiveInt(24),
});
