/**
 * The dashboard service's HTTP API (fastify). The browser talks only to this origin; the
 * service proxies the analytics API, so the page needs no credentials and no CORS.
 *
 *   GET /                                the page (HTML); /dashboard.js, /dashboard.css its assets
 *   GET /api/config                      { refreshIntervalMs }
 *   GET /api/live                        LiveView (fleet-wide live metrics); 502 with a reason
 *                                        when the analytics API does not answer
 *   GET /api/devices/:deviceId/series    DeviceSeries (recent windows of one device); 400 for a
 *                                        bad device id
 *   GET /healthz                         liveness
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import { DEVICE_ID_PATTERN } from '../shared/event-limits';
import { DEVICE_PATH_ROUTER_OPTIONS, quietRequestLogs } from '../shared/http';
import type { DeviceSeries, LiveView } from './view';

/** Where the dashboard's figures come from (the analytics API; a fake in tests). */
export interface DashboardSource {
  live(): Promise<LiveView>;
  deviceSeries(deviceId: string): Promise<DeviceSeries>;
}

export interface DashboardServerOptions {
  source: DashboardSource;
  refreshIntervalMs: number;
  /** Viewers polling within this share one call to the source. */
  liveCacheMs: number;
  logger: Logger;
  now?: () => number;
}

const PUBLIC_DIR = join(__dirname, 'public');
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
};

/** Everything from this origin, nothing from anywhere else. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export class SourceError extends Error {
  override name = 'SourceError';
}

export function buildDashboardServer(options: DashboardServerOptions) {
  const now = options.now ?? Date.now;
  const assets = new Map(Object.entries(ASSETS).map(([path, a]) => [path, { body: readFileSync(join(PUBLIC_DIR, a.file)), type: a.type }]));
  let cached: { at: number; view: Promise<LiveView> } | undefined;

  const app = Fastify({ loggerInstance: options.logger, logController: quietRequestLogs(), routerOptions: DEVICE_PATH_ROUTER_OPTIONS });

  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  for (const [path, asset] of assets) {
    app.get(path, async (_request, reply) => reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body));
  }

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/api/config', async () => ({ refreshIntervalMs: options.refreshIntervalMs }));

  app.get('/api/live', async (request, reply) => {
    const t = now();
    // One call in flight or fresh within liveCacheMs serves every viewer.
    if (!cached || t - cached.at >= options.liveCacheMs) {
      const view = options.source.live();
      cached = { at: t, view };
      view.catch(() => {
        if (cached?.view === view) cached = undefined;
      });
    }
    try {
      return reply.header('cache-control', 'no-store').send(await cached.view);
    } catch (err) {
      request.log.warn({ err: (err as Error).message }, 'analytics live metrics unavailable');
      return reply.code(502).send({ error: `analytics API: ${(err as Error).message.split('\n')[0]}` });
    }
  });

  app.get<{ Params: { deviceId: string } }>('/api/devices/:deviceId/series', async (request, reply) => {
    const { deviceId } = request.params;
    if (!DEVICE_ID_PATTERN.test(deviceId)) {
      return reply.code(400).send({ error: `deviceId: must match ${DEVICE_ID_PATTERN.source}` });
    }
    try {
      return reply.header('cache-control', 'no-store').send(await options.source.deviceSeries(deviceId));
    } catch (err) {
      return reply.code(502).send({ error: `analytics API: ${(err as Error).message.split('\n')[0]}` });
    }
  });

  return app;
}
