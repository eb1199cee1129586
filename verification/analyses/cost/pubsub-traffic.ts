/** Event rate through a Pub/Sub topic, from usage, the workload, or a stated assumption. */
import type { Resource } from '../../graph/types';
import { oncePerResource, type AnalysisContext } from '../context';
import { formatNumber } from '../number-format';

export type TopicRate =
  | { known: true; averageEps: number; expectedEps: number; basis: string; warning?: string }
  | { known: false; reason: string };

/** Read by the topic's model and by each of its subscriptions' models: computed once. */
export const topicRate = oncePerResource(function topicRate(ctx: AnalysisContext, topic: Resource): TopicRate {
  const override = ctx.usageOf(topic.address).eventsPerSecond;
  if (override !== undefined) return { known: true, averageEps: override, expectedEps: override, basis: `usage file: ${override} events/s` };
  if (ctx.topology.isDeadLetterTopic(topic)) {
    return {
      known: true,
      averageEps: 0,
      expectedEps: 0,
      basis: 'dead-letter topic: 0 events/s assumed (poison messages only)',
      warning: `${topic.address}: dead-letter volume assumed 0 events/s; set eventsPerSecond in the usage file if poison messages are expected`,
    };
  }
  if (ctx.topology.isSourceTopic(topic) || ctx.topology.services('ingest-gateway').some((g) => ctx.topology.refersTo(g, topic))) {
    const t = ctx.traffic;
    return {
      known: true,
      averageEps: t.averageEps,
      expectedEps: t.expectedEps,
      basis: `workload: ${t.averageEps} events/s average, ${fmtEps(t.expectedEps)} events/s with bursts`,
    };
  }
  return { known: false, reason: `${topic.address}: no publisher or subscriber on the event path, so its traffic is unknown; set eventsPerSecond in the usage file` };
});

function fmtEps(x: number): string {
  return formatNumber(x, 1);
}

/** GiB a month Pub/Sub bills for a rate of events (per-request minimum applied). */
export function billableGiBPerMonth(ctx: AnalysisContext, eventsPerSecond: number): number {
  const t = ctx.traffic;
  const messagesPerSecond = eventsPerSecond / t.eventsPerMessage;
  return (messagesPerSecond * t.billableBytesPerMessage * t.secondsPerMonth) / ctx.data.bytesPerGiB;
}

/** GiB of messages held for `seconds` of retention at a rate of events. */
export function retainedGiB(ctx: AnalysisContext, eventsPerSecond: number, seconds: number): number {
  return (eventsPerSecond * ctx.traffic.eventBytes * seconds) / ctx.data.bytesPerGiB;
}
