/** Reading and validating a spec file (spec.json beside a stack, or `--spec file`). */
import { z } from 'zod';
import { InputError } from '../engine/errors';
import type { Spec } from '../spec/spec';
import { readJsonFile } from './json-input';

const positive = z.number().finite().positive();
const nonNegative = z.number().finite().nonnegative();

const invariantSchema = z.object({
  id: z.enum(['no_data_loss', 'exactly_once_aggregation', 'ordered_within_partition']),
  statement: z.string(),
});

const propertySchema = z.object({
  id: z.enum(['event_processed', 'dashboard_updated', 'batch_job_complete']),
  operator: z.enum(['WITHIN', 'EVENTUALLY']),
  boundMs: positive,
  percentile: z.number().gt(0).lte(100).optional(),
  statement: z.string(),
});

export const specSchema = z.object({
  version: z.literal(1),
  environment: z.string().min(1),
  invariants: z.array(invariantSchema),
  properties: z.array(propertySchema),
  constraints: z.object({
    latencyP99Ms: positive,
    latencyP50Ms: positive,
    sustainedEventsPerSecond: positive,
    burstEventsPerSecond: positive,
    monthlyBudgetUsd: positive,
    availability: z.number().gt(0).lt(1),
    freshnessAvailability: z.number().gt(0).lt(1).optional(),
    retentionDays: positive,
    rpoMinutes: nonNegative,
    rtoMinutes: nonNegative,
    drScenarios: z.array(z.enum(['zone-loss', 'region-loss', 'operator-error'])).optional(),
  }),
  workload: z.object({
    averageEventsPerSecond: positive,
    burstEventsPerSecond: positive,
    burstDurationSeconds: nonNegative,
    burstsPerDay: nonNegative,
    eventSizeBytes: positive,
    eventsPerMessage: positive,
    attributeBytesPerMessage: nonNegative.optional(),
    eventsPerIngestRequest: positive,
    deviceCount: positive,
    queryRatePerSecond: nonNegative,
    coldQueryShare: z.number().min(0).max(1).optional(),
    aggregateWindowSeconds: positive,
    watermarkDelaySeconds: nonNegative,
    hotWindowHours: positive,
  }),
  assumptions: z.array(z.object({ id: z.string(), statement: z.string() })),
});

/** Validates an in-memory spec; the error names the first bad field on one line. */
export function validateSpec(doc: unknown, where: string): Spec {
  const result = specSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = issue.path.length > 0 ? issue.path.join('.') : 'the spec';
    throw new InputError(`${where}: invalid spec at ${at}: ${issue.message}`);
  }
  return result.data as Spec;
}

export function readSpecFile(path: string): Spec {
  return validateSpec(readJsonFile(path, 'spec'), path);
}
