/**
 * Every graph edit the advice proposes must be one the stacks can build: the edit's config
 * value, applied to the environment config and re-synthesized, verifies exactly like the edited
 * graph (same verdict, item statuses, cost and failing rules).
 */
import { getEnvironmentConfig } from '../../../../stacks/config';
import type { EnvironmentConfig } from '../../../../stacks/config/types';
import { verifyGraph } from '../../../../verification/engine/verify';
import { applyChanges } from '../../../../verification/advice/graph-edit';
import type { ConfigDiffEntry, GraphChange } from '../../../../verification/advice/types';
import type { Graph } from '../../../../verification/graph/types';
import { evaluationFromReport } from '../../../../verification/advice/evaluation';
import { boundsOf, cloudRunGroups } from '../../../../verification/advice/cloud-run-sizing';
import { assign, currentAssignment, sizingSpace } from '../../../../verification/advice/synthesis/space';
import { sizing } from '../../../../verification/advice/whatif/generators/sizing';
import { applyConfigEntries, graphDifferences, graphOfConfig, TODAY, verdictOf, verifyConfig } from './support/config-apply';

function roundTrip(config: EnvironmentConfig, graph: Graph, changes: readonly GraphChange[], entries: readonly ConfigDiffEntry[]) {
  const applied = applyChanges(graph, config.spec, changes);
  const byGraph = verifyGraph(applied.graph, applied.spec, { today: TODAY });
  const byConfig = verifyConfig(applyConfigEntries(config, entries));
  return { byGraph, byConfig };
}

const CLOUD_RUN_KEY = /^(ingestion\.gateway|processing\.processor|analytics|dashboard|secondary)\b/;

describe('advice edits round-trip through the environment config', () => {
  const prod = getEnvironmentConfig('prod');
  const graph = graphOfConfig(prod);

  it('batching edits the gateway variable with the spec, so the archive rule sees the batch', () => {
    const space = sizingSpace(graph, prod.spec);
    const a = assign(space, currentAssignment(space), { 'spec.workload.eventsPerMessage': 10 });
    const changes = space.changesFor(a);
    // the spec and the EVENTS_PER_MESSAGE of both regional gateways
    expect(changes.filter((c) => c.kind === 'set').map((c) => c.kind === 'set' && c.to)).toEqual(['10', '10']);
    expect(space.diffFor(a)).toEqual([{ configKey: 'spec.workload.eventsPerMessage', from: 1, to: 10 }]);
    const { byGraph, byConfig } = roundTrip(prod, graph, changes, space.diffFor(a));
    expect(verdictOf(byGraph)).toEqual(verdictOf(byConfig));
    const archive = byGraph.results.filter((r) => r.rule === 'archive-one-event-per-message');
    expect(archive.map((r) => r.status)).toEqual(['fail', 'fail']);
    expect(archive[0].message).toMatch(/10 events per message/);
  });
});

describe('regional Cloud Run copies are sized from the primary copy', () => {
  it.each(['prod', 'first-proposal'])('%s: the current assignment of the sizing space is the current graph (no edits)', (env) => {
    const config = getEnvironmentConfig(env);
    const graph = graphOfConfig(config);
    const space = sizingSpace(graph, config.spec);
    expect(space.changesFor(currentAssignment(space))).toEqual([]);
    // the processor dimensions read the us-central1 copy, not the europe-west1 standby
    const min = space.dims.find((d) => d.id === 'processing.processor.minInstances');
    expect(min?.current).toBe(config.processing.processor.minInstances);
  });

  it.each(['prod', 'first-proposal'])('%s: no Cloud Run sizing candidate leaves a copy with min above max', (env) => {
    const config = getEnvironmentConfig(env);
    const graph = graphOfConfig(config);
    const before = evaluationFromReport(verifyGraph(graph, config.spec, { today: TODAY }));
    const candidates = sizing.generate({ graph, spec: config.spec, before }).filter((c) => c.config?.some((e) => CLOUD_RUN_KEY.test(e.configKey)));
    expect(candidates.length).toBeGreaterThan(20);
    for (const c of candidates) {
      const applied = applyChanges(graph, config.spec, c.changes);
      const crossed = cloudRunGroups(applied.graph)
        .flatMap((g) => [g.primary, ...g.secondaries])
        .filter((copy) => boundsOf(copy).minInstances > boundsOf(copy).maxInstances)
        .map((copy) => copy.address);
      expect({ candidate: c.description, crossed }).toEqual({ candidate: c.description, crossed: [] });
    }
  });

  it('lowering the processor ceiling below its floor lowers the floor, as a config edit would', () => {
    const config = getEnvironmentConfig('first-proposal');
    const graph = graphOfConfig(config);
    const before = evaluationFromReport(verifyGraph(graph, config.spec, { today: TODAY }));
    const lower = sizing.generate({ graph, spec: config.spec, before }).find((c) => c.config?.some((e) => e.configKey === 'processing.processor.maxInstances' && e.to === 1));
    expect(lower?.config).toEqual([
      { configKey: 'processing.processor.maxInstances', from: 16, to: 1 },
      { configKey: 'processing.processor.minInstances', from: 4, to: 1 },
    ]);
    const { byGraph, byConfig } = roundTrip(config, graph, lower!.changes, lower!.config!);
    expect(verdictOf(byGraph)).toEqual(verdictOf(byConfig));
  });
});

describe('every sizing dimension builds the graph the stacks synthesize from its config diff', () => {
  // prod: each dimension at its lowest and highest value; the others: one value each (the
  // structural edits, second region and cluster count, are covered both ways across the three)
  it.each([
    ['prod', 'both ends'],
    ['first-proposal', 'lowest'],
    ['dev', 'highest'],
  ] as const)('%s (%s)', (env, which) => {
    const config = getEnvironmentConfig(env);
    const graph = graphOfConfig(config);
    const space = sizingSpace(graph, config.spec);
    const current = currentAssignment(space);
    let cases = 0;
    for (const d of space.dims) {
      const domain = d.domain(current);
      const ends = which === 'both ends' ? [domain[0], domain[domain.length - 1]] : which === 'lowest' ? [domain[0]] : [domain[domain.length - 1]];
      for (const v of ends.filter((x) => x !== d.current)) {
        const a: Record<string, string | number> = { ...current, [d.id]: v };
        // a lowered ceiling takes its dependent floor down with it
        for (const k of space.dims.filter((x) => x.dependsOn === d.id)) {
          const kd = k.domain(a);
          if (!kd.includes(a[k.id])) a[k.id] = [...kd].reverse().find((x) => Number(x) <= Number(a[k.id])) ?? kd[0];
        }
        const diff = space.diffFor(a);
        // the standby size of a second region that does not exist changes nothing
        if (diff.length === 0) {
          expect(space.changesFor(a)).toEqual([]);
          continue;
        }
        const edited = applyChanges(graph, config.spec, space.changesFor(a));
        const fromConfig = applyConfigEntries(config, diff);
        expect({ dimension: d.id, value: v, differences: graphDifferences(edited.graph, graphOfConfig(fromConfig)) }).toEqual({ dimension: d.id, value: v, differences: [] });
        expect(edited.spec).toEqual(fromConfig.spec);
        cases++;
      }
    }
    expect(cases).toBeGreaterThanOrEqual(space.dims.length / 2);
  }, 600_000);
});
