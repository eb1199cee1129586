/**
 * google_pubsub_topic: publish throughput ($/TiB, 1,000-byte minimum per request) and the
 * storage of topic message retention ($/GiB-month). The 10 GiB monthly free tier is not
 * deducted (under $0.40).
 */
import { durationSeconds } from '../attributes';
import { readAttr } from '../../graph/values';
import { costLine, fmt, range, unitPrice, type PriceModel } from './types';
import { billableGiBPerMonth, retainedGiB, topicRate } from './pubsub-traffic';

export const pubsubTopicModel: PriceModel = {
  types: ['google_pubsub_topic'],
  price(topic, ctx, _state, out) {
    const rate = topicRate(ctx, topic);
    if (!rate.known) return void out.unpriced.push(rate.reason);
    const throughput = ctx.data.price('pubsub.throughput', '*')!;
    const storage = ctx.data.price('pubsub.retained-storage', '*')!;
    const minBytes = ctx.data.price('pubsub.minimum-billable-bytes', '*')!;
    const tib = ctx.data.gibPerTiB;
    const gibAvg = billableGiBPerMonth(ctx, rate.averageEps);
    const gibExp = billableGiBPerMonth(ctx, rate.expectedEps);
    const t = ctx.traffic;
    out.lines.push(
      costLine(
        ctx,
        topic,
        'publish throughput',
        range((gibAvg / tib) * throughput.value, (gibExp / tib) * throughput.value, (gibExp / tib) * throughput.value),
        `${rate.basis}; per message ${t.billedOverheadBasis}; ${t.messagesPerPublishRequest} msg/request (min ${minBytes.value} B/request) = ${fmt(t.billableBytesPerMessage)} B billed/msg; ${fmt(gibExp / tib)} TiB/month x ${unitPrice(throughput)}/TiB`,
        [throughput, minBytes, ctx.data.price('pubsub.billed-timestamp-bytes', '*')!, ctx.data.price('pubsub.billed-message-id-bytes', '*')!],
        'global',
      ),
    );
    if (rate.warning) out.warnings.push(rate.warning);
    const retention = durationSeconds(readAttr(topic, 'message_retention_duration'));
    if (retention === null) return void out.unpriced.push(`${topic.address}: message_retention_duration is pending, so retention storage is unknown`);
    if (retention !== undefined && retention > 0) {
      const gAvg = retainedGiB(ctx, rate.averageEps, retention);
      const gExp = retainedGiB(ctx, rate.expectedEps, retention);
      out.lines.push(
        costLine(
          ctx,
          topic,
          'topic retention storage',
          range(gAvg * storage.value, gExp * storage.value, gExp * storage.value),
          `${fmt(rate.expectedEps)} events/s x ${t.eventBytes} B x ${retention} s retained = ${fmt(gExp)} GiB x ${unitPrice(storage)}/GiB-month`,
          [storage],
          'global',
        ),
      );
    }
  },
};
