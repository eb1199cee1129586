/**
 * `count` and `for_each` in synth output (or hand-written Terraform JSON): the instances a
 * resource block stands for, addressed as Terraform addresses them (`name[0]`,
 * `name["key"]`), so a synth folder and the plan made from it name the same resources.
 * Inside each instance, `count.index`, `each.key` and literal `each.value` are filled in.
 */
import { InputError } from '../engine/errors';
import { formatKey, type AddressKey } from './address';
import { hasInterpolation, interpolationSpans } from './references';
import type { AttrValue } from './types';

/** What `count.index` / `each.key` / `each.value` are inside one instance. */
export interface InstanceBinding {
  countIndex?: number;
  eachKey?: string;
  /** The raw for_each value of this key (may itself hold interpolations). */
  eachValue?: unknown;
}

export interface InstanceSpec {
  key?: AddressKey;
  binding?: InstanceBinding;
}

/**
 * The instances of one block: one keyless instance without count/for_each; none for
 * `count = 0` or an empty `for_each`; `pending` (with the expression) when the count or
 * the key set is known only at apply.
 */
export type Expansion = { instances: InstanceSpec[] } | { pending: { argument: 'count' | 'for_each'; expression: string } };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SINGLE: Expansion = { instances: [{}] };

/**
 * Terraform's own rules: count a whole number >= 0; for_each a map (an object) or a set of
 * strings, which JSON can only write as an interpolation; not both.
 */
export function expandBlock(body: { count?: unknown; for_each?: unknown }, locals: Record<string, unknown>, file: string, where: string): Expansion {
  const hasCount = body.count !== undefined && body.count !== null;
  const hasForEach = body.for_each !== undefined && body.for_each !== null;
  if (!hasCount && !hasForEach) return SINGLE;
  if (hasCount && hasForEach) throw new InputError(`${file}: ${where} sets both count and for_each, which Terraform refuses`);
  if (hasCount) {
    const value = literalOf(body.count, locals);
    if (value === PENDING) return { pending: { argument: 'count', expression: expressionText(body.count) } };
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw new InputError(`${file}: ${where}.count is ${shortJson(body.count)}; Terraform needs a whole number of 0 or more`);
    }
    return { instances: Array.from({ length: n }, (_, i) => ({ key: i, binding: { countIndex: i } })) };
  }
  const value = literalOf(body.for_each, locals);
  if (value === PENDING) return { pending: { argument: 'for_each', expression: expressionText(body.for_each) } };
  if (!isPlainObject(value)) {
    throw new InputError(
      `${file}: ${where}.for_each is ${shortJson(body.for_each)}; Terraform needs a map or a set of strings (write a list as "\${toset([...])}")`,
    );
  }
  // Terraform orders instances by key.
  const keys = Object.keys(value)
    .filter((k) => k !== '//')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { instances: keys.map((k) => ({ key: k, binding: { eachKey: k, eachValue: value[k] } })) };
}

const PENDING = Symbol('pending');

/** A meta-argument's literal value: a JSON literal, a CDK token object wrapping one, or `${local.x}` naming a literal local. */
function literalOf(raw: unknown, locals: Record<string, unknown>): unknown {
  if (isPlainObject(raw) && (Array.isArray(raw.creation_stack) || Array.isArray(raw.creationStack))) return literalOf(raw.value, locals);
  if (typeof raw === 'string') {
    if (!hasInterpolation(raw)) return raw;
    const set = /^\$\{\s*toset\(\s*(\[[^\]]*\])\s*\)\s*\}$/.exec(raw);
    if (set) {
      const members = parseStringList(set[1]);
      if (members) return Object.fromEntries(members.map((m) => [m, m]));
    }
    const local = /^\$\{\s*local\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}$/.exec(raw);
    if (local && Object.prototype.hasOwnProperty.call(locals, local[1])) {
      const value = locals[local[1]];
      if (!containsInterpolation(value, 0)) return value;
    }
    return PENDING;
  }
  if (containsInterpolation(raw, 0)) {
    // A map literal whose values are pending still has known keys.
    if (isPlainObject(raw)) return raw;
    return PENDING;
  }
  return raw;
}

/** `["a", "b"]` written inside an expression, when it is a plain list of literal strings. */
function parseStringList(text: string): string[] | undefined {
  try {
    const list: unknown = JSON.parse(text);
    if (Array.isArray(list) && list.every((x) => typeof x === 'string' && !hasInterpolation(x))) return list as string[];
  } catch {
    // not a literal list (an expression inside): pending
  }
  return undefined;
}

function containsInterpolation(v: unknown, depth: number): boolean {
  if (depth > 64) return true;
  if (typeof v === 'string') return hasInterpolation(v);
  if (Array.isArray(v)) return v.some((x) => containsInterpolation(x, depth + 1));
  if (isPlainObject(v)) return Object.values(v).some((x) => containsInterpolation(x, depth + 1));
  return false;
}

function expressionText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (isPlainObject(raw) && typeof raw.value === 'string') return raw.value;
  return shortJson(raw);
}

function shortJson(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Local address of one instance: `google_x.y[0]`, `data.google_x.y["k"]`. */
export function instanceAddress(localAddress: string, key: AddressKey | undefined): string {
  return key === undefined ? localAddress : `${localAddress}${formatKey(key)}`;
}

export type Bound = { literal: AttrValue } | { template: string };

/**
 * A template string inside an instance: every interpolation that is only `count.index`,
 * `each.key` or a literal `each.value[...]` is filled in. When nothing else remains the
 * result is a literal (a lone `${count.index}` stays a number); otherwise the template with
 * `[count.index]` / `[each.key]` index steps made literal, so its references name the
 * right instance.
 */
export function bindTemplate(s: string, b: InstanceBinding): Bound {
  const spans = interpolationSpans(s);
  let out = '';
  let at = 0;
  let allBound = true;
  let lone: AttrValue | undefined;
  for (const span of spans) {
    const value = boundValue(span.body.trim(), b);
    out += s.slice(at, span.start);
    if (value === undefined) {
      allBound = false;
      out += s.slice(span.start, span.end);
    } else {
      out += String(value);
      if (spans.length === 1 && span.start === 0 && span.end === s.length) lone = value;
    }
    at = span.end;
  }
  out += s.slice(at);
  if (allBound && !/(^|[^%])%\{/.test(out)) {
    if (lone !== undefined) return { literal: lone };
    return { literal: out.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{') };
  }
  return { template: literalIndexSteps(out, b) };
}

function literalIndexSteps(s: string, b: InstanceBinding): string {
  let out = s;
  if (b.countIndex !== undefined) out = out.replace(/\[\s*count\.index\s*\]/g, `[${b.countIndex}]`);
  if (b.eachKey !== undefined) out = out.replace(/\[\s*each\.key\s*\]/g, formatKey(b.eachKey));
  return out;
}

const EACH_VALUE_PATH = /^each\.value((?:\.[A-Za-z_][A-Za-z0-9_-]*|\["(?:[^"\\]|\\.)*"\]|\[\d+\])*)$/;

function boundValue(body: string, b: InstanceBinding): string | number | boolean | undefined {
  if (body === 'count.index') return b.countIndex;
  if (body === 'each.key') return b.eachKey;
  if (b.eachKey === undefined) return undefined;
  const m = EACH_VALUE_PATH.exec(body);
  if (!m) return undefined;
  let cur: unknown = b.eachValue;
  const steps = m[1].match(/\.[A-Za-z_][A-Za-z0-9_-]*|\["(?:[^"\\]|\\.)*"\]|\[\d+\]/g) ?? [];
  for (const step of steps) {
    const key: string | number = step.startsWith('.') ? step.slice(1) : step.startsWith('["') ? (JSON.parse(step.slice(1, -1)) as string) : Number(step.slice(1, -1));
    if (Array.isArray(cur) && typeof key === 'number') cur = cur[key];
    else if (isPlainObject(cur) && typeof key === 'string' && Object.prototype.hasOwnProperty.call(cur, key)) cur = cur[key];
    else return undefined;
  }
  if (typeof cur === 'string') return hasInterpolation(cur) ? undefined : cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return cur;
  return undefined;
}
