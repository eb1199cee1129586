/**
 * References inside Terraform interpolations (`${...}` in synth output): every traversal
 * that names a resource, data source, variable, local or module output.
 * Function names (`lower(`), string literals and object keys are skipped.
 *
 * The scanners walk character codes and slice only what they return: every interpolation
 * string of every load passes through here, so no per-character regex or substring.
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

const DOLLAR = 0x24;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Scans the interpolation opened by the `${` at `at` (nested braces balanced, braces inside
 * string literals ignored). Returns the index just past its closing `}`; when it is never
 * closed (its body then runs to the end of the string), the negated index where the scan
 * ran out (one past the end after a trailing backslash), kept exact for `InterpolationSpan.end`.
 */
function interpolationEnd(s: string, at: number): number {
  let depth = 1;
  let j = at + 2;
  let inString = false;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    j += 1;
    if (inString) {
      if (c === BACKSLASH) j += 1;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE) depth += 1;
    else if (c === CLOSE_BRACE && --depth === 0) return j;
  }
  return -j;
}

/** Where the body of an interpolation ends, given what `interpolationEnd` returned. */
function bodyEnd(s: string, stop: number): number {
  return stop > 0 ? stop - 1 : s.length;
}

/** The `${ ... }` interpolations in a template string (nested braces balanced; `$${` is a literal). */
export function interpolationSpans(s: string): InterpolationSpan[] {
  const spans: InterpolationSpan[] = [];
  let i = s.indexOf('${');
  while (i !== -1) {
    // `$${` is an escaped literal `${` in Terraform templates.
    if (i > 0 && s.charCodeAt(i - 1) === DOLLAR) {
      i = s.indexOf('${', i + 2);
      continue;
    }
    const stop = interpolationEnd(s, i);
    const end = Math.abs(stop);
    spans.push({ start: i, end, body: s.slice(i + 2, bodyEnd(s, stop)) });
    i = s.indexOf('${', end);
  }
  return spans;
}

/** The bodies of the `${ ... }` interpolations in a template string. */
export function interpolationBodies(s: string): string[] {
  return interpolationSpans(s).map((x) => x.body);
}

const TRAVERSAL = /[A-Za-z_][A-Za-z0-9_-]*(?:\[(?:"(?:[^"\\]|\\.)*"|\d+|\*)\]|\.[A-Za-z_][A-Za-z0-9_-]*|\.\d+)*/y;
/** Whitespace (as `trimStart` removes it) then `(`: the traversal before it is a function name. */
const CALL_FOLLOWS = /\s*\(/y;
/**
 * Roots of references besides resource types. `each`, `count`, `self`, `path`, `terraform`
 * and keywords (`true`, `for`, `if`, ...) are neither these nor provider-prefixed types.
 */
const ROOTS = ['var', 'local', 'module', 'data'];

function isLetterOrUnderscore(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

/** A character that continues a name or traversal (`[A-Za-z0-9_.\-\]]`): a name starting after it is not a traversal root. */
function continuesTraversal(c: number): boolean {
  return isLetterOrUnderscore(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x5d;
}

function pushUnique(list: string[], item: string): void {
  if (!list.includes(item)) list.push(item);
}

/** Raw reference traversals in one expression body, in order, without duplicates. */
export function referencesInExpression(body: string): string[] {
  const refs: string[] = [];
  collectExpressionReferences(body, refs);
  return refs;
}

function collectExpressionReferences(body: string, refs: string[]): void {
  let i = 0;
  while (i < body.length) {
    const c = body.charCodeAt(i);
    if (c === QUOTE) {
      // Skip string literals, but look inside their nested interpolations.
      let j = i + 1;
      while (j < body.length && body.charCodeAt(j) !== QUOTE) {
        const d = body.charCodeAt(j);
        if (d === BACKSLASH) j += 1;
        else if (d === DOLLAR && body.charCodeAt(j + 1) === OPEN_BRACE) {
          const stop = interpolationEnd(body, j);
          collectExpressionReferences(body.slice(j + 2, bodyEnd(body, stop)), refs);
          // Continue just past the nested interpolation's closing brace (or stop at the end).
          j = (stop > 0 ? stop : body.length + 1) - 1;
        }
        j += 1;
      }
      i = j + 1;
      continue;
    }
    if (isLetterOrUnderscore(c) && (i === 0 || !continuesTraversal(body.charCodeAt(i - 1)))) {
      TRAVERSAL.lastIndex = i;
      TRAVERSAL.test(body); // always matches: it starts at a letter or underscore
      const end = TRAVERSAL.lastIndex;
      CALL_FOLLOWS.lastIndex = end;
      if (!CALL_FOLLOWS.test(body) && isReferenceRoot(body, i, rootEnd(body, i, end))) {
        const dot = body.indexOf('.', i);
        if (dot !== -1 && dot < end) pushUnique(refs, body.slice(i, end));
      }
      i = end;
      continue;
    }
    i += 1;
  }
}

/** Where the first step of a traversal ends (its first `.` or `[`). */
function rootEnd(body: string, start: number, end: number): number {
  let k = start;
  while (k < end) {
    const c = body.charCodeAt(k);
    if (c === 0x2e || c === 0x5b) break;
    k += 1;
  }
  return k;
}

/** Whether `text` from `start` to `end` is a reference root (compared in place: no substring per traversal). */
function isReferenceRoot(text: string, start: number, end: number): boolean {
  for (const root of ROOTS) if (end - start === root.length && text.startsWith(root, start)) return true;
  return isResourceTypeAt(text, start, end);
}

/** Resource types carry their provider prefix: `google_pubsub_topic`, `random_id`. */
export function isResourceType(word: string): boolean {
  return isResourceTypeAt(word, 0, word.length);
}

/** `/^[a-z0-9]+_[a-z0-9_]+$/` on `text` from `start` to `end`: lowercase words, the first not empty, joined by `_`. */
function isResourceTypeAt(text: string, start: number, end: number): boolean {
  let firstUnderscore = -1;
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x5f) {
      if (k === start) return false;
      if (firstUnderscore === -1) firstUnderscore = k;
    } else if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39))) return false;
  }
  return firstUnderscore !== -1 && firstUnderscore < end - 1;
}

/** All raw references in a template string. */
export function referencesInTemplate(s: string): string[] {
  const refs: string[] = [];
  let i = s.indexOf('${');
  while (i !== -1) {
    if (i > 0 && s.charCodeAt(i - 1) === DOLLAR) {
      i = s.indexOf('${', i + 2);
      continue;
    }
    const stop = interpolationEnd(s, i);
    collectExpressionReferences(s.slice(i + 2, bodyEnd(s, stop)), refs);
    i = s.indexOf('${', Math.abs(stop));
  }
  return refs;
}
