/**
 * A plan must not destroy stored data: deleting or replacing a Bigtable instance or table,
 * a BigQuery dataset or table, a Pub/Sub topic (its retained messages; its subscriptions are
 * detached), a subscription (its unacknowledged backlog) or a Cloud Storage bucket (its
 * objects, such as the gateway's spilled events) loses it. A replaced parent takes its
 * children with it even when their own change says no-op.
 */
import { isPending, type Edge, type Resource } from '../graph/types';
import { allResources, asString, readAttr } from '../graph/values';
import type { Finding, Rule } from '../engine/types';

interface ParentSpec {
  /** Attribute naming the parent. */
  parentAttr: string;
  parentType: string;
  /** What the child is called in messages. */
  noun: string;
  /** What happens to a no-op child of a destroyed parent: "goes with it", "is detached from it". */
  fate: string;
  /** What it loses then. */
  loss: string;
}

/** Stateful type -> its parent, when it has one. */
const STATEFUL: Record<string, ParentSpec | null> = {
  google_bigtable_instance: null,
  google_bigtable_table: { parentAttr: 'instance_name', parentType: 'google_bigtable_instance', noun: 'table', fate: 'goes with it', loss: 'its rows would be lost' },
  google_bigquery_dataset: null,
  google_bigquery_table: { parentAttr: 'dataset_id', parentType: 'google_bigquery_dataset', noun: 'table', fate: 'goes with it', loss: 'its rows would be lost' },
  google_pubsub_topic: null,
  // Pub/Sub detaches the subscriptions of a deleted topic; a new topic of the same name does not reattach them.
  google_pubsub_subscription: {
    parentAttr: 'topic',
    parentType: 'google_pubsub_topic',
    noun: 'subscription',
    fate: 'is detached from it',
    loss: 'it receives no event published after that',
  },
  google_storage_bucket: null,
};

function whatIsLost(r: Resource): string {
  switch (r.type) {
    case 'google_bigtable_instance':
      return 'every table and row in it';
    case 'google_bigquery_dataset':
      return 'every table in it';
    case 'google_pubsub_topic': {
      const retention = readAttr(r, 'message_retention_duration');
      const retained = typeof retention === 'string' ? `its retained messages (${retention} replay window) and ` : '';
      return `${retained}every subscription on it (they are detached and receive nothing more)`;
    }
    case 'google_pubsub_subscription':
      return 'its unacknowledged backlog';
    case 'google_storage_bucket':
      return readAttr(r, 'force_destroy') === true
        ? 'every object in it (force_destroy is true, so Terraform empties it)'
        : 'every object in it (unless the bucket is empty the delete fails part way through the apply, as force_destroy is not true)';
    default:
      return 'its rows';
  }
}

export const rule: Rule = {
  id: 'stateful-resource-not-destroyed',
  title: 'The plan destroys no stored data',
  severity: 'error',
  specItem: 'no_data_loss',
  reads: Object.keys(STATEFUL),
  rationale:
    'Terraform replaces a resource when a change forces it (action_reason, replace_paths) and deletes what left the configuration. For a store or a queue that is data loss, whatever deletion_protection says at apply time: a Bigtable instance or table, a BigQuery dataset or table, a Pub/Sub topic (its retained messages; Pub/Sub detaches its subscriptions for good), a subscription (its unacknowledged backlog), a Cloud Storage bucket (its objects, e.g. events the gateway spilled). A replaced Bigtable instance or BigQuery dataset takes its tables with it, and a replaced topic detaches its subscriptions, even when their own change is no-op. Waive a finding only for data known to be disposable.',
  check(ctx) {
    if (ctx.graph.source.kind !== 'plan') {
      return [{ status: 'pass', message: `input is ${ctx.graph.source.kind === 'state' ? 'applied state' : 'a configuration'}, not a plan: nothing is being destroyed` }];
    }
    const all = allResources(ctx.graph).filter((r) => r.mode === 'managed' && r.type in STATEFUL);
    const byType = new Map<string, Resource[]>();
    for (const r of all) {
      const list = byType.get(r.type);
      if (list) list.push(r);
      else byType.set(r.type, [r]);
    }
    const edges = edgeIndex(ctx.graph.edges);
    return all.map((r) => judge(r, byType, edges));
  },
};

function judge(r: Resource, byType: ReadonlyMap<string, Resource[]>, edges: EdgeIndex): Finding {
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
      message: `plan ${verb} ${r.address}${why.length ? ` (${why.join('; ')})` : ''}: ${whatIsLost(r)} would be lost`,
      fix: change?.replace
        ? `undo the change to ${change.replacePaths?.map((p) => p.join('.')).join(', ') || 'the attribute forcing replacement'} or migrate the data first, then waive with a reason`
        : 'restore the resource to the configuration (or move it with a moved block); if the data is disposable, waive with a reason and an expiry',
    };
  }
  const parentSpec = STATEFUL[r.type];
  if (parentSpec) {
    const parents = byType.get(parentSpec.parentType) ?? [];
    const found = parentsOf(r, parentSpec.parentAttr, parents, edges);
    if (found === 'unknown') {
      if (parents.some(isDestroyed)) {
        return {
          status: 'unknown',
          address: r.address,
          observed: `${parentSpec.parentAttr} not resolvable`,
          expected: `a ${parentSpec.parentType} that is kept`,
          message: `a ${parentSpec.parentType} is destroyed by this plan and this ${parentSpec.noun}'s ${parentSpec.parentAttr} cannot be matched to a resource, so it may go with it`,
          fix: `reference the ${parentSpec.parentType} in ${parentSpec.parentAttr} instead of a literal`,
        };
      }
    } else if (found.length === 1 && isDestroyed(found[0])) {
      const parent = found[0];
      const verb = parent.change!.replace ? 'replaced' : 'deleted';
      return {
        status: 'fail',
        address: r.address,
        observed: `${actions.join(',')} (parent ${verb})`,
        expected: 'kept with its parent',
        message: `${parent.address} is ${verb} by this plan, and ${r.address} ${parentSpec.fate} although its own change is ${actions.join(',')}: ${parentSpec.loss}`,
        fix:
          parentSpec.noun === 'subscription'
            ? `keep ${parent.address} (undo the change forcing its replacement), or recreate ${r.address} with it (lifecycle replace_triggered_by = [${parent.address}]) and waive the lost backlog with a reason`
            : `keep ${parent.address} (undo the change forcing its replacement) or export ${r.address} first, then waive with a reason`,
      };
    } else if (found.length > 1 && found.some(isDestroyed)) {
      const value = readAttr(r, parentSpec.parentAttr);
      const shown = value !== undefined && !isPending(value) ? `${parentSpec.parentAttr} ${JSON.stringify(value)}` : parentSpec.parentAttr;
      return {
        status: 'unknown',
        address: r.address,
        observed: `${actions.join(',')} (parent ambiguous)`,
        expected: 'kept with its parent',
        message: `${shown} matches ${found.length} ${parentSpec.parentType} resources (${found.map((p) => p.address).join(', ')}) and ${found.filter(isDestroyed).map((p) => p.address).join(', ')} ${found.filter(isDestroyed).length > 1 ? 'are' : 'is'} destroyed by this plan, so ${r.address} may go with it`,
        fix: `reference the ${parentSpec.parentType} in ${parentSpec.parentAttr} (or set the project) so its parent is known`,
      };
    }
  }
  return { status: 'pass', address: r.address, observed: actions.join(','), message: `kept (${actions.join(', ')})` };
}

function isDestroyed(p: Resource): boolean {
  return p.change?.actions.includes('delete') === true;
}

/** Reference edges by the resource holding them, built once per graph. */
type EdgeIndex = ReadonlyMap<string, readonly Edge[]>;
const edgeIndexes = new WeakMap<readonly Edge[], EdgeIndex>();

function edgeIndex(edges: readonly Edge[]): EdgeIndex {
  let idx = edgeIndexes.get(edges);
  if (!idx) {
    const byFrom = new Map<string, Edge[]>();
    for (const e of edges) {
      const list = byFrom.get(e.from);
      if (list) list.push(e);
      else byFrom.set(e.from, [e]);
    }
    idx = byFrom;
    edgeIndexes.set(edges, idx);
  }
  return idx;
}

/** Candidates by address and by id attribute value, built once per candidate list. */
interface ParentIndex {
  byAddress: Map<string, Resource>;
  byId: Map<string, Map<string, Resource[]>>;
}
const parentIndexes = new WeakMap<Resource[], ParentIndex>();

function parentIndex(candidates: Resource[]): ParentIndex {
  let idx = parentIndexes.get(candidates);
  if (!idx) {
    idx = { byAddress: new Map(), byId: new Map() };
    for (const p of candidates) if (!idx.byAddress.has(p.address)) idx.byAddress.set(p.address, p);
    parentIndexes.set(candidates, idx);
  }
  return idx;
}

function candidatesNamed(candidates: Resource[], idAttr: string, id: string): Resource[] {
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
  return byValue.get(id) ?? [];
}

/**
 * The project a resource lives in, when known: its own `project`, else the one its `id`
 * path names, else its provider's. Undefined when pending or not given anywhere.
 */
function projectOf(r: Resource): string | undefined {
  const own = readAttr(r, 'project');
  if (own !== undefined && own !== null) return asString(own);
  const fromId = /^projects\/([^/]+)\//.exec(asString(r.values.id) ?? '')?.[1];
  if (fromId) return fromId;
  return asString(r.provider?.project);
}

/**
 * The parents a child may belong to, most reliable evidence first: the reference edges of
 * its parent attribute; else the parents of that literal name in the same project (the
 * project from a full `projects/P/...` path, the child's own attribute or its provider).
 * 'unknown' when nothing matches; several when the evidence cannot tell them apart.
 */
function parentsOf(r: Resource, attr: string, candidates: Resource[], edges: EdgeIndex): Resource[] | 'unknown' {
  const v = readAttr(r, attr);
  if (v === undefined || v === null) return [];
  const { byAddress } = parentIndex(candidates);
  const referenced = new Set<Resource>();
  for (const e of edges.get(r.address) ?? []) {
    if (e.attribute !== attr) continue;
    const p = byAddress.get(e.to);
    if (p) referenced.add(p);
  }
  if (isPending(v)) for (const a of v.references) {
    const p = byAddress.get(a);
    if (p) referenced.add(p);
  }
  if (referenced.size > 0) return [...referenced];
  if (isPending(v)) return 'unknown';
  const text = asString(v);
  if (!text) return [];
  const path = /^projects\/([^/]+)\/(?:instances|datasets|topics)\/([^/]+)$/.exec(text);
  const name = path ? path[2] : text.split('/').pop()!;
  const named = candidatesNamed(candidates, r.type === 'google_bigquery_table' ? 'dataset_id' : 'name', name);
  if (named.length === 0) return 'unknown';
  const project = path ? path[1] : projectOf(r);
  if (project === undefined) return named;
  // A parent whose project is unknown may still be this one; one in another project is not.
  const sameProject = named.filter((p) => {
    const q = projectOf(p);
    return q === undefined || q === project;
  });
  return sameProject.length > 0 ? sameProject : 'unknown';
}
