/** Reading a waivers file (YAML or JSON). */
import { readYamlFile } from '../graph/yaml-input';
import leven from 'leven';
import { InputError } from '../engine/errors';
import type { Waiver } from '../engine/types';
import { waiverFileSchema } from './schema';

/** At most this many problems are named; the line says how many more there are. */
const NAMED_PROBLEMS = 5;

export function parseWaivers(doc: unknown, where: string): Waiver[] {
  const result = waiverFileSchema.safeParse(doc);
  if (!result.success) {
    // The union reports both branches; the useful one is the branch the document's shape chose
    // (a list, or an object with `waivers`), not the first that failed. Every problem of that
    // branch is named, so a file with several bad entries is mended in one pass.
    const issue = result.error.issues[0];
    const branch = Array.isArray(doc) ? 0 : 1;
    const inner = issue.code === 'invalid_union' ? (issue.errors[branch]?.length ? issue.errors[branch] : (issue.errors.find((e) => e.length > 0) ?? [issue])) : result.error.issues;
    const prefix = issue.code === 'invalid_union' ? issue.path : [];
    const problems = inner.map((p) => {
      const path = [...prefix, ...p.path];
      return `${path.length > 0 ? `at ${path.join('.')}: ` : ''}${p.message}`;
    });
    throw invalidFile(where, `${problems.length > 1 ? `${problems.length} problems: ` : ''}${named(problems)}`);
  }
  return Array.isArray(result.data) ? result.data : result.data.waivers;
}

export function loadWaiversFile(path: string): Waiver[] {
  const doc = readYamlFile(path, 'waivers');
  // Empty, or only comments (a documented file with no waivers yet): no waivers.
  if (doc === null) return [];
  return parseWaivers(doc, path);
}

/**
 * A waiver whose rule id names no rule is a typo, not a preference: it would waive nothing
 * while the author believes the finding accepted. Bad input, with the nearest id.
 */
export function checkWaiverRules(waivers: readonly Waiver[], ruleIds: readonly string[], where: string): void {
  const known = new Set(ruleIds);
  const bad = waivers.map((w, i) => ({ w, i })).filter(({ w }) => !known.has(w.rule));
  if (bad.length === 0) return;
  const problems = bad.map(({ w, i }) => {
    const nearest = ruleIds.map((id) => ({ id, distance: leven(w.rule, id) })).reduce<{ id: string; distance: number } | undefined>((best, x) => (best === undefined || x.distance < best.distance ? x : best), undefined);
    const hint = nearest !== undefined && nearest.distance <= Math.max(3, w.rule.length / 3) ? ` (did you mean ${nearest.id}?)` : '';
    return `entry ${i}: no rule has the id ${w.rule}${hint}`;
  });
  throw invalidFile(where, `${named(problems)}; the ids are listed in docs/rules.md`);
}

/** The first NAMED_PROBLEMS problems, then how many more there are. */
function named(problems: string[]): string {
  const more = problems.length > NAMED_PROBLEMS ? `; and ${problems.length - NAMED_PROBLEMS} more` : '';
  return `${problems.slice(0, NAMED_PROBLEMS).join('; ')}${more}`;
}

function invalidFile(where: string, what: string): InputError {
  return new InputError(`${where}: invalid waivers file: ${what}`);
}
