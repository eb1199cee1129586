/**
 * References inside Terraform interpolations (`${...}` in synth output): every traversal
 * that names a resource, data source, variable, local or module output.
 * Function names (`lower(`), string literals and object keys are skipped.
 *
 * The scanners walk character codes within bounds of the template itself and slice only the
 * references they return: every interpolation string of every load passes through here, so
 * no substring per interpolation or step and no regex per traversal.
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
 * Scans the interpolation opened by the `${` at `at`, up to `limit` (nested braces balanced,
 * braces inside string literals ignored). Returns the index just past its closing `}`; when it
 * is never closed (its body then runs to `limit`), the negated index where the scan ran out
 * (one past `limit` after a trailing backslash), kept exact for `InterpolationSpan.end`.
 */
function interpolationEnd(s: string, at: number, limit: number): number {
  let depth = 1;
  let j = at + 2;
  let inString = false;
  while (j < limit) {
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
function bodyEnd(stop: number, limit: number): number {
  return stop > 0 ? stop - 1 : limit;
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
    const stop = interpolationEnd(s, i, s.length);
    const end = Math.abs(stop);
    spans.push({ start: i, end, body: s.slice(i + 2, bodyEnd(stop, s.length)) });
    i = s.indexOf('${', end);
  }
  return spans;
}

/** The bodies of the `${ ... }` interpolations in a template string. */
export function interpolationBodies(s: string): string[] {
  return interpolationSpans(s).map((x) => x.body);
}

/**
 * Roots of references besides resource types. `each`, `count`, `self`, `path`, `terraform`
 * and keywords (`true`, `for`, `if`, ...) are neither these nor provider-prefixed types.
 */
const ROOTS = ['var', 'local', 'module', 'data'];

const DOT = 0x2e;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_PAREN = 0x28;
const STAR = 0x2a;

/** ASCII character classes for the scanners, one table lookup per character. */
const NAME_START = 1; // [A-Za-z_]
const NAME_PART = 2; // [A-Za-z0-9_-]
const CONTINUES_TRAVERSAL = 8; // [A-Za-z0-9_.\-\]]: a name right after one is not a traversal root
const CLASSES = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) CLASSES[c] |= NAME_START;
  if (/[A-Za-z0-9_-]/.test(ch)) CLASSES[c] |= NAME_PART;
  if (/[A-Za-z0-9_.\-\]]/.test(ch)) CLASSES[c] |= CONTINUES_TRAVERSAL;
}

/** The first `.` in `s` from `start` up to `end` (-1 when none): a search bounded by the traversal, not the template. */
function dotIndex(s: string, start: number, end: number): number {
  for (let i = start; i < end; i++) if (s.charCodeAt(i) === DOT) return i;
  return -1;
}

function hasDot(s: string, start: number, end: number): boolean {
  return dotIndex(s, start, end) !== -1;
}

function hasClass(c: number, cls: number): boolean {
  return c < 128 && (CLASSES[c] & cls) !== 0;
}

function isLetterOrUnderscore(c: number): boolean {
  return hasClass(c, NAME_START);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A character that continues a name or traversal: a name starting after it is not a traversal root. */
function continuesTraversal(c: number): boolean {
  return hasClass(c, CONTINUES_TRAVERSAL);
}

/** What `\s` matches (and `trimStart` removes). */
function isWhitespace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

function isLineTerminator(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
}

/** Receives the raw references of a template one by one, in order, repeats included. */
export interface ReferenceVisitor {
  reference(raw: string): void;
}

/** Collects references without duplicates. */
class ReferenceList implements ReferenceVisitor {
  readonly refs: string[] = [];
  reference(raw: string): void {
    if (!this.refs.includes(raw)) this.refs.push(raw);
  }
}

/** Visits the references in the expression from `start` to `limit` of `s` (an interpolation body). */
function visitExpressionReferences(s: string, start: number, limit: number, visitor: ReferenceVisitor): void {
  let i = start;
  while (i < limit) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      // Skip string literals, but look inside their nested interpolations.
      let j = i + 1;
      while (j < limit && s.charCodeAt(j) !== QUOTE) {
        const d = s.charCodeAt(j);
        if (d === BACKSLASH) j += 1;
        else if (d === DOLLAR && j + 1 < limit && s.charCodeAt(j + 1) === OPEN_BRACE) {
          const stop = interpolationEnd(s, j, limit);
          visitExpressionReferences(s, j + 2, bodyEnd(stop, limit), visitor);
          // Continue just past the nested interpolation's closing brace (or stop at the end).
          j = (stop > 0 ? stop : limit + 1) - 1;
        }
        j += 1;
      }
      i = j + 1;
      continue;
    }
    if (isLetterOrUnderscore(c) && (i === start || !continuesTraversal(s.charCodeAt(i - 1)))) {
      const end = traversalEnd(s, i, limit);
      if (!callFollows(s, end, limit)) {
        const rootEnd = traversalRootEnd(s, i, end);
        // A reference has a second step: `var.x`, `google_x.y` (a dot may also sit inside a key).
        if (hasDot(s, i, end) && isReferenceRoot(s, i, rootEnd)) visitor.reference(s.slice(i, end));
      }
      i = end;
      continue;
    }
    i += 1;
  }
}

/*
 * A traversal is what `/[A-Za-z_][A-Za-z0-9_-]*(?:\[(?:"(?:[^"\\]|\\.)*"|\d+|\*)\]|\.[A-Za-z_][A-Za-z0-9_-]*|\.\d+)*\/`
 * matches: a name, then `[key]` (quoted, numeric or `*`), `.name` and `.0` steps. Matched by
 * hand, within the body's bounds; each step is recognised by its first characters, so no
 * backtracking is lost. None of these reads past `limit` (`charCodeAt` out of bounds gives
 * NaN, and optimised code that meets it runs markedly slower ever after).
 */

/** End of the traversal that starts at `start` (a letter or `_`). */
function traversalEnd(s: string, start: number, limit: number): number {
  let end = nameEnd(s, start, limit);
  for (let next = stepEnd(s, end, limit); next !== -1; next = stepEnd(s, end, limit)) end = next;
  return end;
}

/** End of the name (`[A-Za-z_][A-Za-z0-9_-]*`) at `start`, which starts with a letter or `_`. */
/** End of the identifier (`[A-Za-z_][A-Za-z0-9_-]*`) at `start` of `s`, before `limit`; `start` when none starts there. */
export function identifierEnd(s: string, start: number, limit = s.length): number {
  return start < limit && isLetterOrUnderscore(s.charCodeAt(start)) ? nameEnd(s, start, limit) : start;
}

function nameEnd(s: string, start: number, limit: number): number {
  let i = start + 1;
  while (i < limit && isNameCharacter(s.charCodeAt(i))) i += 1;
  return i;
}

function isNameCharacter(c: number): boolean {
  return hasClass(c, NAME_PART);
}

function digitsEnd(s: string, start: number, limit: number): number {
  let i = start;
  while (i < limit && isDigit(s.charCodeAt(i))) i += 1;
  return i;
}

/** End of one `.name`, `.0` or `[key]` step at `i`; -1 when no step starts there. */
function stepEnd(s: string, i: number, limit: number): number {
  if (i + 1 >= limit) return -1; // every step is two characters at least
  const c = s.charCodeAt(i);
  const next = s.charCodeAt(i + 1);
  if (c === DOT) {
    if (isLetterOrUnderscore(next)) return nameEnd(s, i + 1, limit);
    return isDigit(next) ? digitsEnd(s, i + 1, limit) : -1;
  }
  if (c !== OPEN_BRACKET) return -1;
  const keyEnd = next === QUOTE ? quotedEnd(s, i + 1, limit) : isDigit(next) ? digitsEnd(s, i + 1, limit) : next === STAR ? i + 2 : -1;
  return keyEnd !== -1 && keyEnd < limit && s.charCodeAt(keyEnd) === CLOSE_BRACKET ? keyEnd + 1 : -1;
}

/** End of the quoted key at `start` (after its closing quote); -1 when unterminated or an escape is followed by a line break. */
function quotedEnd(s: string, start: number, limit: number): number {
  let i = start + 1;
  while (i < limit) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      if (i + 1 >= limit || isLineTerminator(s.charCodeAt(i + 1))) return -1;
      i += 2;
    } else i += 1;
  }
  return -1;
}

/** Whitespace then `(` at `i`: the traversal before it is a function name. */
function callFollows(s: string, i: number, limit: number): boolean {
  let j = i;
  while (j < limit && isWhitespace(s.charCodeAt(j))) j += 1;
  return j < limit && s.charCodeAt(j) === OPEN_PAREN;
}

/** Where the first step of a traversal ends (its first `.` or `[`). */
function traversalRootEnd(s: string, start: number, end: number): number {
  let k = start;
  while (k < end) {
    const c = s.charCodeAt(k);
    if (c === DOT || c === OPEN_BRACKET) break;
    k += 1;
  }
  return k;
}

/** Whether `text` from `start` to `end` is a reference root (compared in place: no substring per traversal). */
function isReferenceRoot(text: string, start: number, end: number): boolean {
  if (isResourceTypeAt(text, start, end)) return true;
  for (let r = 0; r < ROOTS.length; r++) if (end - start === ROOTS[r].length && text.startsWith(ROOTS[r], start)) return true;
  return false;
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

/**
 * An interpolation whose body is a plain dotted traversal (`${google_x.y.name}`, most of
 * them): matched by one native regex test, its end found without a scan character by character.
 */
const PLAIN_BODY = /[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*\}/y;

/** All raw references in a template string, in order, without duplicates. */
export function referencesInTemplate(s: string): string[] {
  const list = new ReferenceList();
  visitTemplateReferences(s, list);
  return list.refs;
}

/** Visits each raw reference in a template string, in order, repeats included (no list is built). */
export function visitTemplateReferences(s: string, visitor: ReferenceVisitor): void {
  let i = s.indexOf('${');
  while (i !== -1) {
    if (i > 0 && s.charCodeAt(i - 1) === DOLLAR) {
      i = s.indexOf('${', i + 2);
      continue;
    }
    const start = i + 2;
    PLAIN_BODY.lastIndex = start;
    if (PLAIN_BODY.test(s)) {
      // The scan below would find this one traversal, ending at the `}`.
      const end = PLAIN_BODY.lastIndex - 1;
      const dot = dotIndex(s, start, end);
      if (dot !== -1 && isReferenceRoot(s, start, dot)) visitor.reference(s.slice(start, end));
      i = s.indexOf('${', end + 1);
      continue;
    }
    const stop = interpolationEnd(s, i, s.length);
    visitExpressionReferences(s, start, bodyEnd(stop, s.length), visitor);
    i = s.indexOf('${', Math.abs(stop));
  }
}
