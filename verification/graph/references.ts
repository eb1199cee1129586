/**
 * References inside Terraform interpolations (`${...}` in synth output): every traversal
 * that names a resource, data source, variable, local or module output.
 * Function names (`lower(`), string literals and object keys are skipped.
 */

/** True when the string holds an interpolation (or is an unresolved CDK token). */
export function hasInterpolation(s: string): boolean {
  return s.includes('${');
}

/** One `${ ... }` interpolation: where it starts (at `$`), where it ends (after `}`), its body. */
export interface InterpolationSpan {
  start: number;
  end: number;
  body: string;
}

/** The `${ ... }` interpolations in a template string (nested braces balanced; `$${` is a literal). */
export function interpolationSpans(s: string): InterpolationSpan[] {
  const spans: InterpolationSpan[] = [];
  let i = s.indexOf('${');
  while (i !== -1) {
    // `$${` is an escaped literal `${` in Terraform templates.
    if (i > 0 && s[i - 1] === '$') {
      i = s.indexOf('${', i + 2);
      continue;
    }
    let depth = 1;
    let j = i + 2;
    let inString = false;
    while (j < s.length && depth > 0) {
      const c = s[j];
      if (inString) {
        if (c === '\\') j += 1;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth += 1;
      else if (c === '}') depth -= 1;
      j += 1;
    }
    spans.push({ start: i, end: j, body: s.slice(i + 2, depth === 0 ? j - 1 : j) });
    i = s.indexOf('${', j);
  }
  return spans;
}

/** The bodies of the `${ ... }` interpolations in a template string. */
export function interpolationBodies(s: string): string[] {
  return interpolationSpans(s).map((x) => x.body);
}

const TRAVERSAL = /[A-Za-z_][A-Za-z0-9_-]*(?:\[(?:"(?:[^"\\]|\\.)*"|\d+|\*)\]|\.[A-Za-z_][A-Za-z0-9_-]*|\.\d+)*/y;
const ROOTS = new Set(['var', 'local', 'module', 'data']);
const IGNORED_ROOTS = new Set(['each', 'count', 'self', 'path', 'terraform', 'true', 'false', 'null', 'for', 'in', 'if', 'else', 'endif', 'endfor']);

/** Raw reference traversals in one expression body, in order, without duplicates. */
export function referencesInExpression(body: string): string[] {
  const refs: string[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === '"') {
      // Skip string literals, but look inside their nested interpolations.
      let j = i + 1;
      while (j < body.length && body[j] !== '"') {
        if (body[j] === '\\') j += 1;
        else if (body[j] === '$' && body[j + 1] === '{') {
          const inner = interpolationBodies(body.slice(j));
          if (inner.length > 0) for (const r of referencesInExpression(inner[0])) if (!refs.includes(r)) refs.push(r);
          j += 2 + (inner[0]?.length ?? 0);
        }
        j += 1;
      }
      i = j + 1;
      continue;
    }
    const prev = i > 0 ? body[i - 1] : '';
    if (/[A-Za-z_]/.test(c) && !/[A-Za-z0-9_.\-\]]/.test(prev)) {
      TRAVERSAL.lastIndex = i;
      const m = TRAVERSAL.exec(body);
      if (m) {
        const text = m[0];
        const after = body.slice(i + text.length).trimStart();
        const root = text.split(/[.[]/, 1)[0];
        const isCall = after.startsWith('(');
        if (!isCall && !IGNORED_ROOTS.has(root) && (ROOTS.has(root) || isResourceType(root)) && text.includes('.')) {
          if (!refs.includes(text)) refs.push(text);
        }
        i += text.length;
        continue;
      }
    }
    i += 1;
  }
  return refs;
}

/** Resource types carry their provider prefix: `google_pubsub_topic`, `random_id`. */
export function isResourceType(word: string): boolean {
  return /^[a-z0-9]+_[a-z0-9_]+$/.test(word);
}

/** Templates recur (every resource refers to the same few); bounded so memory stays flat. */
const templateCache = new Map<string, readonly string[]>();
const TEMPLATE_CACHE_LIMIT = 20_000;

/** All raw references in a template string. */
export function referencesInTemplate(s: string): string[] {
  const hit = templateCache.get(s);
  if (hit) return [...hit];
  const refs = scanTemplate(s);
  if (templateCache.size >= TEMPLATE_CACHE_LIMIT) templateCache.clear();
  templateCache.set(s, refs);
  return [...refs];
}

function scanTemplate(s: string): string[] {
  const out: string[] = [];
  for (const body of interpolationBodies(s)) {
    for (const r of referencesInExpression(body)) if (!out.includes(r)) out.push(r);
  }
  return out;
}
