/**
 * Reading how resources are wired, from edges (references) first and literal names second,
 * so hand-written Terraform that spells names out is understood too.
 */
import type { AttrValue, Edge, Graph, Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { asList, asRecord, asString, readAttr } from '../graph/values';
import { indexGraph, type GraphIndex } from './graph-index';

/** A test on a resource found at the other end of an edge. */
export type ResourceTest = (r: Resource) => boolean;

export class Wiring {
  private readonly index: GraphIndex;

  constructor(readonly graph: Graph) {
    this.index = indexGraph(graph);
  }

  /**
   * The first resource this one refers to, of one of `types`, from attributes under
   * `attribute`, passing `where`; in edge order. (No list is built: the model asks for the
   * first, or whether there is one.)
   */
  firstTarget(r: Resource, types?: readonly string[], attribute?: string, where?: ResourceTest): Resource | undefined {
    return this.firstAtEnd(this.index.edgesFrom(r.address), 'to', types, attribute, where);
  }

  /** The first resource referring to this one, as `firstTarget` finds them. */
  firstReferrer(r: Resource, types?: readonly string[], attribute?: string, where?: ResourceTest): Resource | undefined {
    return this.firstAtEnd(this.index.edgesTo(r.address), 'from', types, attribute, where);
  }

  /** True when `from` has a reference edge to `to` (a resource of the graph). */
  refersTo(from: Resource, to: Resource): boolean {
    for (const e of this.index.edgesFrom(from.address)) if (e.to === to.address) return true;
    return false;
  }

  /** Edges leaving a resource (`from`) or arriving at it (`to`), for readers that visit every one. */
  edgesFrom(r: Resource): readonly Edge[] {
    return this.index.edgesFrom(r.address);
  }

  edgesTo(r: Resource): readonly Edge[] {
    return this.index.edgesTo(r.address);
  }

  /** Resources of one type, data sources included, in graph order. */
  ofType(type: string): readonly Resource[] {
    return this.index.ofType(type);
  }

  /** Resources of any of the types, in graph order. */
  ofTypes(types: readonly string[]): readonly Resource[] {
    return this.index.ofTypes(types);
  }

  /**
   * The resource an attribute points at: by reference, else by a literal name or id
   * (`projects/p/topics/t`, `t`, `p:dataset.table`).
   */
  pointee(r: Resource, attribute: string, types: readonly string[]): Resource | undefined {
    const byRef = this.firstTarget(r, types, attribute);
    if (byRef) return byRef;
    const literal = asString(readAttr(r, attribute));
    if (!literal) return undefined;
    const tail = literalTail(literal);
    for (const c of this.ofTypes(types)) if (matchesLiteralTail(c, literal, tail)) return c;
    return undefined;
  }

  private firstAtEnd(edges: readonly Edge[], end: 'from' | 'to', types?: readonly string[], attribute?: string, where?: ResourceTest): Resource | undefined {
    for (const e of edges) {
      if (attribute && !isUnder(e.attribute, attribute)) continue;
      const t = this.graph.byAddress.get(e[end]);
      if (t && (!types || types.includes(t.type)) && (!where || where(t))) return t;
    }
    return undefined;
  }
}

/** `path` is `attribute` or lies under it (`attribute.x`). */
function isUnder(path: string, attribute: string): boolean {
  return path === attribute || (path.startsWith(attribute) && path.charCodeAt(attribute.length) === 46 /* . */);
}

/** The last part of a literal name or id: `projects/p/topics/t` -> `t`, `p:dataset.table` -> `table`. */
function literalTail(literal: string): string {
  return literal.slice(Math.max(literal.lastIndexOf('/'), literal.lastIndexOf(':'), literal.lastIndexOf('.')) + 1);
}

/** Does a literal name/id written elsewhere denote this resource? */
export function matchesLiteral(r: Resource, literal: string): boolean {
  return matchesLiteralTail(r, literal, literalTail(literal));
}

function matchesLiteralTail(r: Resource, literal: string, tail: string): boolean {
  if (asString(r.values.id) === literal) return true;
  if (r.type === 'google_bigquery_table') {
    const table = asString(r.values.table_id);
    const dataset = asString(r.values.dataset_id);
    return table !== undefined && tail === table && (dataset === undefined || literal.includes(dataset));
  }
  if (r.type === 'google_service_account') {
    const email = asString(r.values.email);
    const account = asString(r.values.account_id);
    return (email !== undefined && literal.includes(email)) || (account !== undefined && literal.includes(`${account}@`));
  }
  const name = asString(r.values.name) ?? asString(r.values.table_id) ?? asString(r.values.dataset_id) ?? asString(r.values.account_id);
  return name !== undefined && (tail === name || literal === name);
}

/** The first environment variable name of a Cloud Run service that `pattern` matches (no list built). */
export function envNameMatching(r: Resource, pattern: RegExp): string | undefined {
  for (const c of containersOf(r)) {
    for (const e of asList(asRecord(c)?.env)) {
      const name = asString(asRecord(e)?.name);
      if (name && pattern.test(name)) return name;
    }
  }
  return undefined;
}

function containersOf(r: Resource): AttrValue[] {
  // `template` is a top-level attribute: read directly, no path to split (a resource with pending values has none).
  const template = asRecord(r.values.template);
  if (!template) return [];
  return asList(template.containers ?? asRecord(template.spec)?.containers);
}

/** The service account a workload runs as (v2 `template.service_account`, v1 `template.spec.service_account_name`, Dataflow `service_account_email`). */
export function serviceAccountValue(r: Resource): AttrValue | undefined {
  return (
    readAttr(r, 'template.service_account') ??
    readAttr(r, 'template.spec.service_account_name') ??
    readAttr(r, 'service_account_email') ??
    readAttr(r, 'environment.service_account_email')
  );
}

/** Addresses a pending value refers to; none for a literal. */
export function referencesIn(v: AttrValue | undefined): readonly string[] {
  return v !== undefined && isPending(v) ? v.references : [];
}
