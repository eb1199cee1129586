import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../../verification/engine/errors';
import { loadInput, loadInputWithSpec, loadTerraformJson } from '../../../../verification/graph/load';
import { isPending } from '../../../../verification/graph/types';
import { readAttr } from '../../../../verification/graph/values';
import { clone, fixture, readFixture, SPEC } from '../helpers';

describe('synth loader', () => {
  it('reads a hand-written cdk.tf.json: values, pending expressions, edges, regions', () => {
    const g = loadInput(fixture('synth-hand-written/cdk.tf.json'));
    expect(g.source.kind).toBe('cdk-tf-json');
    expect(g.resources).toHaveLength(27);
    const fast = g.byAddress.get('google_pubsub_subscription.fast')!;
    expect(readAttr(fast, 'dead_letter_policy.max_delivery_attempts')).toBe(5);
    expect(readAttr(fast, 'dead_letter_policy.dead_letter_topic')).toEqual({
      $pending: true,
      reason: 'expression',
      expression: '${google_pubsub_topic.poison.id}',
      references: ['google_pubsub_topic.poison'],
    });
    expect(g.edges).toContainEqual({ from: 'google_pubsub_subscription.fast', to: 'google_pubsub_topic.events', attribute: 'topic' });
    expect(g.edges).toContainEqual({
      from: 'google_cloud_run_v2_service.delta',
      to: 'google_cloud_run_v2_service.charlie',
      attribute: 'template.containers.env.value',
    });
    const store = g.byAddress.get('google_bigtable_instance.store')!;
    expect(store.regions).toEqual(['us-central1', 'europe-west1']);
    expect(g.byAddress.get('google_bigquery_dataset.warehouse')!.region).toBe('US');
    expect(g.byAddress.get('google_pubsub_topic.events')!.region).toBe('us-central1');
  });

  it('stitches a synth folder through manifest.json and follows cross-stack references to the producer', () => {
    const { graph, spec } = loadInputWithSpec(fixture('synth-folder'));
    expect(graph.source.kind).toBe('synth-folder');
    expect(spec).toEqual(SPEC);
    const sub = graph.byAddress.get('google_pubsub_subscription.speed')!;
    expect(sub.stack).toBe('prod-processing');
    expect(sub.constructPath).toBe('prod-processing/stream-processing/speed');
    expect(Object.keys(sub.values)).not.toContain('//');
    const topic = readAttr(sub, 'topic');
    expect(isPending(topic) && topic.references).toEqual(['google_pubsub_topic.telemetry']);
    expect(graph.edges).toContainEqual({ from: 'google_pubsub_subscription.speed', to: 'google_pubsub_topic.telemetry', attribute: 'topic' });
    expect(graph.edges).toContainEqual({
      from: 'google_pubsub_subscription.speed',
      to: 'google_pubsub_topic.dead_letter',
      attribute: 'dead_letter_policy.dead_letter_topic',
    });
    // The remote-state data source is plumbing, not a resource.
    expect(graph.resources.some((r) => r.type === 'terraform_remote_state')).toBe(false);
    expect(graph.warnings).toEqual([]);
  });

  it('unwraps a token object in a provider block to pending and says so', () => {
    const g = loadInput(fixture('synth-provider-token/cdk.tf.json'));
    const provider = g.providers[0];
    expect(provider.region).toEqual({ $pending: true, reason: 'token', expression: '${var.region}', references: ['var.region'] });
    expect(g.warnings).toEqual(['provider.google: region is a CDK token object, not a string; read as pending ${var.region}']);
    // Pending provider region: the topic's region is unknown, not guessed; the dataset has its own.
    expect(g.byAddress.get('google_pubsub_topic.telemetry')!.region).toBeUndefined();
    expect(g.byAddress.get('google_bigquery_dataset.warehouse')!.region).toBe('EU');
  });

  it('reads an unresolved CDK token string as pending', () => {
    const g = loadTerraformJson({ resource: { google_pubsub_topic: { t: { name: '${TfToken[TOKEN.12]}' } } } }, 'x.json');
    expect(g.byAddress.get('google_pubsub_topic.t')!.values.name).toMatchObject({ $pending: true, reason: 'token' });
    expect(g.warnings[0]).toContain('unresolved CDK token');
  });

  it('picks the stacks of one environment with --env and refuses a mixed folder without it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-'));
    cpSync(fixture('synth-folder'), dir, { recursive: true });
    const devSpec = { ...clone(SPEC), environment: 'dev' };
    writeFileSync(join(dir, 'stacks/prod-processing/spec.json'), JSON.stringify(devSpec));
    expect(() => loadInput(dir)).toThrow(new InputError(`${dir}: holds stacks of environments prod, dev; choose one with --env`));
    const prod = loadInput(dir, { env: 'prod' });
    expect(prod.resources.map((r) => r.address).sort()).toEqual(['google_pubsub_topic.dead_letter', 'google_pubsub_topic.telemetry']);
    expect(() => loadInput(dir, { env: 'staging' })).toThrow('no stack for environment staging (stacks: prod-ingestion, prod-processing)');
  });

  it('prefixes addresses that collide across stacks with the stack name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-'));
    cpSync(fixture('synth-folder'), dir, { recursive: true });
    const doc = readFixture('synth-folder/stacks/prod-processing/cdk.tf.json') as { resource: Record<string, unknown> };
    doc.resource.google_pubsub_topic = { telemetry: { name: 'other' } };
    writeFileSync(join(dir, 'stacks/prod-processing/cdk.tf.json'), JSON.stringify(doc));
    const g = loadInput(dir);
    expect(g.byAddress.has('prod-ingestion/google_pubsub_topic.telemetry')).toBe(true);
    expect(g.byAddress.has('prod-processing/google_pubsub_topic.telemetry')).toBe(true);
    expect(g.edges).toContainEqual({ from: 'google_pubsub_subscription.speed', to: 'prod-ingestion/google_pubsub_topic.telemetry', attribute: 'topic' });
  });
});

describe('synth loader: count and for_each', () => {
  const g = loadInput(fixture('synth-count-for-each/cdk.tf.json'));
  const addresses = g.resources.map((r) => r.address);

  it('expands literal counts and for_each maps into instances addressed as Terraform does', () => {
    expect(addresses).toEqual([
      'google_pubsub_topic.t["a"]',
      'google_pubsub_topic.t["b"]',
      'google_pubsub_topic.t["c"]',
      'google_pubsub_topic.spare[0]',
      'google_pubsub_topic.spare[1]',
      'google_pubsub_topic.regional["east"]',
      'google_pubsub_topic.regional["west"]',
      'google_pubsub_topic.listed["x"]',
      'google_pubsub_topic.listed["y"]',
      'google_pubsub_topic.scaled',
      'google_pubsub_subscription.on_a',
      'google_pubsub_subscription.per_spare[0]',
      'google_pubsub_subscription.per_spare[1]',
      'google_pubsub_subscription.on_all',
    ]);
    const b = g.byAddress.get('google_pubsub_topic.t["b"]')!;
    expect(b.index).toBe('b');
    expect(b.values).toEqual({ name: 't-b', labels: { rank: 2 } });
    expect(g.byAddress.get('google_pubsub_topic.spare[1]')!.values.name).toBe('spare-1');
    expect(g.byAddress.get('google_pubsub_topic.regional["west"]')!.values).toEqual({ name: 'events-west', labels: { region: 'us-west1' } });
    expect(g.byAddress.get('google_pubsub_topic.listed["y"]')!.values.name).toBe('listed-y');
  });

  it('drops a block with count 0: nothing of it is priced or judged', () => {
    expect(g.resources.filter((r) => r.type === 'google_bigtable_instance')).toEqual([]);
  });

  it('points references at the instance they name (a key, or count.index inside an instance), else at every instance', () => {
    const to = (from: string) => g.edges.filter((e) => e.from === from && e.attribute === 'topic').map((e) => e.to);
    expect(to('google_pubsub_subscription.on_a')).toEqual(['google_pubsub_topic.t["a"]']);
    expect(to('google_pubsub_subscription.per_spare[1]')).toEqual(['google_pubsub_topic.spare[1]']);
    expect(g.edges.filter((e) => e.from === 'google_pubsub_subscription.on_all').map((e) => e.to)).toEqual([
      'google_pubsub_topic.t["a"]',
      'google_pubsub_topic.t["b"]',
      'google_pubsub_topic.t["c"]',
    ]);
  });

  it('keeps a count known only at apply as one entry with its instances pending, and warns', () => {
    const scaled = g.byAddress.get('google_pubsub_topic.scaled')!;
    expect(scaled.instancesPending).toBe(true);
    expect(isPending(scaled.meta?.count)).toBe(true);
    // A for_each over another resource's instances is known only at apply too.
    expect(g.byAddress.get('google_pubsub_subscription.on_all')!.instancesPending).toBe(true);
    expect(g.warnings).toEqual([
      `${fixture('synth-count-for-each/cdk.tf.json')}: google_pubsub_topic.scaled: count is \${var.replicas}, known only at apply, so the number of its instances is unknown`,
      `${fixture('synth-count-for-each/cdk.tf.json')}: google_pubsub_subscription.on_all: for_each is \${google_pubsub_topic.t}, known only at apply, so the number of its instances is unknown`,
    ]);
  });

  it('refuses what Terraform refuses: a negative or fractional count, a list for_each, both at once', () => {
    const doc = (body: Record<string, unknown>) => ({ resource: { google_pubsub_topic: { t: { name: 't', ...body } } } });
    expect(() => loadTerraformJson(doc({ count: -1 }), 'x.json')).toThrow(new InputError('x.json: google_pubsub_topic.t.count is -1; Terraform needs a whole number of 0 or more'));
    expect(() => loadTerraformJson(doc({ count: 1.5 }), 'x.json')).toThrow(InputError);
    expect(() => loadTerraformJson(doc({ for_each: ['a'] }), 'x.json')).toThrow(
      new InputError('x.json: google_pubsub_topic.t.for_each is ["a"]; Terraform needs a map or a set of strings (write a list as "${toset([...])}")'),
    );
    expect(() => loadTerraformJson(doc({ count: 1, for_each: { a: 1 } }), 'x.json')).toThrow(new InputError('x.json: google_pubsub_topic.t sets both count and for_each, which Terraform refuses'));
  });
});
