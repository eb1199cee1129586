/**
 * Typed, validated access to the verifier's data files (prices, SLAs, performance, latency,
 * limits, DR figures, machine types, runtimes, free resource types, region continents).
 *
 * Lookups of figures the code needs by id throw a clear error when the id is missing (a data
 * bug, caught by the data tests); price lookups return undefined for a region without a
 * price, so the caller reports the resource unpriced instead of pricing it at $0.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { Sourced } from '../engine/types';
import {
  figureFileSchema,
  freeResourcesFileSchema,
  latencyFileSchema,
  machineTypesFileSchema,
  performanceFileSchema,
  priceFileSchema,
  regionsFileSchema,
  runtimesFileSchema,
  type Continent,
  type Figure,
  type FreeResource,
  type LatencyHopFigure,
  type Price,
} from './schema';

export type { Continent, Figure, FreeResource, LatencyHopFigure, Price } from './schema';

/** Region key in prices.json meaning "the same price in every region" (a global SKU). */
export const EVERY_REGION = '*';

export class DataFileError extends Error {}

function readJson<S extends z.ZodType>(dir: string, file: string, schema: S): z.infer<S> {
  const path = join(dir, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new DataFileError(`data file ${file}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DataFileError(`data file ${file}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`.trim());
  }
  return parsed.data;
}

function indexById<T extends { id: string }>(file: string, entries: T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const e of entries) {
    if (map.has(e.id)) throw new DataFileError(`data file ${file}: duplicate id ${e.id}`);
    map.set(e.id, e);
  }
  return map;
}

export interface MachineType {
  name: string;
  vcpu: number;
  memoryGiB: number;
}

export class VerifierData {
  private readonly prices = new Map<string, Map<string, Price>>();
  private readonly units: Map<string, Figure>;
  private readonly slas: Map<string, Figure>;
  private readonly performance: Map<string, Figure>;
  private readonly limits: Map<string, Figure>;
  private readonly dr: Map<string, Figure>;
  private readonly hops: Map<string, LatencyHopFigure>;
  private readonly crossRegion: Map<string, LatencyHopFigure>;
  private readonly latencyFigures: Map<string, Figure>;
  readonly latency: z.infer<typeof latencyFileSchema>;
  readonly machineTypes: z.infer<typeof machineTypesFileSchema>;
  readonly runtimes: z.infer<typeof runtimesFileSchema>;
  readonly free: z.infer<typeof freeResourcesFileSchema>;
  readonly regions: z.infer<typeof regionsFileSchema>;
  readonly largePublishRegions: readonly string[];
  /** Unit conversions every model reads, looked up once. */
  readonly hoursPerMonth: number;
  readonly secondsPerMonth: number;
  readonly bytesPerGiB: number;
  readonly gibPerTiB: number;
  private readonly machineTypesByName = new Map<string, MachineType>();

  constructor(dir: string) {
    const priceFile = readJson(dir, 'prices.json', priceFileSchema);
    for (const p of priceFile.entries) {
      const byRegion = this.prices.get(p.id) ?? new Map<string, Price>();
      if (byRegion.has(p.region)) throw new DataFileError(`data file prices.json: duplicate price ${p.id} for ${p.region}`);
      byRegion.set(p.region, p);
      this.prices.set(p.id, byRegion);
    }
    this.units = indexById('units.json', readJson(dir, 'units.json', figureFileSchema).entries);
    this.slas = indexById('slas.json', readJson(dir, 'slas.json', figureFileSchema).entries);
    const perf = readJson(dir, 'performance.json', performanceFileSchema);
    this.performance = indexById('performance.json', perf.entries);
    this.largePublishRegions = perf.largePublishRegions;
    this.limits = indexById('limits.json', readJson(dir, 'limits.json', figureFileSchema).entries);
    this.dr = indexById('dr.json', readJson(dir, 'dr.json', figureFileSchema).entries);
    this.latency = readJson(dir, 'latency.json', latencyFileSchema);
    this.hops = indexById('latency.json hops', this.latency.hops);
    this.crossRegion = indexById('latency.json crossRegion', this.latency.crossRegion);
    this.latencyFigures = indexById('latency.json figures', this.latency.figures);
    this.machineTypes = readJson(dir, 'machine-types.json', machineTypesFileSchema);
    this.runtimes = readJson(dir, 'runtimes.json', runtimesFileSchema);
    this.free = readJson(dir, 'free-resources.json', freeResourcesFileSchema);
    this.regions = readJson(dir, 'regions.json', regionsFileSchema);
    for (const [name, m] of Object.entries(this.machineTypes.machineTypes)) this.machineTypesByName.set(name, { name, ...m });
    this.hoursPerMonth = this.unit('hours-per-month').value;
    this.secondsPerMonth = this.hoursPerMonth * SECONDS_PER_HOUR;
    this.bytesPerGiB = this.unit('bytes-per-gib').value;
    this.gibPerTiB = this.unit('gib-per-tib').value;
  }

  /** Price of an item in a region (or its every-region price); undefined when not priced there. */
  price(id: string, region: string): Price | undefined {
    const byRegion = this.prices.get(id);
    if (!byRegion) throw new DataFileError(`no price item ${id} in prices.json`);
    return byRegion.get(region) ?? byRegion.get(EVERY_REGION);
  }

  /** Like `price`, but an item absent from prices.json is undefined too (ids built from data, e.g. continent pairs). */
  findPrice(id: string, region: string): Price | undefined {
    const byRegion = this.prices.get(id);
    return byRegion?.get(region) ?? byRegion?.get(EVERY_REGION);
  }

  /** Regions an item is priced in (for messages). */
  pricedRegions(id: string): string[] {
    return [...(this.prices.get(id)?.keys() ?? [])];
  }

  unit(id: string): Figure {
    return need(this.units, id, 'units.json');
  }
  sla(id: string): Figure {
    return need(this.slas, id, 'slas.json');
  }
  perf(id: string): Figure {
    return need(this.performance, id, 'performance.json');
  }
  limit(id: string): Figure {
    return need(this.limits, id, 'limits.json');
  }
  drFigure(id: string): Figure {
    return need(this.dr, id, 'dr.json');
  }
  hop(id: string): LatencyHopFigure {
    return need(this.hops, id, 'latency.json');
  }
  crossRegionPenalty(id: 'same-continent' | 'intercontinental'): LatencyHopFigure {
    return need(this.crossRegion, id, 'latency.json');
  }
  latencyFigure(id: string): Figure {
    return need(this.latencyFigures, id, 'latency.json figures');
  }
  /** A machine type by name (shared: callers must not modify it). */
  machineType(name: string): MachineType | undefined {
    return this.machineTypesByName.get(name);
  }
  freeType(type: string): FreeResource | undefined {
    return this.free.types[type];
  }
  continent(region: string): Continent | undefined {
    return this.regions.regions[region];
  }

}

/** Calendar arithmetic, not data. */
export const SECONDS_PER_HOUR = 3600;
export const SECONDS_PER_DAY = 86400;
export const HOURS_PER_DAY = 24;
export const MINUTES_PER_HOUR = 60;
export const MS_PER_SECOND = 1000;

function need<T>(map: Map<string, T>, id: string, file: string): T {
  const v = map.get(id);
  if (v === undefined) throw new DataFileError(`no entry ${id} in ${file}`);
  return v;
}

/** A figure as the report's provenance type. */
export function sourced(f: Figure | Price): Sourced {
  return { value: f.value, unit: f.unit, source: f.source, asOf: f.asOf, confidence: f.confidence, ...(f.note ? { note: f.note } : {}) };
}

export const DATA_DIR = __dirname;

let cached: VerifierData | undefined;
/** The data shipped with the verifier, loaded and validated once per process. */
export function loadVerifierData(dir: string = DATA_DIR): VerifierData {
  if (dir !== DATA_DIR) return new VerifierData(dir);
  cached ??= new VerifierData(dir);
  return cached;
}
