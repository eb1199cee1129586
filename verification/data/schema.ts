/**
 * zod schemas of the verifier's data files. Every figure carries its source URL, as-of date
 * and confidence (V read on an official page, S secondary source, U unconfirmed estimate).
 */
import { z } from 'zod';

export const confidenceSchema = z.enum(['V', 'S', 'U']);
/** Year, year-month or full date: sources are dated as precisely as they were. */
export const asOfSchema = z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'asOf must be YYYY, YYYY-MM or YYYY-MM-DD');
export const sourceUrlSchema = z.string().url();

const provenance = {
  source: sourceUrlSchema,
  asOf: asOfSchema,
  confidence: confidenceSchema,
  note: z.string().optional(),
};

export const figureSchema = z.object({ id: z.string().min(1), value: z.number(), unit: z.string().min(1), ...provenance }).strict();
export const figureFileSchema = z.object({ note: z.string().optional(), entries: z.array(figureSchema).min(1) }).strict();

export const priceSchema = figureSchema.extend({ region: z.string().min(1) }).strict();
export const priceFileSchema = z.object({ currency: z.literal('USD'), note: z.string().optional(), entries: z.array(priceSchema).min(1) }).strict();

export const performanceFileSchema = figureFileSchema.extend({ largePublishRegions: z.array(z.string()).min(1) }).strict();

export const latencyHopSchema = z
  .object({ id: z.string().min(1), p50Ms: z.number().positive(), p99Ms: z.number().positive(), ...provenance })
  .strict()
  .refine((h) => h.p99Ms >= h.p50Ms, { message: 'p99Ms must be >= p50Ms' });
export const latencyFileSchema = z
  .object({
    note: z.string().optional(),
    hops: z.array(latencyHopSchema).min(1),
    crossRegion: z.array(latencyHopSchema).min(1),
    utilisation: z
      .object({
        ...provenance,
        bands: z
          .array(z.object({ upToUtilisation: z.number().positive(), p50Factor: z.number().min(1), p99Factor: z.number().min(1) }).strict())
          .min(1),
      })
      .strict(),
    /** Grid of the hop sums' numerical convolution: a power of two (the FFT's size is twice it). */
    convolution: z
      .object({
        cells: z.number().int().min(1024).max(1 << 20).refine((n) => (n & (n - 1)) === 0, 'must be a power of two'),
        note: z.string().optional(),
      })
      .strict(),
    /** Scalar figures of the latency models (burst warning share, window finalization). */
    figures: z.array(figureSchema).default([]),
  })
  .strict();

export const machineTypesFileSchema = z
  .object({
    ...provenance,
    machineTypes: z.record(z.string(), z.object({ vcpu: z.number().positive(), memoryGiB: z.number().positive() }).strict()),
    dataflowDefaults: z.object({ streamingEngine: z.string(), streamingAppliance: z.string(), note: z.string().optional() }).strict(),
  })
  .strict();

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
export const runtimesFileSchema = z
  .object({
    ...provenance,
    runtimes: z.record(
      z.string(),
      z
        .object({ deprecated: isoDate, decommissioned: isoDate, confidence: confidenceSchema.optional(), note: z.string().optional() })
        .strict(),
    ),
  })
  .strict();

export const freeResourcesFileSchema = z
  .object({
    note: z.string().optional(),
    types: z.record(z.string(), z.object({ reason: z.string().min(1), ...provenance }).strict()),
  })
  .strict();

export const regionsFileSchema = z
  .object({ ...provenance, regions: z.record(z.string(), z.enum(['north-america', 'europe', 'asia', 'south-america', 'oceania', 'middle-east', 'africa'])) })
  .strict();

export type Figure = z.infer<typeof figureSchema>;
export type Price = z.infer<typeof priceSchema>;
export type LatencyHopFigure = z.infer<typeof latencyHopSchema>;
export type FreeResource = z.infer<typeof freeResourcesFileSchema>['types'][string];
export type Continent = z.infer<typeof regionsFileSchema>['regions'][string];
