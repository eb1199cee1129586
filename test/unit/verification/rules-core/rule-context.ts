/** Runs one rule on a graph with the real model and analyses, as the engine does. */
import { runAnalyses } from '../../../../verification/analyses';
import type { Finding, Rule } from '../../../../verification/engine/types';
import type { Graph } from '../../../../verification/graph/types';
import { buildModel } from '../../../../verification/model';
import { SPEC } from '../helpers';

export function check(rule: Rule, graph: Graph): Finding[] {
  const model = buildModel(graph);
  return rule.check({ graph, model, spec: SPEC, analyses: runAnalyses({ graph, model, spec: SPEC }) });
}
