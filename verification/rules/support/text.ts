/**
 * The strings in an attribute value, as graph/values' textOf reads them (pending expressions and
 * their references included), without its intermediate arrays: rules search these texts for
 * every alert condition and workload, so they are built with one allocation each.
 */
import type { AttrValue } from '../../graph/types';
import { isPending } from '../../graph/types';

/** Reused between calls (never while one is running), so collecting allocates nothing. */
const collected: string[] = [];

/**
 * Calls `visit` with the pieces of `textOf(a) + textOf(b)` (two texts joined with no separator)
 * between the newlines textOf puts between strings, in order: every string of each value, except
 * that the last string of `a` and the first of `b` form one piece. A pattern of word characters
 * between \b assertions (a newline is not a word character) finds in the pieces exactly the
 * matches it finds in the joined text, which is never built.
 */
export function forEachPiece(a: AttrValue | undefined, b: AttrValue | undefined, visit: (piece: string) => void): void {
  // The last string of `a` waits for the first of `b`.
  let last: string | undefined;
  forEachString(a, (s) => {
    if (last !== undefined) visit(last);
    last = s;
  });
  forEachString(b, (s) => {
    if (last !== undefined) {
      visit(last + s);
      last = undefined;
    } else visit(s);
  });
  if (last !== undefined) visit(last);
}

/** Every string in the value, in textOf's order. */
function forEachString(x: AttrValue | undefined, visit: (s: string) => void): void {
  if (x === undefined || x === null) return;
  if (typeof x === 'string') visit(x);
  else if (isPending(x)) {
    visit(x.expression ?? '');
    for (let i = 0; i < x.references.length; i++) visit(x.references[i]);
  } else if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) forEachString(x[i], visit);
  } else if (typeof x === 'object') {
    for (const key in x) if (Object.prototype.hasOwnProperty.call(x, key)) forEachString(x[key], visit);
  }
}

/** textOf(v): every string in the value, joined by newlines. */
export function joinedText(v: AttrValue | undefined): string {
  collect(v);
  const text = collected.join('\n');
  collected.length = 0;
  return text;
}

function collect(x: AttrValue | undefined): void {
  if (x === undefined || x === null) return;
  if (typeof x === 'string') collected.push(x);
  else if (isPending(x)) {
    collected.push(x.expression ?? '');
    for (let i = 0; i < x.references.length; i++) collected.push(x.references[i]);
  } else if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) collect(x[i]);
  } else if (typeof x === 'object') {
    for (const key in x) if (Object.prototype.hasOwnProperty.call(x, key)) collect(x[key]);
  }
}
