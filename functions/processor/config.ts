import { z } from 'zod';
import { FLEET_ID_PATTERN } from '../shared/fleet-snapshot';
import { bigtableSchema, googleProjectSchema, loadConfig, nonNegativeInt, port, positiveInt, requiredName, windowSchema } from '../shared/config';

export const processorConfigSchema = googleProjectSchema
  .extend(bigtableSchema.shape)
  .extend(windowSchema.shape)
  .extend({
    SPEED_SUBSCRIPTION: requiredName.default('telemetry-speed-layer'),
    DEAD_LETTER_TOPIC: requiredName.default('telemetry-dead-letter'),
    /** How far behind the watermark an event may arrive and still be aggregated. */
    ALLOWED_LATENESS_SECONDS: nonNegativeInt(60),
    PORT: port(8080),
    /**
     * Streaming-pull flow control: leased but unacked messages and bytes. Sized to the latency
     * target, not to memory: what is leased waits in this process, so a large lease turns a
     * backlog into receive->durable latency; beyond it the backlog waits in Pub/Sub, where it is
     * visible (and the watermark follows the processed input, so it costs no correctness).
     * 200 messages of 20 events = 4,000 events, 0.4 s at 10,000 events/s.
     */
    MAX_OUTSTANDING_MESSAGES: positiveInt(200),
    /**
     * The lease the client asks for on every message, seconds: the subscription's ack deadline
     * (the stacks set both from one value). Without exactly-once delivery the client would lease
     * for only 10 s, so an ack delayed past that (a loaded subscriber or server) lets Pub/Sub
     * redeliver the message and, with ordering, every later message of its key, acked or not.
     * Measured locally at 10,000 events/s: 72,000-92,000 redeliveries in a 30 s run at 10 s, 0 at 60 s.
     */
    ACK_DEADLINE_SECONDS: positiveInt(60),
    /**
     * Message ids this process made durable and acked, remembered so a redelivery (Pub/Sub is
     * at-least-once; an ordered key is redelivered from its first unacked message on) is acked
     * again without rewriting. Only a shortcut: the writes are idempotent either way.
     */
    ACKED_IDS_REMEMBERED: nonNegativeInt(200_000),
    /** Acks are sent in batches at least this often (the client's default is 100 ms). */
    ACK_MAX_DELAY_MS: positiveInt(10),
    MAX_OUTSTANDING_BYTES: positiveInt(64 * 1024 * 1024),
    WRITE_BATCH_MAX_EVENTS: positiveInt(500),
    WRITE_BATCH_MAX_DELAY_MS: positiveInt(5),
    WRITE_MAX_CONCURRENT_BATCHES: positiveInt(4),
    /** Window passes (read panes + write windows) at once; they share the Bigtable channel with event writes. */
    WINDOW_MAX_CONCURRENT_PASSES: positiveInt(4),
    /** A batch not durable (and dead-lettered) within this is nacked for redelivery. */
    BATCH_DEADLINE_MS: positiveInt(15000),
    /** How often this instance writes its snapshot to the fleet table (GET /v1/fleet/live merges them). */
    FLEET_METRICS_SECONDS: positiveInt(2),
    /** This instance's region, as the fleet snapshot names it (the stacks set it per regional deployment). */
    SERVICE_REGION: z.string().regex(FLEET_ID_PATTERN, 'must be a region name such as us-central1').default('local'),
    /**
     * Warm standby: set, the instance starts without pulling and pulls only while the
     * subscription's oldest unacked message is older than this many seconds (Cloud Monitoring).
     * Unset: it pulls from the start.
     */
    STANDBY_BACKLOG_AGE_SECONDS: z.coerce.number().int().positive().optional(),
    /** How often a standby reads the backlog age. */
    STANDBY_POLL_SECONDS: positiveInt(30),
    /** A pulling standby stops after the age stayed at or below the threshold this long. */
    STANDBY_COOLDOWN_SECONDS: positiveInt(300),
  })
  .refine((c) => c.AGGREGATE_WINDOW_SECONDS % c.AGGREGATE_SLIDE_SECONDS === 0, {
    message: 'AGGREGATE_WINDOW_SECONDS must be a multiple of AGGREGATE_SLIDE_SECONDS',
    path: ['AGGREGATE_WINDOW_SECONDS'],
  })
  .refine((c) => c.STANDBY_BACKLOG_AGE_SECONDS === undefined || c.STANDBY_POLL_SECONDS <= c.STANDBY_COOLDOWN_SECONDS, {
    message: 'STANDBY_POLL_SECONDS must not exceed STANDBY_COOLDOWN_SECONDS (the cooldown is judged on polls)',
    path: ['STANDBY_POLL_SECONDS'],
  });

export type ProcessorConfig = z.infer<typeof processorConfigSchema>;

export function loadProcessorConfig(env: NodeJS.ProcessEnv = process.env): ProcessorConfig {
  return loadConfig(processorConfigSchema, env);
}
