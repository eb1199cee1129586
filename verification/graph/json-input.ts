/**
 * Reading JSON input safely: size limit, empty files, parse errors with a position, and a
 * nesting-depth guard so no later recursive walk can overflow the stack.
 */
import { MAX_INPUT_BYTES, readInputText } from './input-file';
import { InputError } from '../engine/errors';

/** Deeper than any real Terraform document (plans nest modules and blocks ~20 levels). */
export const MAX_JSON_DEPTH = 200;
export { MAX_INPUT_BYTES } from './input-file';

export function readJsonFile(path: string, what = 'input', maxBytes = MAX_INPUT_BYTES): unknown {
  return parseJsonText(readInputText(path, `${what} JSON`, { maxBytes }), path, what);
}

export function parseJsonText(text: string, path: string, what = 'input'): unknown {
  if (text.trim() === '') throw new InputError(`${path}: file is empty, expected ${what} JSON`);
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    const detail = e instanceof RangeError ? 'nested too deeply' : (e as Error).message;
    throw new InputError(`${path}: not valid JSON (${detail})`);
  }
  assertDepth(doc, path);
  return doc;
}

/**
 * Recursive but bounded by `max` (far below the stack limit), and allocation-free, so it
 * costs a fraction of the parse it follows.
 */
export function assertDepth(doc: unknown, path: string, max = MAX_JSON_DEPTH, format = 'JSON'): void {
  if (!withinDepth(doc, max)) throw tooDeep(path, max, format);
}

/** The same check for one part of a document, found `depth` levels below its root. */
export function assertPartDepth(part: unknown, depth: number, path: string): void {
  if (!withinDepth(part, MAX_JSON_DEPTH - depth)) throw tooDeep(path);
}

/** The error for a document with a list or object `max` levels down (or deeper). */
export function tooDeep(path: string, max = MAX_JSON_DEPTH, format = 'JSON'): InputError {
  return new InputError(`${path}: ${format} nested deeper than ${max} levels`);
}

function withinDepth(v: unknown, remaining: number): boolean {
  if (typeof v !== 'object' || v === null) return true;
  if (remaining <= 0) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const c = v[i];
      if (typeof c === 'object' && c !== null && !withinDepth(c, remaining - 1)) return false;
    }
    return true;
  }
  for (const key in v) {
    const c = (v as Record<string, unknown>)[key];
    if (typeof c === 'object' && c !== null && !withinDepth(c, remaining - 1)) return false;
  }
  return true;
}
