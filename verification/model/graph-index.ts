/**
 * One index of a graph, shared by the model (its wiring) and the analyses (their topology):
 * resources by type, reference edges by endpoint, and the string leaves literal names are
 * read from. Every reader of one verification asks the same questions of the same graph, so
 * the answers are worked out once here instead of once per reader or per call.
 *
 * Built once per graph and kept in a WeakMap keyed by the graph object: nothing outlives the
 * graph, and an edited copy (the advice stage verifies many, each a new Graph) gets its own.
 */
import type { AttrValue, Edge, Graph, Resource } from '../graph/types';
import { isPending } from '../graph/types';
import { readAttr } from '../graph/values';

/**
 * Shared by every lookup that finds nothing (typed readonly: never filled). Not frozen: V8 does
 * not optimise for-of over a frozen array, and every step would allocate.
 */
const NONE: readonly never[] = [];

export class GraphIndex {
  private readonly byType = new Map<string, Resource[]>();
  /** Managed resources of the types that also have data sources (the other types' lists are all managed). */
  private readonly managedOnly = new Map<string, Resource[]>();
  /** Resources of several types merged in graph order, by the (constant) list of types. */
  private byTypes?: Map<readonly string[], readonly Resource[]>;
  /** Each resource's position in `graph.resources`, by address. */
  private readonly position = new Map<string, number>();
  private readonly out: EdgeGroups;
  private readonly into: EdgeGroups;
  /** String leaves per attribute path (WHOLE_VALUES for all of them), per resource. */
  private readonly leavesByPath = new Map<string, Map<Resource, readonly string[]>>();

  constructor(readonly graph: Graph) {
    let dataTypes: Set<string> | undefined;
    const resources = graph.resources;
    for (let i = 0; i < resources.length; i++) {
      const r = resources[i];
      this.position.set(r.address, i);
      pushTo(this.byType, r.type, r);
      if (r.mode !== 'managed') (dataTypes ??= new Set()).add(r.type);
    }
    for (const type of dataTypes ?? []) this.managedOnly.set(type, this.byType.get(type)!.filter((r) => r.mode === 'managed'));
    const endPositions: number[] = new Array(graph.edges.length);
    this.out = new EdgeGroups(graph.edges, 'from', this.position, resources.length, endPositions);
    this.into = new EdgeGroups(graph.edges, 'to', this.position, resources.length, endPositions);
  }

  /** Resources of a type, data sources included, in graph order. Shared: do not modify. */
  ofType(type: string): readonly Resource[] {
    return this.byType.get(type) ?? NONE;
  }

  /** Managed resources of a type, in graph order. Shared: do not modify. */
  managedOfType(type: string): readonly Resource[] {
    return this.managedOnly.get(type) ?? this.ofType(type);
  }

  /**
   * Resources of any of the types, data sources included, in graph order. A list of several
   * present types is merged once per `types` list (callers pass constant lists).
   */
  ofTypes(types: readonly string[]): readonly Resource[] {
    // Usually one type of a family is used (v2 Cloud Run, classic Dataflow): its list is the answer.
    let only: readonly Resource[] = NONE;
    for (const type of types) {
      const list = this.byType.get(type);
      if (!list) continue;
      if (only !== NONE) return this.merged(types);
      only = list;
    }
    return only;
  }

  private merged(types: readonly string[]): readonly Resource[] {
    this.byTypes ??= new Map();
    let list = this.byTypes.get(types);
    if (!list) {
      list = this.graph.resources.filter((r) => types.includes(r.type));
      this.byTypes.set(types, list);
    }
    return list;
  }

  /** Reference edges leaving a resource, in graph order. Shared: do not modify. */
  edgesFrom(address: string): readonly Edge[] {
    return this.out.of(address);
  }

  /** Reference edges arriving at a resource, in graph order. Shared: do not modify. */
  edgesTo(address: string): readonly Edge[] {
    return this.into.of(address);
  }

  /**
   * The strings in a resource's values (or under one attribute path), where literal names are
   * looked for; none when the values there are pending. Computed once per resource and path.
   */
  stringLeaves(r: Resource, attributePath?: string): readonly string[] {
    const key = attributePath ?? WHOLE_VALUES;
    let byResource = this.leavesByPath.get(key);
    if (!byResource) this.leavesByPath.set(key, (byResource = new Map()));
    let leaves = byResource.get(r);
    if (!leaves) {
      const scope = attributePath === undefined ? r.values : readAttr(r, attributePath);
      if (scope === undefined || isPending(scope)) leaves = NONE;
      else {
        // Counted first, so the list is allocated at its final size rather than grown string by string.
        const count = visitStrings(scope);
        leaves = count === 0 ? NONE : new Array<string>(count);
        if (count > 0) visitStrings(scope, leaves as string[]);
      }
      byResource.set(r, leaves);
    }
    return leaves;
  }
}

const WHOLE_VALUES = '\u0000whole';

/**
 * Edges grouped by one end, in graph order within each group. Built as one array sorted by the
 * end's position (a counting sort: two passes, no list per resource grown edge by edge); a
 * resource's own list is cut from it when first asked for.
 */
class EdgeGroups {
  /** The edges of the resource at position p are sorted[start[p]] up to sorted[start[p + 1]]. */
  private readonly start: number[];
  private readonly sorted: Edge[];
  private readonly lists: (readonly Edge[] | undefined)[];
  /** Edges whose end is not among the graph's resources (a plan's pure deletes). */
  private outside?: Map<string, Edge[]>;

  /** `scratch` is a list reused between builds: it holds each edge's end position while sorting. */
  constructor(
    edges: readonly Edge[],
    end: 'from' | 'to',
    private readonly position: ReadonlyMap<string, number>,
    count: number,
    scratch: number[],
  ) {
    const start = new Array<number>(count + 1).fill(0);
    for (let i = 0; i < edges.length; i++) {
      const p = position.get(edges[i][end]);
      scratch[i] = p ?? -1;
      if (p === undefined) pushTo((this.outside ??= new Map()), edges[i][end], edges[i]);
      else start[p + 1]++;
    }
    for (let p = 0; p < count; p++) start[p + 1] += start[p];
    const sorted = new Array<Edge>(start[count]);
    // Filling moves start[p] to the end of p's edges; shifting by one then gives the starts again.
    for (let i = 0; i < edges.length; i++) if (scratch[i] >= 0) sorted[start[scratch[i]]++] = edges[i];
    for (let p = count; p > 0; p--) start[p] = start[p - 1];
    start[0] = 0;
    this.start = start;
    this.sorted = sorted;
    this.lists = new Array(count);
  }

  of(address: string): readonly Edge[] {
    const p = this.position.get(address);
    if (p === undefined) return this.outside?.get(address) ?? NONE;
    let list = this.lists[p];
    if (!list) {
      const from = this.start[p];
      const to = this.start[p + 1];
      list = from === to ? NONE : this.sorted.slice(from, to);
      this.lists[p] = list;
    }
    return list;
  }
}

/** Every string under a value, pending values skipped, appended to `out`. */
export function collectStrings(v: AttrValue | undefined, out: string[]): string[] {
  visitStrings(v, out, out.length);
  return out;
}

/**
 * Walks the strings under a value in order, pending values skipped: writes them into `out`
 * from position `at` when given, and returns the position after the last (their count from 0).
 */
function visitStrings(v: AttrValue | undefined, out?: string[], at = 0): number {
  if (typeof v === 'string') {
    if (out) out[at] = v;
    return at + 1;
  }
  if (Array.isArray(v)) for (const x of v) at = visitStrings(x, out, at);
  // for-in rather than Object.values: same keys in the same order for these plain objects, no array per object.
  else if (v !== null && typeof v === 'object' && !isPending(v)) for (const k in v) at = visitStrings(v[k], out, at);
  return at;
}

/** Appends `value` to the list at `key`, starting the list when there is none. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

interface Cached {
  index: GraphIndex;
  resources: readonly Resource[];
  resourceCount: number;
  edges: readonly Edge[];
  edgeCount: number;
}

const cache = new WeakMap<Graph, Cached>();

/** The index of a graph, built on first use (the graph is immutable by convention). */
export function indexGraph(graph: Graph): GraphIndex {
  const entry = cache.get(graph);
  // A graph changed in place (resources or edges added) is indexed afresh rather than read stale.
  if (entry && entry.resources === graph.resources && entry.resourceCount === graph.resources.length && entry.edges === graph.edges && entry.edgeCount === graph.edges.length) return entry.index;
  const index = new GraphIndex(graph);
  cache.set(graph, { index, resources: graph.resources, resourceCount: graph.resources.length, edges: graph.edges, edgeCount: graph.edges.length });
  return index;
}
