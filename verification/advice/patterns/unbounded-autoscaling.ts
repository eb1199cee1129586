/**
 * Unbounded autoscaling: a streaming job or service that scales with load but has no ceiling
 * set, so a burst or a bug scales cost to the service's own limit.
 */
import type { PatternDetector, PatternMatch } from '../types';
import { cloudRunServices, cloudRunView, num, ofType } from '../graph-query';

export const unboundedAutoscaling: PatternDetector = {
  id: 'unbounded-autoscaling',
  name: 'Unbounded autoscaling',
  kind: 'anti-pattern',
  description: 'A Dataflow job without max_workers or a Cloud Run service without a maximum instance count.',
  detect({ graph }) {
    const matches: PatternMatch[] = [];
    for (const job of ofType(graph, 'google_dataflow_job', 'google_dataflow_flex_template_job')) {
      const attr = job.type === 'google_dataflow_job' ? 'max_workers' : 'max_workers';
      if (num(job.values[attr]) !== undefined) continue;
      matches.push({
        id: this.id,
        name: this.name,
        kind: this.kind,
        summary: `${job.address} has no ${attr}: the streaming job can scale to the service ceiling`,
        evidence: [{ address: job.address, attribute: attr, value: null, note: 'no worker ceiling set' }],
        risks: ['monthly_cost'],
      });
    }
    for (const service of cloudRunServices(graph)) {
      const view = cloudRunView(service);
      if (view.maxInstances !== undefined) continue;
      matches.push({
        id: this.id,
        name: this.name,
        kind: this.kind,
        summary: `${service.address} has no maximum instance count`,
        evidence: [{ address: service.address, attribute: view.paths.max, value: null, note: 'no instance ceiling set: Cloud Run scales to its default limit' }],
        risks: ['monthly_cost'],
      });
    }
    return matches;
  },
};
