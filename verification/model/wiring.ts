/**
 * Reading how resources are wired, from edges (references) first and literal names second,
 * so hand-written Terraform that spells names out is understood too.
 */
import type { AttrValue, Graph, Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { asList, asRecord, asString, readAttr } from '../graph/values';

export class Wiring {
  private readonly out = new Map<string, { to: string; attribute: string }[]>();
  private readonly into = new Map<string, { from: string; attribute: string }[]>();

  constructor(readonly graph: Graph) {
    for (const e of graph.edges) {
      push(this.out, e.from, { to: e.to, attribute: e.attribute });
      push(this.into, e.to, { from: e.from, attribute: e.attribute });
    }
  }

  /** Resources this one refers to, optionally only from attributes under `attribute`. */
  targets(r: Resource, types?: readonly string[], attribute?: string): Resource[] {
    const seen = new Set<string>();
    const found: Resource[] = [];
    for (const e of this.out.get(r.address) ?? []) {
      if (attribute && e.attribute !== attribute && !e.attribute.startsWith(`${attribute}.`)) continue;
      const t = this.graph.byAddress.get(e.to);
      if (t && (!types || types.includes(t.type)) && !seen.has(t.address)) {
        seen.add(t.address);
        found.push(t);
      }
    }
    return found;
  }

  /** Resources that refer to this one. */
  referrers(r: Resource, types?: readonly string[], attribute?: string): Resource[] {
    const seen = new Set<string>();
    const found: Resource[] = [];
    for (const e of this.into.get(r.address) ?? []) {
      if (attribute && e.attribute !== attribute && !e.attribute.startsWith(`${attribute}.`)) continue;
      const t = this.graph.byAddress.get(e.from);
      if (t && (!types || types.includes(t.type)) && !seen.has(t.address)) {
        seen.add(t.address);
        found.push(t);
      }
    }
    return found;
  }

  ofType(...types: string[]): Resource[] {
    return this.graph.resources.filter((r) => types.includes(r.type));
  }

  /**
   * The resource an attribute points at: by reference, else by a literal name or id
   * (`projects/p/topics/t`, `t`, `p:dataset.table`).
   */
  pointee(r: Resource, attribute: string, types: readonly string[]): Resource | undefined {
    const byRef = this.targets(r, types, attribute)[0];
    if (byRef) return byRef;
    const v = readAttr(r, attribute);
    const literal = asString(v);
    if (!literal) return undefined;
    return this.ofType(...types).find((c) => matchesLiteral(c, literal));
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Does a literal name/id written elsewhere denote this resource? */
export function matchesLiteral(r: Resource, literal: string): boolean {
  const tail = literal.split(/[/:.]/).pop() ?? literal;
  const name = asString(r.values.name) ?? asString(r.values.table_id) ?? asString(r.values.dataset_id) ?? asString(r.values.account_id);
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
  return name !== undefined && (tail === name || literal === name);
}

export interface EnvVar {
  name: string;
  value: AttrValue | undefined;
}

/** Environment variables of a Cloud Run service (v2 `template.containers`, v1 `template.spec.containers`). */
export function envOf(r: Resource): EnvVar[] {
  const template = asRecord(readAttr(r, 'template'));
  if (!template) return [];
  const containers = template.containers ?? asRecord(template.spec)?.containers;
  const vars: EnvVar[] = [];
  for (const c of asList(containers)) {
    for (const e of asList(asRecord(c)?.env)) {
      const rec = asRecord(e);
      const name = asString(rec?.name);
      if (name) vars.push({ name, value: rec?.value });
    }
  }
  return vars;
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

export function referencesIn(v: AttrValue | undefined): string[] {
  return v !== undefined && isPending(v) ? [...v.references] : [];
}
