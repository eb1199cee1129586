import { applyChanges, getAttr, referenceTo, setAttr } from '../../../../verification/advice/graph-edit';
import type { Spec } from '../../../../verification/spec/spec';
import { fixtureGraph, FIXTURES } from './support/fixture-graph';
import * as fs from 'node:fs';
import * as path from 'node:path';

const spec: Spec = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'spec-prod.json'), 'utf8'));

describe('attribute paths', () => {
  it('index 0 of a single block (normalised to an object) is the block itself', () => {
    const values = { cluster: { zone: 'us-central1-b', num_nodes: 3 } };
    expect(getAttr(values, 'cluster.0.zone')).toBe('us-central1-b');
    expect(getAttr(values, 'cluster.zone')).toBe('us-central1-b');
    expect(setAttr(values, 'cluster.0.num_nodes', 4)).toEqual({ cluster: { zone: 'us-central1-b', num_nodes: 4 } });
  });

  it('setting index 1 widens the single block into a list of two', () => {
    expect(setAttr({ cluster: { zone: 'a' } }, 'cluster.1', { zone: 'b' })).toEqual({ cluster: [{ zone: 'a' }, { zone: 'b' }] });
  });

  it('creates missing blocks and deletes with undefined, leaving the input untouched', () => {
    const values = { template: { containers: { image: 'x' } } };
    const next = setAttr(values, 'template.scaling.max_instance_count', 20);
    expect(next).toEqual({ template: { containers: { image: 'x' }, scaling: { max_instance_count: 20 } } });
    expect(values).toEqual({ template: { containers: { image: 'x' } } });
    expect(setAttr(next, 'template.scaling.max_instance_count', undefined)).toEqual({ template: { containers: { image: 'x' }, scaling: {} } });
  });

  it('refuses to read across several blocks without an index', () => {
    expect(() => setAttr({ cluster: [{ a: 1 }, { a: 2 }] }, 'cluster.a', 3)).toThrow('without an index');
  });
});

describe('applyChanges', () => {
  const graph = fixtureGraph('lambda-prod.tf.json');

  it('edits a copy: the original graph keeps its values', () => {
    const { graph: next } = applyChanges(graph, spec, [
      { kind: 'set', address: 'google_bigtable_instance.hot', attribute: 'cluster.0.autoscaling_config.max_nodes', from: 6, to: 8 },
    ]);
    expect(getAttr(next.byAddress.get('google_bigtable_instance.hot')!.values, 'cluster.0.autoscaling_config.max_nodes')).toBe(8);
    expect(getAttr(graph.byAddress.get('google_bigtable_instance.hot')!.values, 'cluster.0.autoscaling_config.max_nodes')).toBe(6);
  });

  it('a third cluster in another region updates the derived regions', () => {
    const { graph: next } = applyChanges(graph, spec, [
      { kind: 'set', address: 'google_bigtable_instance.hot', attribute: 'cluster.2', from: undefined, to: { cluster_id: 'c3', zone: 'us-west1-a', storage_type: 'SSD', num_nodes: 3 } },
    ]);
    expect(next.byAddress.get('google_bigtable_instance.hot')!.regions).toEqual(['us-central1', 'us-east1', 'us-west1']);
  });

  it('an added resource gets edges from its references; a removed one loses its edges', () => {
    const { graph: added } = applyChanges(graph, spec, [
      {
        kind: 'add',
        address: 'google_pubsub_topic_iam_member.extra',
        type: 'google_pubsub_topic_iam_member',
        values: { topic: referenceTo('google_pubsub_topic.dead_letter', 'id'), role: 'roles/pubsub.publisher', member: 'serviceAccount:x' },
      },
    ]);
    expect(added.edges).toContainEqual({ from: 'google_pubsub_topic_iam_member.extra', to: 'google_pubsub_topic.dead_letter', attribute: 'topic' });
    const { graph: removed } = applyChanges(added, spec, [{ kind: 'remove', address: 'google_pubsub_topic.dead_letter' }]);
    expect(removed.byAddress.has('google_pubsub_topic.dead_letter')).toBe(false);
    expect(removed.edges.some((e) => e.to === 'google_pubsub_topic.dead_letter')).toBe(false);
  });

  it('spec changes apply to a copy of the spec', () => {
    const { spec: next } = applyChanges(graph, spec, [{ kind: 'spec', path: 'workload.eventsPerMessage', from: 10, to: 50 }]);
    expect(next.workload.eventsPerMessage).toBe(50);
    expect(spec.workload.eventsPerMessage).toBe(10);
  });

  it('names the resource when a change does not apply', () => {
    expect(() => applyChanges(graph, spec, [{ kind: 'set', address: 'google_x.missing', attribute: 'a', from: 1, to: 2 }])).toThrow(
      'what-if change names a resource not in the graph: google_x.missing',
    );
  });
});
