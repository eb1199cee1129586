/** A waivers file: accepted findings, each for one rule and resource, with a reason and an expiry. */
import { z } from 'zod';

const required = (what: string) => ({ error: (issue: { input: unknown }) => (issue.input === undefined ? `required: ${what}` : `expected ${what}`) });

// One message per bad date: the calendar check runs only on text shaped like a date.
const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
const isoDate = z
  .string(required('the expiry date, YYYY-MM-DD'))
  .refine((d) => DATE_SHAPE.test(d), 'expected a date YYYY-MM-DD')
  .refine((d) => !DATE_SHAPE.test(d) || (!Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d)), 'not a calendar date');

export const waiverSchema = z
  .object({
    rule: z.string(required('the rule id (see docs/rules.md)')).regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a kebab-case rule id'),
    address: z.string(required('the resource address, or * for every one')).min(1, 'expected the resource address, or * for every one'),
    reason: z.string(required('a reason of at least 10 characters')).trim().min(10, 'give a reason of at least 10 characters'),
    expires: isoDate,
  })
  .strict();

/** Either a bare list or `{ waivers: [...] }`. */
export const waiverFileSchema = z.union([z.array(waiverSchema), z.object({ waivers: z.array(waiverSchema) }).strict()]);
