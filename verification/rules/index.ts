/**
 * Every rule the engine runs: one import and one entry per rule, sorted by id.
 * Each file `verification/rules/<rule-id>.ts` exports `rule`; the registry test checks ids
 * are unique, kebab-case and equal to their file names. After adding a rule, run
 * `npm run docs:rules` to regenerate docs/rules.md.
 */
import type { Rule } from '../engine/types';
import { rule as deadLetterPolicyPresent } from './dead-letter-policy-present';
import { rule as statefulResourceNotDestroyed } from './stateful-resource-not-destroyed';

export const RULES: readonly Rule[] = [
  deadLetterPolicyPresent,
  statefulResourceNotDestroyed,
];
