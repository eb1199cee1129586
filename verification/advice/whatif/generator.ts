/**
 * A change generator proposes candidate edits for some spec items. Candidates are only
 * proposals: the advisor applies each to a copy of the graph and re-runs the models, and keeps
 * those whose effect it has measured. Generators therefore propose ladders of values (max nodes
 * 7, 8, 9, ...) and let re-verification find the smallest that works.
 */
import type { AttrValue, Graph, Resource } from '../../graph/types';
import type { Spec, SpecItemId } from '../../spec/spec';
import type { ConfigDiffEntry, Evaluation, GraphChange, SetAttributeChange } from '../types';
import { getAttr } from '../graph-edit';

export interface GeneratorContext {
  graph: Graph;
  spec: Spec;
  before: Evaluation;
}

export interface Candidate {
  /** Generator id + a stable key of the edit, for caching and de-duplication. */
  key: string;
  /** Imperative, specific: "set max nodes of every cluster of google_bigtable_instance.hot to 8". */
  description: string;
  changes: GraphChange[];
  /** Items the generator expects it to help; the re-verification decides. */
  targets: SpecItemId[];
  /** The candidate as EnvironmentConfig edits, when it is a config change (sizing candidates). */
  config?: ConfigDiffEntry[];
  /**
   * Candidates of one ladder share a group and come mildest first; the advisor stops a ladder
   * at the first rung that fixes what it targets, so the smallest sufficient change wins.
   */
  group?: string;
}

export interface ChangeGenerator {
  id: string;
  /** Spec items this generator proposes changes for. */
  targets: SpecItemId[];
  generate(ctx: GeneratorContext): Candidate[];
}

export function set(resource: Resource, attribute: string, to: AttrValue | undefined): SetAttributeChange {
  return { kind: 'set', address: resource.address, attribute, from: getAttr(resource.values, attribute), to };
}

export function candidate(generator: string, description: string, changes: GraphChange[], targets: SpecItemId[], group?: string): Candidate {
  return { group, key: `${generator}:${JSON.stringify(changes.map((c) => (c.kind === 'set' ? [c.address, c.attribute, c.to] : c.kind === 'spec' ? [c.path, c.to] : [c.kind, c.address])))}`, description, changes, targets };
}

/** Integers from `from` to `to` inclusive, stepping by `step`. */
export function ladder(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let v = from; step > 0 ? v <= to : v >= to; v += step) out.push(v);
  return out;
}
