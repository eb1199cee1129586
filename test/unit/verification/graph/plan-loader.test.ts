import { loadInput, loadTerraformJson } from '../../../../verification/graph/load';
import { isPending } from '../../../../verification/graph/types';
import { readAttr, SENSITIVE } from '../../../../verification/graph/values';
import { InputError } from '../../../../verification/engine/errors';
import { rule as instanceCountRule } from '../../../../verification/rules/instance-count-known';
import { rule as statefulRule } from '../../../../verification/rules/stateful-resource-not-destroyed';
import { fixture, readFixture } from '../helpers';
import { check } from '../rules-core/rule-context';
import { buildTopology } from '../../../../verification/analyses/topology';

describe('plan loader', () => {
  it('keeps a value from after_unknown as pending, with the references of its expression', () => {
    const g = loadInput(fixture('plan-dead-letter-pending-root.json'));
    expect(g.source.kind).toBe('plan');
    const sub = g.byAddress.get('google_pubsub_subscription.speed')!;
    const topic = readAttr(sub, 'dead_letter_policy.dead_letter_topic');
    expect(isPending(topic)).toBe(true);
    expect(topic).toEqual({ $pending: true, reason: 'after_unknown', references: ['google_pubsub_topic.dead_letter'] });
    // The attempt count known in `after` stays a number; the single block is an object.
    expect(readAttr(sub, 'dead_letter_policy.max_delivery_attempts')).toBe(5);
    // Empty block lists stay empty lists, never pending.
    expect(sub.values.push_config).toEqual([]);
    expect(g.edges).toContainEqual({ from: 'google_pubsub_subscription.speed', to: 'google_pubsub_topic.dead_letter', attribute: 'dead_letter_policy.dead_letter_topic' });
    expect(sub.region).toBe('us-central1');
    expect(sub.provider?.key).toBe('google');
  });

  it('parses for_each module instances and follows references through module variables and outputs', () => {
    const g = loadInput(fixture('plan-dead-letter-pending-module.json'));
    const address = 'module.x["k"].google_pubsub_subscription.speed';
    const sub = g.byAddress.get(address)!;
    expect(sub.modulePath).toEqual(['module.x["k"]']);
    expect(sub.type).toBe('google_pubsub_subscription');
    expect(readAttr(sub, 'dead_letter_policy.dead_letter_topic')).toEqual({
      $pending: true,
      reason: 'after_unknown',
      references: ['module.x["k"].google_pubsub_topic.dead_letter'],
    });
    // var.topic_id inside the module -> the call's expression -> the root topic.
    expect(g.edges).toContainEqual({ from: address, to: 'google_pubsub_topic.root_topic', attribute: 'topic' });
    // module.x["k"].subscription output used at root -> the subscription inside the module.
    expect(g.edges).toContainEqual({ from: 'google_pubsub_subscription_iam_member.reader', to: address, attribute: 'subscription' });
  });

  it('treats a data source read at apply (no values) as pending, never missing', () => {
    const g = loadInput(fixture('plan-data-source-read.json'));
    const project = g.byAddress.get('data.google_project.current')!;
    expect(project.mode).toBe('data');
    expect(project.valuesPending).toBe(true);
    expect(project.change?.actions).toEqual(['read']);
    expect(isPending(readAttr(project, 'number'))).toBe(true);
    expect(isPending(readAttr(project, 'anything.at.all'))).toBe(true);
    expect(g.edges).toContainEqual({ from: 'google_pubsub_topic_iam_member.agent', to: 'data.google_project.current', attribute: 'member' });
  });

  it('keeps pure deletes out of the planned resources but in removed, with their prior values', () => {
    const g = loadInput(fixture('plan-delete-bigquery-table.json'));
    expect(g.resources).toHaveLength(0);
    expect(g.removed.map((r) => r.address)).toEqual(['google_bigquery_table.events_raw']);
    const t = g.removed[0];
    expect(t.change).toEqual({ actions: ['delete'], replace: false, actionReason: 'delete_because_no_resource_config' });
    expect(t.values.table_id).toBe('events_raw');
  });

  it('reads a replace with its reason and forcing paths', () => {
    const g = loadInput(fixture('plan-replace-bigtable-instance.json'));
    const inst = g.byAddress.get('google_bigtable_instance.hot')!;
    expect(inst.change).toEqual({
      actions: ['delete', 'create'],
      replace: true,
      actionReason: 'replace_because_cannot_update',
      replacePaths: [['cluster', 0, 'zone']],
    });
    expect(inst.region).toBe('us-central1');
    expect(g.byAddress.get('google_bigtable_table.events')!.change?.actions).toEqual(['no-op']);
  });

  it('redacts sensitive values so they never leave the loader', () => {
    const g = loadInput(fixture('plan-sensitive.json'));
    const version = g.byAddress.get('google_secret_manager_secret_version.key')!;
    expect(version.values.secret_data).toBe(SENSITIVE);
    expect(version.sensitivePaths).toEqual(['secret_data']);
    const channel = g.byAddress.get('google_monitoring_notification_channel.pager')!;
    expect(readAttr(channel, 'sensitive_labels.service_key')).toBe(SENSITIVE);
    expect(JSON.stringify([...g.resources, ...g.removed])).not.toContain('hunter2');
  });

  it('reads applied state (terraform show -json without a plan) as unchanged resources', () => {
    const doc = {
      format_version: '1.0',
      terraform_version: '1.9.8',
      values: { root_module: { resources: [{ address: 'google_pubsub_topic.t', mode: 'managed', type: 'google_pubsub_topic', name: 't', values: { name: 't' } }] } },
    };
    const g = loadTerraformJson(doc, 'state.json');
    expect(g.source.kind).toBe('state');
    expect(g.byAddress.get('google_pubsub_topic.t')!.change).toEqual({ actions: ['no-op'], replace: false });
  });

  it('uses the region of the provider configuration a module resource points at', () => {
    const doc = readFixture('plan-dead-letter-pending-module.json') as { configuration: { provider_config: Record<string, unknown>; root_module: { module_calls: { x: { module: { resources: { provider_config_key: string }[] } } } } } };
    doc.configuration.provider_config['module.x:google'] = { name: 'google', module_address: 'module.x', expressions: { region: { constant_value: 'europe-west1' } } };
    for (const r of doc.configuration.root_module.module_calls.x.module.resources) r.provider_config_key = 'module.x:google';
    const g = loadTerraformJson(doc, 'plan.json');
    expect(g.byAddress.get('module.x["k"].google_pubsub_subscription.speed')!.region).toBe('europe-west1');
    expect(g.byAddress.get('google_pubsub_topic.root_topic')!.region).toBe('us-central1');
  });
});

describe('plan loader: errored and incomplete plans', () => {
  it('refuses an errored plan with one line (exit 2): it is incomplete and cannot be applied', () => {
    expect(() => loadInput(fixture('plan-errored.json'))).toThrow(
      new InputError(
        `${fixture('plan-errored.json')}: the plan errored ("errored": true): Terraform stopped planning part way, so the plan is incomplete and cannot be applied; fix the errors terraform plan reported and verify the new plan`,
      ),
    );
  });

  it('judges the changes Terraform deferred, and warns that the plan is incomplete', () => {
    const g = loadInput(fixture('plan-deferred.json'));
    expect(g.warnings).toContain(
      `${fixture('plan-deferred.json')}: the plan is incomplete ("complete": false, 2 deferred change(s)): Terraform needs another plan and apply round after this one; judged on what this plan shows`,
    );
    // A deferred delete is still a delete.
    expect(g.removed.map((r) => [r.address, r.change?.actions, r.change?.deferred])).toEqual([
      ['google_bigtable_instance.hot', ['delete'], undefined],
      ['google_bigquery_dataset.raw', ['delete'], 'resource_config_unknown'],
    ]);
    const fanout = g.byAddress.get('google_pubsub_topic.fanout[*]')!;
    expect(fanout.instancesPending).toBe(true);
    expect(fanout.change).toEqual({ actions: ['create'], replace: false, deferred: 'instance_count_unknown' });
    const findings = check(statefulRule, g);
    expect(findings.find((f) => f.address === 'google_bigquery_dataset.raw')!.status).toBe('fail');
    expect(check(instanceCountRule, g).map((f) => [f.address, f.status, f.observed])).toEqual([
      ['google_pubsub_topic.fanout[*]', 'unknown', 'instance count deferred by Terraform (instance_count_unknown)'],
    ]);
  });
});

describe('plan loader: references through locals', () => {
  it('keeps a local reference by name and warns when it leaves the target unknown', () => {
    const g = loadInput(fixture('plan-locals.json'));
    const sub = g.byAddress.get('google_pubsub_subscription.speed')!;
    expect(readAttr(sub, 'topic')).toEqual({ $pending: true, reason: 'after_unknown', references: ['local.topic_id'] });
    expect(readAttr(sub, 'dead_letter_policy.dead_letter_topic')).toEqual({ $pending: true, reason: 'after_unknown', references: ['local.dl_topic'] });
    expect(g.warnings).toEqual([
      'google_pubsub_subscription.speed: topic comes from local.topic_id, which plan JSON does not define, and is known only at apply: what it refers to is unknown',
      'google_pubsub_subscription.speed: dead_letter_policy.dead_letter_topic comes from local.dl_topic, which plan JSON does not define, and is known only at apply: what it refers to is unknown',
    ]);
    expect(g.edges.filter((e) => e.from === 'google_pubsub_subscription.speed')).toEqual([]);
  });

  it('a local whose value the plan knows is matched by that literal value, without a warning', () => {
    const plan = readFixture('plan-locals.json') as {
      planned_values: { root_module: { resources: { address: string; values: Record<string, unknown> }[] } };
      resource_changes: { address: string; change: { after: Record<string, unknown>; after_unknown: Record<string, unknown> } }[];
    };
    const known = 'projects/iot-prod/topics/telemetry';
    plan.planned_values.root_module.resources.find((r) => r.address === 'google_pubsub_subscription.speed')!.values.topic = known;
    const change = plan.resource_changes.find((r) => r.address === 'google_pubsub_subscription.speed')!.change;
    change.after.topic = known;
    delete change.after_unknown.topic;
    const g = loadTerraformJson(plan, 'plan.json');
    expect(g.warnings).toEqual([
      'google_pubsub_subscription.speed: dead_letter_policy.dead_letter_topic comes from local.dl_topic, which plan JSON does not define, and is known only at apply: what it refers to is unknown',
    ]);
    const topology = buildTopology(g);
    expect(topology.topicOf(g.byAddress.get('google_pubsub_subscription.speed')!)?.address).toBe('google_pubsub_topic.telemetry');
  });
});
