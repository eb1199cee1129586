/** Reading a waivers file (YAML or JSON). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse } from 'yaml';
import { InputError } from '../engine/errors';
import type { Waiver } from '../engine/types';
import { waiverFileSchema } from './schema';

export function parseWaivers(doc: unknown, where: string): Waiver[] {
  const result = waiverFileSchema.safeParse(doc);
  if (!result.success) {
    // The union reports both branches; the useful one is the branch the document's shape chose
    // (a list, or an object with `waivers`), not the first that failed.
    const issue = result.error.issues[0];
    const branch = Array.isArray(doc) ? 0 : 1;
    const inner = issue.code === 'invalid_union' ? (issue.errors[branch]?.[0] ?? issue.errors.find((e) => e.length > 0)?.[0] ?? issue) : issue;
    const path = [...issue.path, ...(inner === issue ? [] : inner.path)];
    const at = path.length > 0 ? ` at ${path.join('.')}` : '';
    throw new InputError(`${where}: invalid waivers file${at}: ${inner.message}`);
  }
  return Array.isArray(result.data) ? result.data : result.data.waivers;
}

export function loadWaiversFile(path: string): Waiver[] {
  if (!existsSync(path)) throw new InputError(`${path}: no such waivers file`);
  if (statSync(path).isDirectory()) throw new InputError(`${path}: is a directory, expected a waivers file`);
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '') return [];
  let doc: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both.
    doc = parse(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new InputError(`${path}: not valid YAML or JSON (${(e as Error).message.split('\n')[0]})`);
  }
  // Only comments (an empty, documented file): no waivers.
  if (doc === null || doc === undefined) return [];
  return parseWaivers(doc, path);
}
