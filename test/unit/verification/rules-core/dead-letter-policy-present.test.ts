import { loadInput, loadTerraformJson } from '../../../../verification/graph/load';
import { rule } from '../../../../verification/rules/dead-letter-policy-present';
import { clone, fixture, readFixture } from '../helpers';
import { check } from './rule-context';

type Plan = { resource_changes: { address: string; change: { after: Record<string, unknown>; after_unknown: Record<string, unknown> } }[]; planned_values: { root_module: { resources: { address: string; values: Record<string, unknown> }[] } } };

/** Edits the speed subscription's planned values and change together. */
function editSubscription(edit: (after: Record<string, unknown>, unknown: Record<string, unknown>) => void) {
  const plan = clone(readFixture('plan-dead-letter-pending-root.json')) as Plan;
  const rc = plan.resource_changes.find((c) => c.address === 'google_pubsub_subscription.speed')!;
  edit(rc.change.after, rc.change.after_unknown);
  plan.planned_values.root_module.resources.find((r) => r.address === rc.address)!.values = rc.change.after;
  return loadTerraformJson(plan, 'plan.json');
}

describe('dead-letter-policy-present', () => {
  it('a dead-letter topic created in the same plan counts as present: pass, "topic pending"', () => {
    const [f] = check(rule, loadInput(fixture('plan-dead-letter-pending-root.json')));
    expect(f).toEqual({
      status: 'pass',
      address: 'google_pubsub_subscription.speed',
      observed: { deadLetterTopic: 'pending', references: ['google_pubsub_topic.dead_letter'] },
      expected: 'a dead-letter topic',
      message: 'dead-letter present, topic pending (max 5 delivery attempts)',
    });
  });

  it('gives the same finding at root and inside module.x["k"] (for_each)', () => {
    const root = check(rule, loadInput(fixture('plan-dead-letter-pending-root.json')));
    const inModule = check(rule, loadInput(fixture('plan-dead-letter-pending-module.json')));
    expect(inModule).toHaveLength(1);
    expect(inModule[0].address).toBe('module.x["k"].google_pubsub_subscription.speed');
    const strip = (f: (typeof root)[0]) => ({ status: f.status, message: f.message, expected: f.expected });
    expect(strip(inModule[0])).toEqual(strip(root[0]));
  });

  it('fails a pull subscription without a dead-letter policy', () => {
    const graph = editSubscription((after, unknown) => {
      delete after.dead_letter_policy;
      delete unknown.dead_letter_policy;
    });
    const [f] = check(rule, graph);
    expect(f.status).toBe('fail');
    expect(f.message).toBe('no dead-letter policy: a message that keeps failing is redelivered until retention (default 7 days) expires and is then lost');
    expect(f.fix).toContain('dead_letter_policy');
  });

  it('fails an attempt count outside 5..100 and reads 0 as the default 5', () => {
    const low = editSubscription((after) => {
      after.dead_letter_policy = [{ max_delivery_attempts: 3 }];
    });
    expect(check(rule, low)[0]).toMatchObject({ status: 'fail', message: 'max_delivery_attempts 3 is outside the 5..100 Pub/Sub accepts' });
    const zero = editSubscription((after) => {
      after.dead_letter_policy = [{ max_delivery_attempts: 0 }];
    });
    expect(check(rule, zero)[0]).toMatchObject({ status: 'pass', message: 'dead-letter present, topic pending (max 5 delivery attempts)' });
  });

  it('fails a policy that names no topic', () => {
    const graph = editSubscription((after, unknown) => {
      after.dead_letter_policy = [{ max_delivery_attempts: 5, dead_letter_topic: '' }];
      unknown.dead_letter_policy = [{}];
    });
    expect(check(rule, graph)[0]).toMatchObject({ status: 'fail', message: 'the dead-letter policy names no topic, so nothing is dead-lettered' });
  });

  it('is unknown when the whole policy block is pending', () => {
    const graph = editSubscription((after, unknown) => {
      delete after.dead_letter_policy;
      unknown.dead_letter_policy = true;
    });
    expect(check(rule, graph)[0]).toMatchObject({ status: 'unknown', message: 'the dead-letter policy block as a whole is known only after apply' });
  });

  it('judges push and BigQuery subscriptions too (Pub/Sub retries and dead-letters them); a BigQuery drain of the dead-letter topic passes; one read by Dataflow passes with a note', () => {
    const graph = loadInput(fixture('synth-hand-written/cdk.tf.json'));
    const findings = check(rule, graph);
    expect(findings.map((f) => `${f.address}:${f.status}`)).toEqual(['google_pubsub_subscription.fast:pass', 'google_pubsub_subscription.slow:pass', 'google_pubsub_subscription.poison_sink:pass']);
    expect(findings[1].message).toContain('read by Dataflow job google_dataflow_job.copy');
    expect(findings[2].message).toContain('drains a dead-letter topic');
    const push = editSubscription((after, unknown) => {
      after.push_config = [{ push_endpoint: 'https://example.com/push' }];
      delete after.dead_letter_policy;
      delete unknown.dead_letter_policy;
    });
    expect(check(rule, push)[0]).toMatchObject({ status: 'fail', observed: 'no dead_letter_policy' });
    expect(check(rule, push)[0].message).toMatch(/its push endpoint refuses it/);
  });
});
