/**
 * Every resource's number of instances is known before apply. A `count` or `for_each`
 * known only at apply (synth input), or an instance count Terraform deferred, leaves one
 * entry standing for an unknown number of instances: cost, capacity and availability are
 * computed for one, so the result is unknown, never a pass.
 */
import type { Finding, Rule } from '../engine/types';
import { allResources, describeValue } from '../graph/values';

export const rule: Rule = {
  id: 'instance-count-known',
  title: 'Every count and for_each is known before apply',
  severity: 'error',
  specItem: 'monthly_cost',
  reads: ['*'],
  rationale:
    'A block whose count or for_each is known only at apply may stand for no instance or for many; the models price and size it as one. Give count and for_each literal values (or locals holding literals) in the configuration, or verify the plan, where Terraform has expanded them.',
  check(ctx) {
    const pending = allResources(ctx.graph).filter((r) => r.instancesPending);
    if (pending.length === 0) {
      return [{ status: 'pass', observed: 'every instance count known', expected: 'literal count and for_each', message: 'every count and for_each in the input is known' }];
    }
    return pending.map((r): Finding => {
      const argument = r.meta?.forEach !== undefined ? 'for_each' : r.meta?.count !== undefined ? 'count' : 'instance count';
      const value = r.meta?.forEach ?? r.meta?.count;
      const observed = value !== undefined ? `${argument} ${describeValue(value)}` : `${argument} deferred by Terraform${r.change?.deferred ? ` (${r.change.deferred})` : ''}`;
      return {
        status: 'unknown',
        address: r.address,
        observed,
        expected: 'a count or for_each known before apply',
        message: `${r.address}: ${argument} is known only at apply, so the number of its instances (and their cost and capacity) is unknown`,
        fix: `give ${argument} a literal value (or a local holding one), or verify the plan where Terraform has expanded it`,
      };
    });
  },
};
