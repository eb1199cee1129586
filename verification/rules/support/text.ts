/**
 * The strings in an attribute value, as graph/values' textOf reads them (pending expressions and
 * their references included), without its intermediate arrays: rules search these texts for
 * every alert condition and workload, so they are built with one allocation each.
 */
import type { AttrValue } from '../../graph/types';
import { isPending } from '../../graph/types';

/** Reused between calls (never while one is running), so collecting allocates nothing. */
const collected: string[] = [];

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
    for (const r of x.references) collected.push(r);
  } else if (Array.isArray(x)) {
    for (const item of x) collect(item);
  } else if (typeof x === 'object') {
    for (const key in x) if (Object.prototype.hasOwnProperty.call(x, key)) collect(x[key]);
  }
}
