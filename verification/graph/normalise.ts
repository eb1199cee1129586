/**
 * Turning raw JSON attribute values into the graph's one shape (see graph/types.ts):
 * single blocks become objects, unknown values become Pending, `"//"` keys go, CDK token
 * objects are unwrapped, sensitive values are replaced before anything else can see them.
 */
import { pending, SENSITIVE } from './values';
import { hasInterpolation, referencesInTemplate } from './references';
import type { AttrValue } from './types';
import { bindTemplate, type InstanceBinding } from './instances';

export interface NormaliseContext {
  /**
   * Turns the raw reference traversals found at an attribute path into graph addresses
   * (unresolvable ones kept raw); also where edges are recorded.
   */
  resolve(raw: string[], path: string): string[];
  warn(message: string): void;
  /** Where we are, for warnings: `google_pubsub_topic.t`. */
  where: string;
  /** Inside one instance of a count / for_each block: what count.index and each.* are. */
  instance?: InstanceBinding;
}

function isUnresolvedCdkToken(s: string): boolean {
  return s.includes('${TfToken[') || s.includes('${Token[');
}

function isTokenObject(v: Record<string, unknown>): boolean {
  return Array.isArray(v.creation_stack) || Array.isArray(v.creationStack);
}

/** Synth (`cdk.tf.json`) attribute value. */
export function normaliseSynthValue(v: unknown, ctx: NormaliseContext, path: string): AttrValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'string') return normaliseSynthString(v, ctx, path);
  if (Array.isArray(v)) {
    const out = v.map((x, i) => normaliseSynthValue(x, ctx, v.length === 1 ? path : `${path}.${i}`));
    return unwrapSingleBlock(out);
  }
  if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    if (isTokenObject(obj)) return unwrapTokenObject(obj, ctx, path);
    const out: Record<string, AttrValue> = {};
    for (const key of Object.keys(obj)) {
      if (key === '//') continue;
      out[key] = normaliseSynthValue(obj[key], ctx, path === '' ? key : `${path}.${key}`);
    }
    return out;
  }
  return null;
}

function normaliseSynthString(raw: string, ctx: NormaliseContext, path: string): AttrValue {
  if (!hasInterpolation(raw)) return raw;
  let s = raw;
  if (ctx.instance) {
    const bound = bindTemplate(s, ctx.instance);
    if ('literal' in bound) return bound.literal;
    s = bound.template;
  }
  if (isUnresolvedCdkToken(s)) {
    ctx.warn(`${ctx.where}: ${path} holds an unresolved CDK token (${s.slice(0, 60)}); read as pending`);
    return pending('token', [], s);
  }
  return pending('expression', ctx.resolve(referencesInTemplate(s), path), s);
}

function unwrapTokenObject(obj: Record<string, unknown>, ctx: NormaliseContext, path: string): AttrValue {
  const value = obj.value;
  if (typeof value === 'string' && hasInterpolation(value)) {
    ctx.warn(`${ctx.where}: ${path || 'value'} is a CDK token object, not a string; read as pending ${value}`);
    return pending('token', ctx.resolve(referencesInTemplate(value), path), value);
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    ctx.warn(`${ctx.where}: ${path || 'value'} is a CDK token object wrapping the literal ${JSON.stringify(value)}; unwrapped`);
    return value;
  }
  ctx.warn(`${ctx.where}: ${path || 'value'} is a CDK token object with no usable value; read as pending`);
  return pending('token');
}

/** A block list of one element is the block itself (plans write `[{...}]`, synth `{...}`). */
function unwrapSingleBlock(list: AttrValue[]): AttrValue {
  if (list.length === 1) {
    const only = list[0];
    if (typeof only === 'object' && only !== null && !Array.isArray(only) && (only as { $pending?: unknown }).$pending !== true) {
      return only;
    }
  }
  return list;
}

export interface PlanValueContext {
  /** Resolved references of the configuration expression at an attribute path, if any. */
  referencesAt(path: string): string[];
  /** Collects dot paths of sensitive attributes. */
  sensitivePaths: string[];
  warn(message: string): void;
  where: string;
}

/**
 * Plan value: `after` (or `values`) merged with `after_unknown` (true where computed at
 * apply) and `after_sensitive` / `sensitive_values` (true where sensitive).
 */
export function normalisePlanValue(
  value: unknown,
  unknown: unknown,
  sensitive: unknown,
  ctx: PlanValueContext,
  path: string,
): AttrValue | undefined {
  if (sensitive === true) {
    ctx.sensitivePaths.push(path);
    if (unknown === true) return pending('after_unknown', ctx.referencesAt(path));
    return value === undefined ? undefined : value === null ? null : SENSITIVE;
  }
  if (unknown === true) return pending('after_unknown', ctx.referencesAt(path));
  if (Array.isArray(value) || Array.isArray(unknown)) {
    const values = Array.isArray(value) ? value : [];
    const unknowns = Array.isArray(unknown) ? unknown : [];
    const sensitives = Array.isArray(sensitive) ? sensitive : [];
    const length = Math.max(values.length, unknowns.length);
    const single = length === 1;
    const out: AttrValue[] = [];
    for (let i = 0; i < length; i++) {
      const child = normalisePlanValue(values[i], unknowns[i], sensitives[i], ctx, single ? path : `${path}.${i}`);
      out.push(child === undefined ? null : child);
    }
    if (!Array.isArray(value) && value !== undefined && value !== null) return normaliseLiteral(value, ctx);
    return unwrapSingleBlock(out);
  }
  const valueObj = isPlainObject(value) ? value : undefined;
  const unknownObj = isPlainObject(unknown) ? unknown : undefined;
  if (valueObj || unknownObj) {
    if (value !== undefined && value !== null && !valueObj) return normaliseLiteral(value, ctx);
    const sensitiveObj = isPlainObject(sensitive) ? sensitive : {};
    const out: Record<string, AttrValue> = {};
    const keys = new Set(Object.keys(valueObj ?? {}));
    if (unknownObj) for (const k of Object.keys(unknownObj)) if (unknownObj[k] !== false) keys.add(k);
    for (const key of keys) {
      if (key === '//') continue;
      const child = normalisePlanValue(
        valueObj?.[key],
        unknownObj?.[key],
        sensitiveObj[key],
        ctx,
        path === '' ? key : `${path}.${key}`,
      );
      if (child !== undefined) out[key] = child;
    }
    return out;
  }
  if (value === undefined) return undefined;
  return normaliseLiteral(value, ctx);
}

function normaliseLiteral(v: unknown, ctx: PlanValueContext): AttrValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => normaliseLiteral(x, ctx));
  if (isPlainObject(v)) {
    const out: Record<string, AttrValue> = {};
    for (const k of Object.keys(v)) if (k !== '//') out[k] = normaliseLiteral(v[k], ctx);
    return out;
  }
  return null;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
