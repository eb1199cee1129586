/**
 * Turning raw JSON attribute values into the graph's one shape (see graph/types.ts):
 * single blocks become objects, unknown values become Pending, `"//"` keys go, CDK token
 * objects are unwrapped, sensitive values are replaced before anything else can see them.
 */
import { pending, SENSITIVE } from './values';
import { hasInterpolation } from './references';
import type { AttrValue } from './types';
import { bindTemplate, type InstanceBinding } from './instances';
import { assertPartDepth, MAX_JSON_DEPTH, tooDeep } from './json-input';

/** What normalising synth values needs from the loader. */
export interface SynthReferences {
  /**
   * Graph addresses (unresolvable ones kept raw) of the references in a template found at
   * `at.path()`; also where edges are recorded.
   */
  resolveTemplate(template: string, at: AttributePosition): readonly string[];
  warn(message: string): void;
}

/** The attribute path of the value being normalised, built only when asked for. */
export interface AttributePosition {
  path(): string;
}

function isUnresolvedCdkToken(s: string): boolean {
  return s.includes('${TfToken[') || s.includes('${Token[');
}

/**
 * A CDK token object: `creation_stack` (or `creationStack`) holds a list. Keys are compared
 * rather than looked up: a lookup of an absent key on objects of many shapes is slow.
 */
function isTokenObject(v: Record<string, unknown>): boolean {
  for (const key in v) if ((key === 'creation_stack' || key === 'creationStack') && Array.isArray(v[key])) return true;
  return false;
}

/** An object that `for...in` walks exactly as `Object.keys` lists it. */
function hasPlainPrototype(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Normalises synth (`cdk.tf.json`) attribute values, one attribute at a time. A subtree that
 * needs no change (no `"//"` key, no interpolation, no single-block list, no token object) is
 * returned as it is, shared with the input document: nothing mutates graph values (what-if
 * edits copy on write). The attribute path is built only for a warning or an edge.
 *
 * The walk is also the document's depth check for what it reads (see `assertDepth`): a list
 * or object `MAX_JSON_DEPTH` levels down is refused, and subtrees it skips are checked apart.
 */
export class SynthValueNormaliser implements AttributePosition {
  /** The input file, for errors. */
  file = '';
  /** Where we are, for warnings: `google_pubsub_topic.t` (after `stack/` in a folder of several). */
  where = '';
  /** Inside one instance of a count / for_each block: what count.index and each.* are. */
  instance: InstanceBinding | undefined = undefined;
  /** Path steps from the attribute down: object keys, and list indexes (none for a single-element list). */
  private readonly steps: (string | number)[] = [''];

  constructor(private readonly references: SynthReferences) {}

  /** The normalised value of attribute `key`, found `depth` levels below the document root. */
  attribute(key: string, value: unknown, depth: number): AttrValue {
    // Below the attribute, steps are pushed and popped in pairs (a throw ends the load, and
    // with it this normaliser), so the attribute is always the one step left here.
    this.steps[0] = key;
    return this.value(value, depth);
  }

  /** Dot path of the value being normalised: `dead_letter_policy.dead_letter_topic`, `cluster.1.zone`. */
  path(): string {
    const steps = this.steps;
    let path = String(steps[0]);
    for (let i = 1; i < steps.length; i++) {
      const step = steps[i];
      path = typeof step === 'number' || path !== '' ? `${path}.${step}` : step;
    }
    return path;
  }

  private value(v: unknown, depth: number): AttrValue {
    if (v === null || typeof v === 'boolean' || typeof v === 'number') return v;
    if (typeof v === 'string') return hasInterpolation(v) ? this.template(v) : v;
    if (typeof v !== 'object') return null;
    if (depth >= MAX_JSON_DEPTH) throw tooDeep(this.file);
    if (Array.isArray(v)) return this.list(v, depth);
    const obj = v as Record<string, unknown>;
    if (hasPlainPrototype(obj) && !isTokenObject(obj)) return this.object(obj, depth);
    // Rare shapes, read member by member: checked as a whole, as `assertDepth` walks them.
    assertPartDepth(obj, depth, this.file);
    return isTokenObject(obj) ? this.tokenObject(obj) : this.copyObject(obj, depth);
  }

  /** The object itself when no member changes, else a copy (made at the first change). */
  private object(obj: Record<string, unknown>, depth: number): AttrValue {
    let out: Record<string, AttrValue> | undefined;
    for (const key in obj) {
      if (key === '//') {
        assertPartDepth(obj[key], depth + 1, this.file);
        out ??= copyBefore(obj, key);
        continue;
      }
      const raw = obj[key];
      this.steps.push(key);
      const value = this.value(raw, depth + 1);
      this.steps.pop();
      // An own `__proto__` key must be written as the copy always wrote it.
      if (out === undefined && (value !== raw || key === '__proto__')) out = copyBefore(obj, key);
      if (out !== undefined) out[key] = value;
    }
    return out ?? (obj as Record<string, AttrValue>);
  }

  /** Objects with another prototype are copied member by member, as plain objects. */
  private copyObject(obj: Record<string, unknown>, depth: number): AttrValue {
    const out: Record<string, AttrValue> = {};
    for (const key of Object.keys(obj)) {
      if (key === '//') continue;
      this.steps.push(key);
      out[key] = this.value(obj[key], depth + 1);
      this.steps.pop();
    }
    return out;
  }

  /** The list itself when no element changes, else a copy; a list of one block is the block. */
  private list(list: unknown[], depth: number): AttrValue {
    const single = list.length === 1;
    let out: AttrValue[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const raw = list[i];
      if (raw === undefined && !(i in list)) continue; // a hole stays a hole
      if (!single) this.steps.push(i);
      const value = this.value(raw, depth + 1);
      if (!single) this.steps.pop();
      if (out === undefined && value !== raw) out = list.slice(0, i) as AttrValue[];
      if (out !== undefined) out[i] = value;
    }
    if (out !== undefined && out.length !== list.length) out.length = list.length; // trailing holes
    const result = out ?? (list as AttrValue[]);
    return single ? unwrapSingleBlock(result) : result;
  }

  private template(raw: string): AttrValue {
    let s = raw;
    if (this.instance) {
      const bound = bindTemplate(s, this.instance);
      if ('literal' in bound) return bound.literal;
      s = bound.template;
    }
    if (isUnresolvedCdkToken(s)) {
      this.references.warn(`${this.where}: ${this.path()} holds an unresolved CDK token (${s.slice(0, 60)}); read as pending`);
      return pending('token', [], s);
    }
    return pending('expression', this.references.resolveTemplate(s, this), s);
  }

  private tokenObject(obj: Record<string, unknown>): AttrValue {
    const value = obj.value;
    const path = this.path() || 'value';
    if (typeof value === 'string' && hasInterpolation(value)) {
      this.references.warn(`${this.where}: ${path} is a CDK token object, not a string; read as pending ${value}`);
      return pending('token', this.references.resolveTemplate(value, this), value);
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      this.references.warn(`${this.where}: ${path} is a CDK token object wrapping the literal ${JSON.stringify(value)}; unwrapped`);
      return value;
    }
    this.references.warn(`${this.where}: ${path} is a CDK token object with no usable value; read as pending`);
    return pending('token');
  }
}

/** A copy of `obj` holding its members before `stop` (which are unchanged), without `"//"`. */
function copyBefore(obj: Record<string, unknown>, stop: string): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const key in obj) {
    if (key === stop) break;
    if (key !== '//') out[key] = obj[key] as AttrValue;
  }
  return out;
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
    const sensitiveObj = isPlainObject(sensitive) ? sensitive : EMPTY;
    const out: Record<string, AttrValue> = {};
    // The value's keys, then those only `after_unknown` has (unless false): no key set per object.
    if (valueObj) for (const key of Object.keys(valueObj)) addPlanMember(out, key, valueObj, unknownObj, sensitiveObj, ctx, path);
    if (unknownObj) {
      for (const key of Object.keys(unknownObj)) {
        if (unknownObj[key] !== false && !(valueObj && Object.hasOwn(valueObj, key))) addPlanMember(out, key, valueObj, unknownObj, sensitiveObj, ctx, path);
      }
    }
    return out;
  }
  if (value === undefined) return undefined;
  return normaliseLiteral(value, ctx);
}

const EMPTY: Record<string, unknown> = Object.freeze({});

function addPlanMember(
  out: Record<string, AttrValue>,
  key: string,
  valueObj: Record<string, unknown> | undefined,
  unknownObj: Record<string, unknown> | undefined,
  sensitiveObj: Record<string, unknown>,
  ctx: PlanValueContext,
  path: string,
): void {
  if (key === '//') return;
  const child = normalisePlanValue(valueObj?.[key], unknownObj?.[key], sensitiveObj[key], ctx, path === '' ? key : `${path}.${key}`);
  if (child !== undefined) out[key] = child;
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
