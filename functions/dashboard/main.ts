/**
 * Dashboard (Cloud Run service `dashboard`): a live web page over the analytics API.
 * Start: `ANALYTICS_URL=http://127.0.0.1:8081 npx tsx functions/dashboard/main.ts`.
 */
import { createLogger } from '../shared/logger';
import { runMain } from '../shared/run-main';
import { withTimeLimit } from '../shared/time-limits';
import { AnalyticsSource } from './analytics-client';
import { loadDashboardConfig } from './config';
import { buildDashboardServer } from './server';

export async function startDashboard(env: NodeJS.ProcessEnv = process.env, host = '0.0.0.0') {
  const config = loadDashboardConfig(env);
  const logger = createLogger('dashboard', env.LOG_LEVEL);
  const source = new AnalyticsSource(config.ANALYTICS_URL, config.ANALYTICS_TIMEOUT_MS);
  const app = buildDashboardServer({ source, refreshIntervalMs: Math.round(config.DASHBOARD_REFRESH_SECONDS * 1000), liveCacheMs: config.LIVE_CACHE_MS, logger });
  const address = await app.listen({ port: config.PORT, host });
  logger.info({ address, analytics: config.ANALYTICS_URL }, 'dashboard listening');
  return {
    address,
    app,
    async stop() {
      await withTimeLimit(app.close(), 5000, 'closing the HTTP server');
    },
  };
}

if (require.main === module) runMain('dashboard', () => startDashboard());
