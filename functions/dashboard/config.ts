import { z } from 'zod';
import { loadConfig, port, positiveInt } from '../shared/config';

export const dashboardConfigSchema = z.object({
  /** Base URL of the analytics API (Cloud Run service `analytics-api`). */
  ANALYTICS_URL: z.url({ error: 'required: the analytics API base URL, e.g. http://127.0.0.1:8081' }),
  PORT: port(8080),
  /** How often the page polls, seconds (set by the stacks); the spec's dashboard_updated bound is 5 s, so at most that. */
  DASHBOARD_REFRESH_SECONDS: z.coerce.number().positive().max(5, 'at most 5 (the dashboard must update within 5 s)').default(2),
  /** Time limit of one call to the analytics API. */
  ANALYTICS_TIMEOUT_MS: positiveInt(3000),
  /** Viewers polling within this share one analytics call. */
  LIVE_CACHE_MS: positiveInt(1000),
});

export type DashboardConfig = z.infer<typeof dashboardConfigSchema>;

export function loadDashboardConfig(env: NodeJS.ProcessEnv = process.env): DashboardConfig {
  return loadConfig(dashboardConfigSchema, env);
}
