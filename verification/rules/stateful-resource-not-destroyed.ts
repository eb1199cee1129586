/**
 * A plan must not destroy stored data: deleting or replacing a Bigtable instance or table,
 * a BigQuery dataset or table, or a subscription (with its unacknowledged backlog) loses it.
 * A replaced parent takes its children with it even when their own change says no-op.
 */
import { isPending, type Resource } from '../graph/types';
import { allResources, asString, readAttr } from '../graph/values';
import type { Finding, Rule } from '../engine/types';

/** Stateful type -> the attribute naming its parent and the parent's type, when it has one. */
const STATEFUL: Record<string, { parentAttr: string; parentType: string } | null> = {
  google_bigtable_instance: null,
  google_bigtable_table: { parentAttr: 'instance_name', parentType: 'google_bigtable_instance' },
  google_bigquery_dataset: null,
  google_bigquery_table: { parentAttr: 'dataset_id', parentType: 'google_bigquery_dataset' },
  google_pubsub_subscription: null,
};

const WHAT_IS_LOST: Record<string, string> = {
  google_bigtable_instance: 'every table and row in it',
  google_bigtable_table: 'its rows',
  google_bigquery_dataset: 'every table in it',
  google_bigquery_table: 'its rows',
  google_pubsub_subscription: 'its unacknowledged backlog',
};

export const rule: Rule = {
  id: 'stateful-resource-not-destroyed',
  title: 'The plan destroys no stored data',
  severity: 'error',
  specItem: 'no_data_loss',
  reads: Object.keys(STATEFUL),
  rationale:
    'Terraform replaces a resource when a change forces it (action_reason, replace_paths) and deletes what left the configuration. For a store or a queue that is data loss, whatever deletion_protection says at apply time. A replaced Bigtable instance or BigQuery dataset takes its tables with it even when the tables\' own change is no-op. Waive a finding only for data known to be disposable.',
  check(ctx) {
    const all = allResources(ctx.graph).filter((r) => r.mode === 'managed' && r.type in STATEFUL);
    if (ctx.graph.source.kind !== 'plan') {
      return [{ status: 'pass', message: `input is ${ctx.graph.source.kind === 'state' ? 'applied state' : 'a configuration'}, not a plan: nothing is being destroyed` }];
    }
    const byType = new Map<string, Resource[]>();
    for (const r of all) {
      const list = byType.get(r.type);
      if (list) list.push(r);
      else byType.set(r.type, [r]);
    }
    return all.map((r) => judge(r, byType));
  },
};

function judge(r: Resource, byType: ReadonlyMap<string, Resource[]>): Finding {
  const change = r.change;
  const actions = change?.actions ?? ['no-op'];
  if (actions.includes('delete')) {
    const verb = change?.replace ? 'replaces' : 'deletes';
    const why = [
      change?.actionReason ? `reason ${change.actionReason}` : undefined,
      change?.replacePaths && change.replacePaths.length > 0 ? `forced by ${change.replacePaths.map((p) => p.join('.')).join(', ')}` : undefined,
    ].filter(Boolean);
    return {
      status: 'fail',
      address: r.address,
      observed: actions.join(','),
      expected: 'no-op, create, update or read',
      message: `plan ${verb} ${r.address}${why.length ? ` (${why.join('; ')})` : ''}: ${WHAT_IS_LOST[r.type]} would be lost`,
      fix: change?.replace
        ? `undo the change to ${change.replacePaths?.map((p) => p.join('.')).join(', ') || 'the attribute forcing replacement'} or migrate the data first, then waive with a reason`
        : 'restore the resource to the configuration (or move it with a moved block); if the data is disposable, waive with a reason and an expiry',
    };
  }
  const parentSpec = STATEFUL[r.type];
  if (parentSpec) {
    const parents = byType.get(parentSpec.parentType) ?? [];
    const parent = parentOf(r, parentSpec.parentAttr, parents);
    if (parent === 'unknown') {
      const anyParentDestroyed = parents.some((p) => p.change?.actions.includes('delete'));
      if (anyParentDestroyed) {
        return {
          status: 'unknown',
          address: r.address,
          observed: `${parentSpec.parentAttr} not resolvable`,
          expected: `a ${parentSpec.parentType} that is kept`,
          message: `a ${parentSpec.parentType} is destroyed by this plan and this table's ${parentSpec.parentAttr} cannot be matched to a resource, so it may go with it`,
          fix: `reference the ${parentSpec.parentType} in ${parentSpec.parentAttr} instead of a literal`,
        };
      }
    } else if (parent && parent.change?.actions.includes('delete')) {
      const verb = parent.change.replace ? 'replaced' : 'deleted';
      return {
        status: 'fail',
        address: r.address,
        observed: `${actions.join(',')} (parent ${verb})`,
        expected: 'kept with its parent',
        message: `${parent.address} is ${verb} by this plan, and ${r.address} goes with it although its own change is ${actions.join(',')}: its rows would be lost`,
        fix: `keep ${parent.address} (undo the change forcing its replacement) or export ${r.address} first, then waive with a reason`,
      };
    }
  }
  return { status: 'pass', address: r.address, observed: actions.join(','), message: `kept (${actions.join(', ')})` };
}

/** Candidates by address (with their position) and by id attribute, built once per candidate list. */
interface ParentIndex {
  position: Map<string, number>;
  byId: Map<string, Map<string, Resource[]>>;
}
const parentIndexes = new WeakMap<Resource[], ParentIndex>();

function parentIndex(candidates: Resource[]): ParentIndex {
  let idx = parentIndexes.get(candidates);
  if (!idx) {
    idx = { position: new Map(), byId: new Map() };
    candidates.forEach((p, i) => {
      if (!idx!.position.has(p.address)) idx!.position.set(p.address, i);
    });
    parentIndexes.set(candidates, idx);
  }
  return idx;
}

function candidatesNamed(candidates: Resource[], idAttr: string, id: string | undefined): Resource[] {
  const idx = parentIndex(candidates);
  let byValue = idx.byId.get(idAttr);
  if (!byValue) {
    byValue = new Map();
    for (const p of candidates) {
      const value = asString(p.values[idAttr]);
      if (value === undefined) continue;
      const list = byValue.get(value);
      if (list) list.push(p);
      else byValue.set(value, [p]);
    }
    idx.byId.set(idAttr, byValue);
  }
  return id === undefined ? [] : byValue.get(id) ?? [];
}

function parentOf(r: Resource, attr: string, candidates: Resource[]): Resource | 'unknown' | undefined {
  const v = readAttr(r, attr);
  if (v === undefined || v === null) return undefined;
  if (isPending(v)) {
    // The first candidate (in graph order) the expression refers to.
    const { position } = parentIndex(candidates);
    let first: number | undefined;
    for (const a of v.references) {
      const i = position.get(a);
      if (i !== undefined && (first === undefined || i < first)) first = i;
    }
    return first === undefined ? 'unknown' : candidates[first];
  }
  const name = asString(v);
  if (!name) return undefined;
  const tail = name.split('/').pop();
  const idAttr = r.type === 'google_bigquery_table' ? 'dataset_id' : 'name';
  const named = candidatesNamed(candidates, idAttr, tail);
  // Same module first: two modules may each hold a store of the same name in different projects.
  return named.find((p) => p.modulePath.join('.') === r.modulePath.join('.')) ?? named[0] ?? 'unknown';
}
