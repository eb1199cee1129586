/** A waivers file: accepted findings, each for one rule and resource, with a reason and an expiry. */
import { z } from 'zod';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');

export const waiverSchema = z
  .object({
    rule: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a kebab-case rule id'),
    address: z.string().min(1),
    reason: z.string().trim().min(10, 'give a reason of at least 10 characters'),
    expires: isoDate,
  })
  .strict();

/** Either a bare list or `{ waivers: [...] }`. */
export const waiverFileSchema = z.union([z.array(waiverSchema), z.object({ waivers: z.array(waiverSchema) }).strict()]);
