/**
 * How a resource already on a local service differs from its declaration: every declared
 * setting is compared, and each difference says what can be done about it: updated in place,
 * re-created (as `terraform apply` would replace the resource, or because the local service
 * cannot change it in place), or only reported, so an out-of-date resource is never "existing".
 */

export type Remedy = 'update' | 'recreate' | 'report';

export interface Setting {
  /** The Terraform attribute, e.g. "retry_policy". */
  feature: string;
  /** What the graph declares and what the service holds, in comparable form. */
  declared: unknown;
  actual: unknown;
  remedy: Remedy;
  /** For 'report': why it cannot be changed here and how to fix it. */
  why?: string;
}

export interface Difference {
  feature: string;
  remedy: Remedy;
  text: string;
}

/** JSON with object keys sorted, so {a, b} and {b, a} compare equal. */
export function stable(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v)) ?? 'undefined';
}

export function differences(settings: Setting[]): Difference[] {
  return settings
    .filter((s) => stable(s.declared) !== stable(s.actual))
    .map((s) => ({ feature: s.feature, remedy: s.remedy, text: `${s.feature} is ${stable(s.actual)}, declared ${stable(s.declared)}${s.why ? ` (${s.why})` : ''}` }));
}

export const describe = (diffs: Difference[]) => diffs.map((d) => d.text).join('; ');
