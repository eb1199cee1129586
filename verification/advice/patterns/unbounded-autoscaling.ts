/**
 * Unbounded autoscaling: a streaming job or service that scales with load but has no ceiling
 * set, so a burst or a bug scales cost to the service's own limit.
 */
import type { PatternDetector, PatternMatch } from '../types';
import { num, ofType } from '../graph-query';
import { codeServices, DATAFLOW_TYPES, serviceMaxInstances } from './roles';

export const unboundedAutoscaling: PatternDetector = {
  id: 'unbounded-autoscaling',
  name: 'Unbounded autoscaling',
  kind: 'anti-pattern',
  description: 'A Dataflow job without max_workers or a Cloud Run service (v1 or v2) without a maximum instance count.',
  detect({ graph }) {
    const matches: PatternMatch[] = [];
    for (const job of ofType(graph, ...DATAFLOW_TYPES)) {
      const attr = 'max_workers';
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
    for (const service of codeServices(graph)) {
      const max = serviceMaxInstances(service);
      if (max.value !== undefined) continue;
      matches.push({
        id: this.id,
        name: this.name,
        kind: this.kind,
        summary: `${service.address} has no maximum instance count`,
        evidence: [{ address: service.address, attribute: max.path, value: null, note: 'no instance ceiling set: Cloud Run scales to its default limit' }],
        risks: ['monthly_cost'],
      });
    }
    return matches;
  },
};
