/**
 * event_processed: a pull subscriber on Cloud Run receives no requests, so Cloud Run never
 * starts an instance for it from zero, and throttles its CPU between requests. A processor
 * with no warm instance, or with request-only CPU, leaves the subscription unread. A gated
 * standby (STANDBY_BACKLOG_AGE_SECONDS) needs the same warm instance to poll the backlog age,
 * and its service account must be allowed to read the metric (monitoring.timeSeries.list).
 */
import type { Finding, Rule } from '../engine/types';
import { buildTopology } from '../analyses/topology';
import type { Resource } from '../graph/types';
import { blocks, fieldBool, num } from '../analyses/attributes';
import { isGatedStandby, metricReaderGrant } from '../analyses/standby';

export const rule: Rule = {
  id: 'pull-consumer-always-on',
  title: 'Pull subscribers on Cloud Run keep an instance running with CPU always allocated',
  severity: 'error',
  specItem: 'event_processed',
  reads: ['google_cloud_run_v2_service', 'google_pubsub_subscription', 'google_project_iam_member', 'google_project_iam_binding'],
  rationale:
    'Cloud Run scales on requests and CPU; a streaming-pull subscriber gets no requests, so with min instances 0 nothing pulls until someone sends it traffic, and with CPU allocated only during requests its pull stream starves. Each regional processor needs min_instance_count >= 1 and cpu_idle = false. A gated standby (STANDBY_BACKLOG_AGE_SECONDS) pulls only once Cloud Monitoring shows the subscription\'s oldest unacked message older than the threshold: it needs the same warm instance to poll, and its service account needs a role with monitoring.timeSeries.list (roles/monitoring.viewer on the project), else it never takes over.',
  check(ctx) {
    const topo = buildTopology(ctx.graph, ctx.model);
    const processors = topo.services('processor');
    if (processors.length === 0) {
      return [{ status: 'fail', observed: 'no processor service', expected: 'a pull subscriber service', message: 'no speed-layer processor service found, so nothing reads the speed-layer subscription', fix: 'declare the processor service (Cloud Run, pulling the speed-layer subscription)' }];
    }
    return processors.map((svc): Finding => {
      const s = sizing(svc);
      const problems: string[] = [];
      if (s.minInstances === null) {
        return { status: 'unknown', address: svc.address, observed: 'min_instance_count pending', expected: '>= 1', message: `${svc.address}: min_instance_count is known only after apply`, fix: 'write template.scaling.min_instance_count as a literal >= 1' };
      }
      if (s.minInstances < 1) problems.push(`min_instance_count ${s.minInstances}`);
      if (!s.instanceBased) problems.push('CPU allocated only during requests (cpu_idle not false)');
      const gated = isGatedStandby(svc);
      const reader = gated ? metricReaderGrant(ctx.graph, svc) : undefined;
      if (gated && reader === 'unknown') {
        return { status: 'unknown', address: svc.address, observed: 'service account known only after apply', expected: 'a service account with roles/monitoring.viewer', message: `${svc.address} is a gated standby whose service account is known only after apply, so whether it may read the backlog-age metric is unknown`, fix: 'reference a google_service_account in template.service_account and grant it roles/monitoring.viewer on the project' };
      }
      if (gated && reader === undefined) problems.push('its service account has no role with monitoring.timeSeries.list (roles/monitoring.viewer), so it cannot read the backlog age and never takes over');
      const ok = problems.length === 0;
      const expected = gated ? 'min_instance_count >= 1, cpu_idle = false and roles/monitoring.viewer on its service account' : 'min_instance_count >= 1 and cpu_idle = false';
      if (ok) {
        const what = gated ? `keeps ${s.minInstances} warm instance(s) with CPU always allocated, polling the backlog age (gated standby; ${typeof reader === 'object' ? `${reader.address}: ${reader.role}` : ''})` : `keeps ${s.minInstances} instance(s) pulling with CPU always allocated`;
        return { status: 'pass', address: svc.address, observed: `min_instance_count ${s.minInstances}, CPU always allocated${gated ? ', may read the backlog-age metric' : ''}`, expected, message: `${svc.address} ${what}` };
      }
      const fixes: string[] = [];
      if (s.minInstances < 1 || !s.instanceBased) fixes.push('set template.scaling.min_instance_count >= 1 and template.containers.resources.cpu_idle = false');
      if (gated && reader === undefined) fixes.push(`grant roles/monitoring.viewer on the project to the service account of ${svc.address} (google_project_iam_member)`);
      return { status: 'fail', address: svc.address, observed: problems.join('; '), expected, message: `${svc.address} may not pull at all: ${problems.join('; ')}`, fix: fixes.join('; ') };
    });
  },
};

/** Min instances (null when pending, 0 when unset) and whether every container has CPU always allocated. */
function sizing(svc: Resource): { minInstances: number | null; instanceBased: boolean } {
  const min = num(svc, 'template.scaling.min_instance_count');
  const containers = blocks(svc, 'template.containers');
  const instanceBased = containers.length > 0 && containers.every((c) => fieldBool(c, 'resources.cpu_idle') === false);
  return { minInstances: min === null ? null : (min ?? 0), instanceBased };
}

