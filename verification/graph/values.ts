/**
 * Reading normalised attribute values. Rules and analyses use these instead of poking at
 * `values` so a pending value is never mistaken for a missing one.
 */
import { isPending, type AttrValue, type Pending, type Resource } from './types';

export function pending(
  reason: Pending['reason'],
  references: readonly string[] = [],
  expression?: string,
): Pending {
  return expression === undefined
    ? { $pending: true, reason, references }
    : { $pending: true, reason, expression, references };
}

/** Shown instead of a sensitive value; the value itself is never kept. */
export const SENSITIVE = '(sensitive)';

const WHOLE_RESOURCE_PENDING = pending('after_unknown');

/**
 * The attribute at a dot path (`dead_letter_policy.dead_letter_topic`, `cluster.0.zone`).
 * A list met on the way is searched only by explicit numeric steps; a single block is an object.
 * Returns a Pending when the value (or a parent of it) is pending, `undefined` only when the
 * input says it is not set.
 */
export function readAttr(resource: Pick<Resource, 'values' | 'valuesPending'>, path: string): AttrValue | undefined {
  let cur: AttrValue | undefined = resource.values;
  const steps = stepsOf(path);
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k];
    if (cur === undefined || cur === null) return resource.valuesPending ? WHOLE_RESOURCE_PENDING : undefined;
    if (isPending(cur)) return cur;
    if (Array.isArray(cur)) {
      const i = Number(step);
      if (!Number.isInteger(i)) return undefined;
      cur = cur[i];
    } else if (typeof cur === 'object') {
      cur = Object.prototype.hasOwnProperty.call(cur, step) ? (cur as Record<string, AttrValue>)[step] : undefined;
    } else {
      return undefined;
    }
  }
  if (cur === undefined && resource.valuesPending) return WHOLE_RESOURCE_PENDING;
  return cur;
}

/**
 * A path's steps, split once: the rules and analyses read a few hundred distinct paths (mostly
 * literals) thousands of times per verification. Bounded, for callers that build paths.
 */
const STEPS_LIMIT = 4096;
const stepsByPath = new Map<string, readonly string[]>();

function stepsOf(path: string): readonly string[] {
  let steps = stepsByPath.get(path);
  if (!steps) {
    if (stepsByPath.size >= STEPS_LIMIT) stepsByPath.clear();
    stepsByPath.set(path, (steps = path.split('.')));
  }
  return steps;
}

/** A block that may be written once (object) or several times (list) as a list. */
export function asList(v: AttrValue | undefined): AttrValue[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  return [v];
}

export function asString(v: AttrValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function asNumber(v: AttrValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function asBoolean(v: AttrValue | undefined): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

export function asRecord(v: AttrValue | undefined): Record<string, AttrValue> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isPending(v) ? v : undefined;
}

/** A short human rendering for messages: pending values say so, sensitive ones stay hidden. */
export function describeValue(v: AttrValue | undefined): string {
  if (v === undefined) return 'not set';
  if (v === null) return 'null';
  if (isPending(v)) {
    const what = v.references.length > 0 ? ` (from ${v.references.join(', ')})` : '';
    return `pending${what}`;
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const text = JSON.stringify(v, (_k, x) => (isPending(x) ? 'pending' : x));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** True when the planned change destroys the resource (delete or replace). */
export function isDestroyedByPlan(r: Resource): boolean {
  return r.change?.actions.includes('delete') ?? false;
}

/** Every resource and data source the input mentions, removed ones included. */
export function allResources(graph: { resources: Resource[]; removed: Resource[] }): Resource[] {
  return graph.removed.length === 0 ? graph.resources : [...graph.resources, ...graph.removed];
}

/** Every string in a value, pending expressions and their references included. */
export function textOf(v: AttrValue | undefined): string {
  const out: string[] = [];
  const walk = (x: AttrValue | undefined) => {
    if (x === undefined || x === null) return;
    if (typeof x === 'string') out.push(x);
    else if (isPending(x)) out.push(x.expression ?? '', ...x.references);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (typeof x === 'object') Object.values(x).forEach(walk);
  };
  walk(v);
  return out.join('\n');
}
