/**
 * The simulated devices' events, as the JSON text they post. Valid events are padded with an
 * attribute to the requested serialized size; invalid ones each break one rule of the event
 * contract on purpose, so the run can check the gateway rejects exactly those.
 */
const PAD_ATTRIBUTE_MAX = 256; // MAX_ATTRIBUTE_VALUE_LENGTH in functions/shared/event-limits.ts
const MAX_PAD_ATTRIBUTES = 15; // MAX_ATTRIBUTES 16, one left for `site`

/** Ids as the fleet writes them: `<runTag>.d<device>.<seq>`; devices `<runTag>-d<device>`. */
export function deviceIdOf(runTag: string, device: number): string {
  return `${runTag}-d${device}`;
}

export function eventIdOf(runTag: string, device: number, seq: number): string {
  return `${runTag}.d${device}.${seq}`;
}

/** Parses an event id back to (device, seq); undefined for ids the fleet did not write. */
export function parseEventId(runTag: string, eventId: string): { device: number; seq: number } | undefined {
  const prefix = `${runTag}.d`;
  if (!eventId.startsWith(prefix)) return undefined;
  const rest = eventId.slice(prefix.length);
  const dot = rest.indexOf('.');
  if (dot <= 0) return undefined;
  const device = Number(rest.slice(0, dot));
  const seq = Number(rest.slice(dot + 1));
  return Number.isInteger(device) && Number.isInteger(seq) ? { device, seq } : undefined;
}

/** Deterministic metric values, so a failed read-back can be compared field by field. */
export function metricsOf(device: number, seq: number): { temperature: number; humidity: number } {
  return { temperature: 15 + ((device * 7 + seq) % 200) / 10, humidity: 30 + ((device * 13 + seq * 3) % 400) / 10 };
}

/**
 * A valid event of about `targetBytes` (never less than the unpadded event). Padding goes into
 * attributes `p0`..`p14` of up to 256 characters, within the contract's limits.
 */
export function validEventJson(runTag: string, device: number, seq: number, eventTimeMs: number, targetBytes: number): string {
  const m = metricsOf(device, seq);
  const head =
    `{"eventId":"${eventIdOf(runTag, device, seq)}","deviceId":"${deviceIdOf(runTag, device)}","type":"telemetry",` +
    // The time as the gateway publishes it (ISO-8601), so the event's size as sent is its size
    // as published, the size the spec's workload bills and the contract's limit applies to.
    `"eventTime":"${new Date(eventTimeMs).toISOString()}","metrics":{"temperature":${m.temperature},"humidity":${m.humidity},"seq":${seq}},"attributes":{"site":"local"`;
  let missing = targetBytes - head.length - 2;
  let attrs = '';
  for (let i = 0; i < MAX_PAD_ATTRIBUTES && missing > 0; i++) {
    const overhead = `,"p${i}":""`.length;
    const len = Math.min(PAD_ATTRIBUTE_MAX, Math.max(0, missing - overhead));
    attrs += `,"p${i}":"${'x'.repeat(len)}"`;
    missing -= overhead + len;
  }
  return `${head}${attrs}}}`;
}

/** The largest size the padding reaches for any ids (computed with the shortest; longer ids reach further). */
export const MAX_FLEET_EVENT_BYTES = Buffer.byteLength(validEventJson('r', 0, 0, Date.UTC(2026, 0, 1), Number.MAX_SAFE_INTEGER));

/** The contract rules broken on purpose, one per invalid event in rotation. */
export const INVALID_KINDS = ['bad-device-id', 'missing-metrics', 'non-numeric-metric', 'unknown-field', 'time-in-seconds'] as const;
export type InvalidKind = (typeof INVALID_KINDS)[number];

export function invalidEventId(runTag: string, n: number): string {
  return `${runTag}.bad.${n}`;
}

export function invalidEventJson(runTag: string, device: number, n: number, eventTimeMs: number): { kind: InvalidKind; json: string } {
  const kind = INVALID_KINDS[n % INVALID_KINDS.length];
  const id = invalidEventId(runTag, n);
  const dev = deviceIdOf(runTag, device);
  const base = (fields: string) => `{"eventId":"${id}",${fields}}`;
  switch (kind) {
    case 'bad-device-id':
      return { kind, json: base(`"deviceId":"${dev}#bad","type":"telemetry","eventTime":${eventTimeMs},"metrics":{"temperature":1}`) };
    case 'missing-metrics':
      return { kind, json: base(`"deviceId":"${dev}","type":"telemetry","eventTime":${eventTimeMs}`) };
    case 'non-numeric-metric':
      return { kind, json: base(`"deviceId":"${dev}","type":"telemetry","eventTime":${eventTimeMs},"metrics":{"temperature":"hot"}`) };
    case 'unknown-field':
      return { kind, json: base(`"deviceId":"${dev}","type":"telemetry","eventTime":${eventTimeMs},"metrics":{"temperature":1},"priority":"high"`) };
    case 'time-in-seconds':
      return { kind, json: base(`"deviceId":"${dev}","type":"telemetry","eventTime":${Math.floor(eventTimeMs / 1000)},"metrics":{"temperature":1}`) };
  }
}
