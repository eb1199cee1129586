/**
 * The limits of the event contract, one constant each, so gateway responses, tests and docs
 * name the same numbers. Patterns are written without ES2015 regex features (no `u`/`y`
 * flags, no lookbehind, no named groups) because the archive UDF runs them on Nashorn (ES5.1).
 */

/** Device ids lead every Bigtable row key; `#` is the key separator, so it is excluded. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** Event ids end event row keys and are the column qualifier of aggregate contributions. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const EVENT_TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** Metric names become Bigtable qualifiers and BigQuery values; keep them identifier-like. */
export const METRIC_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const ATTRIBUTE_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** At least one metric: a telemetry event carries measurements; the hourly views count by metric. */
export const MIN_METRICS = 1;
export const MAX_METRICS = 64;
export const MAX_ATTRIBUTES = 16;
/** UTF-16 code units (JavaScript string length) of one attribute value. */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 256;
/**
 * UTF-8 size of one event AS PUBLISHED (its canonical wire JSON, see toWireEvent): the form the
 * processor and the archive check again, so all of them measure the same bytes.
 */
export const MAX_EVENT_BYTES = 8 * 1024;

/**
 * Containers (objects/arrays) nested inside one event, the event itself being level 1. A valid
 * event needs 2 (metrics, attributes); the rule stops pathological input before anything
 * recursive (JSON.stringify, a dead-letter payload) touches it. Above 2 so that a wrong value
 * a few levels deep still gets the reason of its field.
 */
export const MAX_NESTING_DEPTH = 16;

/** How far into the future an event time may lie, against the receiving clock. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/**
 * Downstream (processor) the future bound is checked against the message's publish time plus
 * this margin: publishing follows the gateway's check, but Pub/Sub's clock may trail the
 * gateway's by a little, and an event the gateway accepted must never be dead-lettered.
 */
export const PUBLISH_CLOCK_MARGIN_MS = 60 * 1000;
/** How old an event may be when first received (Pub/Sub keeps unacked messages 7 days). */
export const MAX_EVENT_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** Epoch-millisecond event times must lie in this range (years 2000..2100). */
export const MIN_EPOCH_MS = 946684800000;
export const MAX_EPOCH_MS = 4102444800000;

/** Top-level fields of the contract; anything else is rejected so no data is silently dropped. */
export const EVENT_FIELDS = ['eventId', 'deviceId', 'type', 'eventTime', 'metrics', 'attributes'];
