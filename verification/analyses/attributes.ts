/**
 * Attribute reading for the analyses, on top of graph/values: a number is `undefined` when
 * not set (a default applies), `null` when pending (the computation becomes unknown).
 */
import { asBoolean, asList, asNumber, asRecord, asString, readAttr } from '../graph/values';
import { isPending, type AttrValue, type Resource } from '../graph/types';
import { collectStrings } from '../model/graph-index';

export type Maybe<T> = T | undefined | null;

export function num(r: Resource, path: string): Maybe<number> {
  const v = readAttr(r, path);
  if (v === undefined || v === null) return undefined;
  if (isPending(v)) return null;
  return asNumber(v) ?? null;
}

export function str(r: Resource, path: string): Maybe<string> {
  const v = readAttr(r, path);
  if (v === undefined || v === null) return undefined;
  if (isPending(v)) return null;
  return asString(v) ?? null;
}

export function bool(r: Resource, path: string): Maybe<boolean> {
  const v = readAttr(r, path);
  if (v === undefined || v === null) return undefined;
  if (isPending(v)) return null;
  return asBoolean(v) ?? null;
}

/** Blocks at a path, one or many, as records (pending blocks are skipped; see `blocksPending`). */
export function blocks(r: Resource | Record<string, AttrValue>, path: string): Record<string, AttrValue>[] {
  const v = 'values' in r && 'address' in r ? readAttr(r as Resource, path) : walk(r as Record<string, AttrValue>, path);
  const found: Record<string, AttrValue>[] = [];
  for (const b of asList(v)) {
    const rec = asRecord(b);
    if (rec) found.push(rec);
  }
  return found;
}

/** The value at a dot path in a block; step by step without splitting the path (read per block, per resource). */
function walk(obj: Record<string, AttrValue>, path: string): AttrValue | undefined {
  let cur: AttrValue | undefined = obj;
  for (let start = 0; ; ) {
    const rec = asRecord(cur);
    if (!rec) return isPending(cur) ? cur : undefined;
    const dot = path.indexOf('.', start);
    if (dot < 0) return rec[start === 0 ? path : path.slice(start)];
    cur = rec[path.slice(start, dot)];
    start = dot + 1;
  }
}

/** A value inside a block. */
export function field(block: Record<string, AttrValue> | undefined, path: string): AttrValue | undefined {
  return block ? walk(block, path) : undefined;
}

export function fieldNum(block: Record<string, AttrValue> | undefined, path: string): Maybe<number> {
  const v = field(block, path);
  if (v === undefined || v === null) return undefined;
  if (isPending(v)) return null;
  return asNumber(v) ?? null;
}

export function fieldStr(block: Record<string, AttrValue> | undefined, path: string): Maybe<string> {
  const v = field(block, path);
  if (v === undefined || v === null) return undefined;
  if (isPending(v)) return null;
  return asString(v) ?? null;
}

export function fieldBool(block: Record<string, AttrValue> | undefined, path: string): Maybe<boolean> {
  const v = field(block, path);
  if (v === undefined || v === null) return undefined;
  if (isPending(v)) return null;
  return asBoolean(v) ?? null;
}

/**
 * A value with the provider's default when unset: unset (undefined) takes `fallback`, while
 * pending or unreadable (null) stays null, so it is judged unknown rather than as the default
 * (`?? fallback` would take the default for both).
 */
export function unsetOr<T>(v: Maybe<T>, fallback: T): T | null {
  return v === undefined ? fallback : v;
}

const DURATION_UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "604800s", "1.5s", "168h", "7d" -> seconds; pending -> null; unparsable -> null. */
export function durationSeconds(v: AttrValue | undefined): Maybe<number> {
  if (v === undefined || v === null) return undefined;
  if (isPending(v)) return null;
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/.exec(v);
  if (!m) return null;
  return Number(m[1]) * DURATION_UNIT_SECONDS[m[2]];
}

/** Cloud Run CPU notation: "1", "2", "1000m" -> vCPU. */
export function parseCpu(v: Maybe<string>): Maybe<number> {
  if (v === undefined || v === null) return v;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(v.trim());
  if (!m) return null;
  return m[2] === 'm' ? Number(m[1]) / 1000 : Number(m[1]);
}

const MEMORY_UNIT_GIB: Record<string, number> = {
  Ki: 1 / (1024 * 1024),
  Mi: 1 / 1024,
  Gi: 1,
  K: 1e3 / 2 ** 30,
  M: 1e6 / 2 ** 30,
  G: 1e9 / 2 ** 30,
};

/** Kubernetes memory notation: "512Mi", "2Gi", "1G" -> GiB. */
export function parseMemoryGiB(v: Maybe<string>): Maybe<number> {
  if (v === undefined || v === null) return v;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)$/.exec(v.trim());
  if (!m) return null;
  return Number(m[1]) * MEMORY_UNIT_GIB[m[2]];
}

/** All string leaves under a value (to find literal names inside env vars or parameters). */
export function stringLeaves(v: AttrValue | undefined, out: string[] = []): string[] {
  return collectStrings(v, out);
}

/** Environment variables of a Cloud Run v2 service's containers: name -> value (pending kept). */
export function containerEnv(r: Resource): Map<string, AttrValue> {
  const env = new Map<string, AttrValue>();
  for (const c of asList(readAttr(r, 'template.containers'))) {
    for (const e of asList(asRecord(c)?.env)) {
      const rec = asRecord(e);
      const name = asString(rec?.name);
      if (rec && name) env.set(name, rec.value ?? null);
    }
  }
  return env;
}

/**
 * One variable of `containerEnv(r)` without building the map (for readers that want one or
 * two): its value (null when set without one; the last setting wins), undefined when unset.
 */
export function containerEnvVar(r: Resource, name: string): AttrValue | undefined {
  let value: AttrValue | undefined;
  for (const c of asList(readAttr(r, 'template.containers'))) {
    for (const e of asList(asRecord(c)?.env)) {
      const rec = asRecord(e);
      if (rec && rec.name === name) value = rec.value ?? null;
    }
  }
  return value;
}

/** `containerEnv(r).has(name)` without building the map. */
export function hasContainerEnvVar(r: Resource, name: string): boolean {
  return containerEnvVar(r, name) !== undefined;
}
