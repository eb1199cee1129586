/**
 * Traffic derived from the spec's workload: the rates, sizes and batching every model
 * prices or sizes from. Burst share weights the month: `burstsPerDay x burstDuration` of
 * each day runs at the burst rate, the rest at the average.
 */
import type { Spec } from '../spec/spec';
import { SECONDS_PER_DAY, type VerifierData } from '../data';

export interface Traffic {
  averageEps: number;
  burstEps: number;
  /** Fraction of the month spent in bursts. */
  burstShare: number;
  /** Time-weighted mean events/s over a month (bursts included). */
  expectedEps: number;
  eventBytes: number;
  eventsPerMessage: number;
  messageBytes: number;
  /** Bytes Pub/Sub bills for one message before the per-request minimum: data + attributes + timestamp + message id. */
  billedMessageBytes: number;
  /** What is billed per message beyond the data, in words (for cost lines). */
  billedOverheadBasis: string;
  /** Messages the gateway puts in one publish request (events of one ingest request). */
  messagesPerPublishRequest: number;
  /** Bytes Pub/Sub bills per message once the per-request minimum is applied. */
  billableBytesPerMessage: number;
  secondsPerMonth: number;
}

export function deriveTraffic(spec: Spec, data: VerifierData): Traffic {
  const w = spec.workload;
  const burstShare = Math.min(1, (w.burstsPerDay * w.burstDurationSeconds) / SECONDS_PER_DAY);
  const eventsPerMessage = Math.max(1, w.eventsPerMessage);
  const messageBytes = w.eventSizeBytes * eventsPerMessage;
  const maxPerRequest = data.limit('pubsub.max-messages-per-publish-request').value;
  const messagesPerPublishRequest = Math.min(maxPerRequest, Math.max(1, Math.floor(w.eventsPerIngestRequest / eventsPerMessage)));
  const minimum = data.price('pubsub.minimum-billable-bytes', '*')!.value;
  // Pub/Sub bills each message's data plus its attributes, a 20-byte timestamp and the
  // message id string (pricing page); the spec states the attribute bytes the gateway sets.
  const attributeBytes = w.attributeBytesPerMessage ?? 0;
  const timestampBytes = data.price('pubsub.billed-timestamp-bytes', '*')!.value;
  const messageIdBytes = data.price('pubsub.billed-message-id-bytes', '*')!.value;
  const billedMessageBytes = messageBytes + attributeBytes + timestampBytes + messageIdBytes;
  const billedOverheadBasis = `${messageBytes} B data + ${attributeBytes} B attributes + ${timestampBytes} B timestamp + ${messageIdBytes} B message id = ${billedMessageBytes} B`;
  // The minimum applies per request: a request of n messages bills max(minimum, n x size).
  const billableBytesPerMessage = Math.max(minimum, messagesPerPublishRequest * billedMessageBytes) / messagesPerPublishRequest;
  return {
    averageEps: w.averageEventsPerSecond,
    burstEps: w.burstEventsPerSecond,
    burstShare,
    expectedEps: w.averageEventsPerSecond * (1 - burstShare) + w.burstEventsPerSecond * burstShare,
    eventBytes: w.eventSizeBytes,
    eventsPerMessage,
    messageBytes,
    billedMessageBytes,
    billedOverheadBasis,
    messagesPerPublishRequest,
    billableBytesPerMessage,
    secondsPerMonth: data.secondsPerMonth,
  };
}

/** Time-weighted mean of a quantity that takes `atAverage` outside bursts and `atBurst` during them. */
export function monthMean(traffic: Traffic, atAverage: number, atBurst: number): number {
  return atAverage * (1 - traffic.burstShare) + atBurst * traffic.burstShare;
}
