/** Fastify settings the HTTP services share. */
import { LogController } from 'fastify';

/** No per-request access logs (at thousands of requests/s they would drown the signal). */
export function quietRequestLogs(): LogController {
  return new LogController({ disableRequestLogging: true });
}

/**
 * Router options for services with a device id in the path: ids are up to 128 characters
 * (DEVICE_ID_PATTERN) and may arrive percent-encoded (3 characters each); Fastify's default
 * maxParamLength of 100 answered 414 for valid ids. Longer input still gets 414.
 */
export const DEVICE_PATH_ROUTER_OPTIONS = { maxParamLength: 128 * 3 };
