/**
 * no_data_loss: Google's Pub/Sub-to-BigQuery templates write one row per Pub/Sub message
 * (the UDF maps one message to one row or filters it). If the gateway packs several events
 * into a message, the archive cannot store them as events: the UDF dead-letters the batch
 * or the table gets one malformed row per batch.
 */
import type { Finding, Rule } from '../engine/types';
import { isPending } from '../graph/types';
import { buildTopology } from '../analyses/topology';
import { containerEnv, stringLeaves } from '../analyses/attributes';

const ONE_ROW_PER_MESSAGE_TEMPLATES = /PubSub_(Subscription_)?to_BigQuery/i;
const EVENTS_PER_MESSAGE_ENV = 'EVENTS_PER_MESSAGE';

export const rule: Rule = {
  id: 'archive-one-event-per-message',
  title: 'The archive template receives one event per Pub/Sub message',
  severity: 'error',
  specItem: 'no_data_loss',
  reads: ['google_dataflow_job', 'google_cloud_run_v2_service'],
  rationale:
    'The Pub/Sub to BigQuery templates turn one message into one row; batching events per message (cheaper requests, faster emulators) is only safe when every archive consumer splits batches. The gateway\'s EVENTS_PER_MESSAGE, or else the spec workload\'s eventsPerMessage, must be 1 while such a template archives the topic.',
  check(ctx) {
    const topo = buildTopology(ctx.graph, ctx.model);
    const jobs = topo.dataflowJobs.filter((j) => stringLeaves(j.values.template_gcs_path).some((p) => ONE_ROW_PER_MESSAGE_TEMPLATES.test(p)));
    if (jobs.length === 0) return [{ status: 'pass', observed: 'no one-row-per-message archive template', expected: 'n/a', message: 'no Pub/Sub-to-BigQuery template job archives the stream, so batching is not constrained by it' }];
    const gateways = topo.services('ingest-gateway');
    const declared = gateways.map((g) => ({ g, v: containerEnv(g).get(EVENTS_PER_MESSAGE_ENV) })).filter((x) => x.v !== undefined);
    const findings: Finding[] = [];
    for (const job of jobs) {
      if (declared.length === 0) {
        const n = ctx.spec.workload.eventsPerMessage;
        findings.push(verdict(job.address, n, `spec workload eventsPerMessage ${n}`));
        continue;
      }
      for (const { g, v } of declared) {
        if (v === null || isPending(v)) {
          findings.push({ status: 'unknown', address: g.address, observed: `${EVENTS_PER_MESSAGE_ENV} pending`, expected: '1', message: `${g.address}: ${EVENTS_PER_MESSAGE_ENV} is known only after apply, so whether ${job.address} can archive every event is unknown`, fix: `write ${EVENTS_PER_MESSAGE_ENV} = "1" as a literal` });
          continue;
        }
        findings.push(verdict(g.address, Number(v), `${EVENTS_PER_MESSAGE_ENV}=${String(v)} on ${g.address}, archived by ${job.address}`));
      }
    }
    return findings;
  },
};

function verdict(address: string, eventsPerMessage: number, observed: string): Finding {
  const ok = eventsPerMessage === 1;
  const finding: Finding = {
    status: Number.isFinite(eventsPerMessage) ? (ok ? 'pass' : 'fail') : 'unknown',
    address,
    observed,
    expected: '1 event per message',
    message: ok
      ? `${address}: one event per message, so the template archives every event as its own row`
      : `${address}: ${eventsPerMessage} events per message, but the archive template writes one row per message: batched events would be dead-lettered instead of archived`,
  };
  if (!ok) finding.fix = `publish one event per message (${EVENTS_PER_MESSAGE_ENV}=1), or archive with a pipeline that splits batches`;
  return finding;
}
