/**
 * google_pubsub_subscription: every delivery is billed again as throughput ($40/TiB; BigQuery
 * and Cloud Storage subscriptions at their own rate), plus retained acknowledged messages.
 */
import { bool, durationSeconds, unsetOr } from '../attributes';
import { readAttr } from '../../graph/values';
import { costLine, fmt, range, unitPrice, type PriceModel } from './types';
import { billableGiBPerMonth, retainedGiB, topicRate } from './pubsub-traffic';

export const pubsubSubscriptionModel: PriceModel = {
  types: ['google_pubsub_subscription'],
  price(sub, ctx, _state, out) {
    const topic = ctx.topology.topicOf(sub);
    const override = ctx.usageOf(sub.address).eventsPerSecond;
    let averageEps: number;
    let expectedEps: number;
    let basis: string;
    if (override !== undefined) {
      averageEps = expectedEps = override;
      basis = `usage file: ${override} events/s`;
    } else if (topic) {
      const rate = topicRate(ctx, topic);
      if (!rate.known) return void out.unpriced.push(`${sub.address}: ${rate.reason}`);
      ({ averageEps, expectedEps, basis } = rate);
    } else {
      return void out.unpriced.push(`${sub.address}: its topic is not in the graph, so its delivery volume is unknown; set eventsPerSecond in the usage file`);
    }
    const toStorage = readAttr(sub, 'bigquery_config') !== undefined || readAttr(sub, 'cloud_storage_config') !== undefined;
    const price = ctx.data.price(toStorage ? 'pubsub.bigquery-subscription-delivery' : 'pubsub.throughput', '*')!;
    const tib = ctx.data.gibPerTiB;
    const gibAvg = billableGiBPerMonth(ctx, averageEps);
    const gibExp = billableGiBPerMonth(ctx, expectedEps);
    out.lines.push(
      costLine(
        ctx,
        sub,
        toStorage ? 'delivery to BigQuery/Cloud Storage' : 'delivery throughput',
        range((gibAvg / tib) * price.value, (gibExp / tib) * price.value, (gibExp / tib) * price.value),
        `${basis}; ${fmt(gibExp / tib)} TiB/month delivered x ${unitPrice(price)}/TiB`,
        [price],
        'global',
      ),
    );
    const retainAcked = bool(sub, 'retain_acked_messages');
    if (retainAcked === null) return void out.unpriced.push(`${sub.address}: retain_acked_messages is pending`);
    if (retainAcked) {
      const retention = unsetOr(durationSeconds(readAttr(sub, 'message_retention_duration')), ctx.data.limit('pubsub.subscription-retention-default-seconds').value);
      if (retention === null) return void out.unpriced.push(`${sub.address}: message_retention_duration is pending`);
      const storage = ctx.data.price('pubsub.retained-storage', '*')!;
      const gExp = retainedGiB(ctx, expectedEps, retention);
      const gAvg = retainedGiB(ctx, averageEps, retention);
      out.lines.push(
        costLine(
          ctx,
          sub,
          'retained acknowledged messages',
          range(gAvg * storage.value, gExp * storage.value, gExp * storage.value),
          `${fmt(expectedEps)} events/s x ${ctx.traffic.eventBytes} B x ${retention} s = ${fmt(gExp)} GiB x ${unitPrice(storage)}/GiB-month`,
          [storage],
          'global',
        ),
      );
    }
  },
};
