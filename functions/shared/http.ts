/** Fastify settings the HTTP services share. */
import { LogController } from 'fastify';

/** No per-request access logs (at thousands of requests/s they would drown the signal). */
export function quietRequestLogs(): LogController {
  return new LogController({ disableRequestLogging: true });
}
