/**
 * The ingest gateway's HTTP API (fastify).
 *
 *   POST /v1/events   one event (JSON object), a JSON array, or NDJSON
 *                     (Content-Type application/json | application/x-ndjson)
 *                     auth: `Authorization: Bearer <key>` or `x-api-key: <key>`
 *     200  every event published (Pub/Sub confirmed each message)
 *     207  some events rejected by validation, all valid ones published; per-item results
 *     400  body not JSON, or no valid event; reasons per item
 *     401  missing or unknown API key
 *     413  body over MAX_BODY_BYTES, or more than MAX_EVENTS_PER_REQUEST events
 *     415  unsupported Content-Type, a charset other than UTF-8, or a Content-Encoding (compressed body)
 *     429  MAX_IN_FLIGHT_EVENTS events already awaiting Pub/Sub (Retry-After: 1)
 *     202  (spill store configured) Pub/Sub did not confirm some events in PUBLISH_TIMEOUT_MS
 *          (or failed), and those were written durably to the spill store instead: status
 *          "spilled"; the spill replayer publishes them later, in order, with the same event
 *          ids. 202 only once every spill write is durable; rejected items may be listed too.
 *     503  some valid events were neither confirmed by Pub/Sub nor spilled; those items have
 *          status "failed" and the request can be retried as a whole (event ids make
 *          redelivery harmless downstream)
 *   GET /healthz      liveness, no auth
 *
 * Response body: { accepted, rejected, failed, spilled?, results: [{ index, eventId?, status, reason? }] }
 * with status "accepted" | "rejected" | "failed" | "spilled" (`spilled` count present when a
 * spill store is configured); errors: { error: "<one line>" }.
 */
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { validateEvent, type TelemetryEvent } from '../shared/event';
import { encodeMessagePayload, ATTR_EVENT_COUNT, ATTR_EVENT_ID } from '../shared/message';
import { quietRequestLogs } from '../shared/http';
import { ApiKeyVerifier } from './auth';
import { NDJSON_TYPES, parseJsonBody, parseNdjsonBody, type ParsedBody } from './body';
import type { OrderedPublisher } from './ordered-publisher';
import type { SpillStore } from '../shared/spill/spill-store';
import { SpillingPublisher, type OutboundMessage } from './spilling-publisher';

export interface IngestServerOptions {
  publisher: OrderedPublisher;
  apiKeyDigests: string[];
  eventsPerMessage: number;
  maxBodyBytes: number;
  maxEventsPerRequest: number;
  maxInFlightEvents: number;
  publishTimeoutMs: number;
  /** Where batches Pub/Sub did not confirm are written (absent: they fail with 503). */
  spillStore?: SpillStore;
  /** Limit on one spill write (default 10 s). */
  spillTimeoutMs?: number;
  logger: Logger;
  /** The receiving clock (tests pin it). */
  now?: () => number;
}

export interface ItemResult {
  index: number;
  eventId?: string;
  status: 'accepted' | 'rejected' | 'failed' | 'spilled';
  reason?: string;
}

export interface IngestResponse {
  accepted: number;
  rejected: number;
  failed: number;
  spilled?: number;
  results: ItemResult[];
}

/** Groups events by device (request order kept within a device) and cuts messages of `size`. */
export function packMessages(events: { index: number; event: TelemetryEvent }[], size: number) {
  const byDevice = new Map<string, { index: number; event: TelemetryEvent }[]>();
  for (const e of events) {
    const list = byDevice.get(e.event.deviceId);
    if (list) list.push(e);
    else byDevice.set(e.event.deviceId, [e]);
  }
  const messages: { deviceId: string; items: { index: number; event: TelemetryEvent }[] }[] = [];
  for (const [deviceId, list] of byDevice) {
    for (let i = 0; i < list.length; i += size) messages.push({ deviceId, items: list.slice(i, i + size) });
  }
  return messages;
}

export function buildIngestServer(options: IngestServerOptions) {
  const verifier = new ApiKeyVerifier(options.apiKeyDigests);
  const now = options.now ?? Date.now;
  const spilling = new SpillingPublisher(options.publisher, options.spillStore, options.logger, options.spillTimeoutMs);
  const withSpill = options.spillStore !== undefined;
  let inFlight = 0;
  // Resolved `graceMs` after beginShutdown: requests still waiting then answer 503 (retry).
  let cutOff: () => void = () => undefined;
  const shutdownCutoff = new Promise<void>((resolve) => (cutOff = resolve));

  let shuttingDown = false;

  const app = Fastify({ loggerInstance: options.logger, bodyLimit: options.maxBodyBytes, logController: quietRequestLogs() });
  // A request answered during shutdown closes its connection: close() only ends connections
  // idle when it is called, so a keep-alive client of a request still in flight then would hold
  // the server open for its keep-alive timeout (72 s) after the answer.
  app.addHook('onSend', async (_request, reply) => {
    if (shuttingDown) reply.header('connection', 'close');
  });
  // Only the types below; fastify's defaults (e.g. text/plain) would bypass the 415.
  app.removeAllContentTypeParsers();

  // Bytes, decoded strictly: a string parser would turn invalid UTF-8 into U+FFFD and store
  // text the device never sent.
  const asBytes = { parseAs: 'buffer' as const };
  const decode = (kind: 'json' | 'ndjson') => (_req: unknown, body: string | Buffer, done: (err: Error | null, value?: unknown) => void) => {
    try {
      done(null, { kind, text: STRICT_UTF8.decode(body as Buffer) });
    } catch {
      done(Object.assign(new Error('not valid UTF-8 (send the events as UTF-8 JSON)'), { statusCode: 400 }));
    }
  };
  app.addContentTypeParser('application/json', asBytes, decode('json'));
  app.addContentTypeParser(NDJSON_TYPES, asBytes, decode('ndjson'));

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({ error: `body exceeds MAX_BODY_BYTES ${options.maxBodyBytes}` });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.statusCode === 415) {
      return reply.code(415).send({
        error: `Content-Type ${request.headers['content-type'] ?? '(none)'} not supported; use application/json or application/x-ndjson`,
      });
    }
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.statusCode === 400) {
      return reply.code(400).send({ error: `body: ${err.message}` });
    }
    request.log.error({ err }, 'ingest request failed');
    return reply.code(500).send({ error: 'internal error' });
  });

  app.get('/healthz', async () => ({
    status: 'ok',
    inFlightEvents: inFlight,
    activeOrderingKeys: options.publisher.activeKeys,
    ...(withSpill ? { spill: { store: options.spillStore!.kind, devicesAwaitingReplay: spilling.pendingDevices, ...spilling.stats } } : {}),
  }));

  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no such endpoint: ${request.method} ${request.url.split('?')[0]}` }));

  // Authenticate before the body is read. A hook of the route itself, not a check of the raw
  // URL: the router decodes percent-escapes, so /v1/%65vents reaches this handler too.
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!verifier.verify(ApiKeyVerifier.presentedKey(request.headers))) {
      reply.header('www-authenticate', 'Bearer realm="ingest"');
      return reply.code(401).send({ error: 'missing or invalid API key (send Authorization: Bearer <key> or x-api-key)' });
    }
  };

  // The body is read as UTF-8 text, uncompressed: anything else would be misread (or fail as
  // "not valid JSON"), so it is refused by name before the body is read.
  const plainUtf8Only = async (request: FastifyRequest, reply: FastifyReply) => {
    const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== '' && encoding !== 'identity') {
      return reply.code(415).send({ error: `Content-Encoding ${encoding} not supported; send the body uncompressed` });
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(request.headers['content-type'] ?? '')?.[1].toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return reply.code(415).send({ error: `Content-Type charset ${charset} not supported; use utf-8` });
    }
  };

  app.post('/v1/events', { onRequest: [authenticate, plainUtf8Only] }, async (request, reply) => {
    const body = request.body as { kind: 'json' | 'ndjson'; text: string } | undefined;
    if (!body || typeof body.text !== 'string') {
      return reply.code(415).send({ error: 'Content-Type required: application/json or application/x-ndjson' });
    }
    const parsed: ParsedBody = body.kind === 'json' ? parseJsonBody(body.text) : parseNdjsonBody(body.text);
    if (!parsed.ok) return reply.code(400).send({ error: parsed.reason });
    if (parsed.items.length > options.maxEventsPerRequest) {
      return reply.code(413).send({ error: `batch of ${parsed.items.length} events exceeds MAX_EVENTS_PER_REQUEST ${options.maxEventsPerRequest}` });
    }

    const clock = now();
    const results: ItemResult[] = [];
    const valid: { index: number; event: TelemetryEvent }[] = [];
    // An event id names one event of its device: a repeat in the same request is either the
    // same event twice or, with another time, a second events row the aggregates (one cell per
    // id) would count once. Across requests a retry resends the same event and rewrites its rows.
    const firstIndexOf = new Map<string, number>();
    parsed.items.forEach((item, index) => {
      if ('parseError' in item) {
        results[index] = { index, status: 'rejected', reason: item.parseError };
        return;
      }
      const verdict = validateEvent(item.raw, { nowMs: clock });
      if (verdict.ok) {
        const { deviceId, eventId } = verdict.event;
        const first = firstIndexOf.get(`${deviceId}#${eventId}`);
        if (first !== undefined) {
          results[index] = { index, eventId, status: 'rejected', reason: `eventId: duplicate of index ${first} (same device and event id in one request)` };
          return;
        }
        firstIndexOf.set(`${deviceId}#${eventId}`, index);
        valid.push({ index, event: verdict.event });
        results[index] = { index, eventId: verdict.event.eventId, status: 'accepted' };
      } else {
        const eventId = typeof (item.raw as { eventId?: unknown })?.eventId === 'string' ? (item.raw as { eventId: string }).eventId : undefined;
        results[index] = { index, ...(eventId !== undefined ? { eventId } : {}), status: 'rejected', reason: verdict.reason };
      }
    });

    if (valid.length === 0) return reply.code(400).send(summarize(results, withSpill));
    if (inFlight + valid.length > options.maxInFlightEvents) {
      reply.header('retry-after', '1');
      return reply.code(429).send({
        error: `gateway busy: ${inFlight} events awaiting Pub/Sub, this request adds ${valid.length} (MAX_IN_FLIGHT_EVENTS ${options.maxInFlightEvents})`,
      });
    }

    inFlight += valid.length;
    {
      const byDevice = new Map<string, { items: { index: number; event: TelemetryEvent }[]; message: OutboundMessage }[]>();
      for (const m of packMessages(valid, options.eventsPerMessage)) {
        const events = m.items.map((i) => i.event);
        const message = {
          data: Buffer.from(encodeMessagePayload(events), 'utf8'),
          attributes: { [ATTR_EVENT_ID]: events[0].eventId, [ATTR_EVENT_COUNT]: String(events.length) },
        };
        const list = byDevice.get(m.deviceId);
        if (list) list.push({ items: m.items, message });
        else byDevice.set(m.deviceId, [{ items: m.items, message }]);
      }
      const unsettled = new Set(byDevice.keys());
      const sending = Promise.all(
        [...byDevice].map(async ([deviceId, messages]) => {
          const outcomes = await spilling.send(deviceId, messages.map((m) => m.message), options.publishTimeoutMs);
          outcomes.forEach((outcome, k) => {
            if (outcome.status === 'published') return;
            for (const i of messages[k].items) {
              results[i.index] =
                outcome.status === 'spilled'
                  ? { index: i.index, eventId: i.event.eventId, status: 'spilled' }
                  : { index: i.index, eventId: i.event.eventId, status: 'failed', reason: outcome.reason };
            }
          });
          unsettled.delete(deviceId);
        }),
      ).finally(() => (inFlight -= valid.length));
      const finished = await Promise.race([sending.then(() => true), shutdownCutoff.then(() => false)]);
      // Shutting down: what Pub/Sub has not confirmed yet is answered as failed, so the client
      // retries (elsewhere) instead of losing its connection at SIGKILL; a publish that still
      // lands later is a duplicate the event id makes harmless.
      if (!finished) {
        for (const deviceId of unsettled) {
          for (const m of byDevice.get(deviceId)!) {
            for (const i of m.items) results[i.index] = { index: i.index, eventId: i.event.eventId, status: 'failed', reason: SHUTDOWN_REASON };
          }
        }
      }
    }

    const response = summarize(results, withSpill);
    if (response.failed > 0) {
      request.log.warn({ failed: response.failed, accepted: response.accepted, spilled: response.spilled }, 'publish not confirmed for some events');
      reply.header('retry-after', '1');
      return reply.code(503).send(response);
    }
    if (response.spilled) return reply.code(202).send(response);
    return reply.code(response.rejected > 0 ? 207 : 200).send(response);
  });

  return Object.assign(app, {
    inFlightEvents: () => inFlight,
    spilling,
    /** Requests still waiting for Pub/Sub `graceMs` from now are answered 503 then (call before close()). */
    beginShutdown(graceMs: number): void {
      shuttingDown = true;
      setTimeout(cutOff, graceMs).unref();
    },
  });
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

const SHUTDOWN_REASON = 'not confirmed: the gateway is shutting down before Pub/Sub confirmed the publish; retry the request';

function summarize(results: ItemResult[], withSpill: boolean): IngestResponse {
  const count = { accepted: 0, rejected: 0, failed: 0, spilled: 0 };
  for (const r of results) count[r.status]++;
  const { accepted, rejected, failed, spilled } = count;
  return withSpill ? { accepted, rejected, failed, spilled, results } : { accepted, rejected, failed, results };
}
