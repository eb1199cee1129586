/**
 * BigQuery table schemas: validation, canonical type names, and the DuckDB column type each
 * BigQuery type is stored as.
 */
import {
  BIGINT,
  BLOB,
  BOOLEAN,
  DATE,
  DECIMAL,
  DOUBLE,
  LIST,
  STRUCT,
  TIME,
  TIMESTAMP,
  TIMESTAMPTZ,
  VARCHAR,
  DuckDBVarCharType,
  type DuckDBType,
} from '@duckdb/node-api';
import { invalid } from '../errors';

/** Canonical names, as tables.get returns them (BigQuery answers with the legacy names). */
export type BqType =
  | 'STRING'
  | 'BYTES'
  | 'INTEGER'
  | 'FLOAT'
  | 'NUMERIC'
  | 'BIGNUMERIC'
  | 'BOOLEAN'
  | 'TIMESTAMP'
  | 'DATE'
  | 'TIME'
  | 'DATETIME'
  | 'GEOGRAPHY'
  | 'JSON'
  | 'RECORD';

export type BqMode = 'NULLABLE' | 'REQUIRED' | 'REPEATED';

export interface BqField {
  name: string;
  type: BqType;
  mode: BqMode;
  fields?: BqField[];
  description?: string;
  precision?: string;
  scale?: string;
  maxLength?: string;
  defaultValueExpression?: string;
  policyTags?: unknown;
}

export interface BqSchema {
  fields: BqField[];
}

const TYPE_ALIASES: Record<string, BqType> = {
  STRING: 'STRING',
  BYTES: 'BYTES',
  INTEGER: 'INTEGER',
  INT64: 'INTEGER',
  FLOAT: 'FLOAT',
  FLOAT64: 'FLOAT',
  NUMERIC: 'NUMERIC',
  DECIMAL: 'NUMERIC',
  BIGNUMERIC: 'BIGNUMERIC',
  BIGDECIMAL: 'BIGNUMERIC',
  BOOLEAN: 'BOOLEAN',
  BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  TIME: 'TIME',
  DATETIME: 'DATETIME',
  GEOGRAPHY: 'GEOGRAPHY',
  JSON: 'JSON',
  RECORD: 'RECORD',
  STRUCT: 'RECORD',
};

const FIELD_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;

export function canonicalType(raw: unknown, location: string): BqType {
  const type = typeof raw === 'string' ? TYPE_ALIASES[raw.toUpperCase()] : undefined;
  if (!type) throw invalid(`Invalid field type ${JSON.stringify(raw)} for field ${location}.`, location);
  return type;
}

/** Validate a schema from a request body and return it in canonical form. */
export function normalizeSchema(raw: unknown, path = ''): BqField[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalid('Schema fields must be a list.');
  const seen = new Set<string>();
  return raw.map((input: unknown, i: number) => {
    if (typeof input !== 'object' || input === null) throw invalid(`Schema field ${path}${i} must be an object.`);
    const f = input as Record<string, unknown>;
    const name = f.name;
    if (typeof name !== 'string' || !FIELD_NAME_RE.test(name)) {
      throw invalid(`Invalid field name "${String(name)}". Fields must contain only letters, numbers, and underscores, start with a letter or underscore, and be at most 300 characters long.`, `${path}${String(name)}`);
    }
    const location = `${path}${name}`;
    if (seen.has(name.toLowerCase())) throw invalid(`Field ${location} already exists in schema`, location);
    seen.add(name.toLowerCase());
    const type = canonicalType(f.type, location);
    const modeRaw = typeof f.mode === 'string' ? f.mode.toUpperCase() : 'NULLABLE';
    if (modeRaw !== 'NULLABLE' && modeRaw !== 'REQUIRED' && modeRaw !== 'REPEATED') throw invalid(`Invalid mode ${String(f.mode)} for field ${location}.`, location);
    const field: BqField = { name, type, mode: modeRaw };
    if (type === 'RECORD') {
      field.fields = normalizeSchema(f.fields, `${location}.`);
      if (field.fields.length === 0) throw invalid(`Field ${location} is type RECORD but has no schema.`, location);
    } else if (f.fields !== undefined && Array.isArray(f.fields) && f.fields.length > 0) {
      throw invalid(`Field ${location} is type ${type} but has subfields.`, location);
    }
    for (const key of ['description', 'precision', 'scale', 'maxLength', 'defaultValueExpression'] as const) {
      if (f[key] !== undefined && f[key] !== null) field[key] = String(f[key]);
    }
    if (f.policyTags !== undefined) field.policyTags = f.policyTags;
    if (field.precision !== undefined && type !== 'NUMERIC' && type !== 'BIGNUMERIC') throw invalid(`Field ${location}: precision is only allowed for NUMERIC and BIGNUMERIC.`, location);
    if (type === 'NUMERIC' && field.precision !== undefined) {
      const p = Number(field.precision);
      const s = Number(field.scale ?? 0);
      if (!Number.isInteger(p) || !Number.isInteger(s) || s < 0 || s > 9 || p < Math.max(1, s) || p - s > 29) {
        throw invalid(`Invalid NUMERIC(${field.precision}, ${field.scale ?? 0}) for field ${location}.`, location);
      }
    }
    return field;
  });
}

/** The DuckDB type a BigQuery field is stored as (BIGNUMERIC keeps its exact text). */
export function duckTypeOf(field: BqField): DuckDBType {
  const scalar = duckScalarType(field);
  return field.mode === 'REPEATED' ? LIST(scalar) : scalar;
}

function duckScalarType(field: BqField): DuckDBType {
  switch (field.type) {
    case 'STRING':
    case 'GEOGRAPHY':
    case 'BIGNUMERIC':
      return VARCHAR;
    case 'JSON':
      return JSON_TYPE;
    case 'BYTES':
      return BLOB;
    case 'INTEGER':
      return BIGINT;
    case 'FLOAT':
      return DOUBLE;
    case 'NUMERIC': {
      const { width, scale } = numericShape(field);
      return DECIMAL(width, scale);
    }
    case 'BOOLEAN':
      return BOOLEAN;
    case 'TIMESTAMP':
      return TIMESTAMPTZ;
    case 'DATE':
      return DATE;
    case 'TIME':
      return TIME;
    case 'DATETIME':
      return TIMESTAMP;
    case 'RECORD': {
      const entries: Record<string, DuckDBType> = {};
      for (const sub of field.fields ?? []) entries[sub.name] = duckTypeOf(sub);
      return STRUCT(entries);
    }
  }
}

/** DuckDB's JSON type is VARCHAR with the alias "JSON". */
const JSON_TYPE: DuckDBType = DuckDBVarCharType.create('JSON');

export function numericShape(field: Pick<BqField, 'precision' | 'scale'>): { width: number; scale: number } {
  if (field.precision === undefined) return { width: 38, scale: 9 };
  const scale = Number(field.scale ?? 0);
  return { width: Math.max(Number(field.precision), scale, 1), scale };
}

/** DuckDB DDL text for a column type. */
export function duckTypeSql(field: BqField): string {
  const scalar = (() => {
    switch (field.type) {
      case 'JSON':
        return 'JSON';
      case 'RECORD':
        return `STRUCT(${(field.fields ?? []).map((f) => `${quoteIdent(f.name)} ${duckTypeSql(f)}`).join(', ')})`;
      case 'NUMERIC': {
        const { width, scale } = numericShape(field);
        return `DECIMAL(${width}, ${scale})`;
      }
      default:
        return duckScalarType(field).toString();
    }
  })();
  return field.mode === 'REPEATED' ? `${scalar}[]` : scalar;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The first BIGNUMERIC or GEOGRAPHY column (they are stored as exact text), with its path. */
export function textStoredColumn(fields: readonly BqField[], prefix = ''): { path: string; type: BqType } | undefined {
  for (const f of fields) {
    if (f.type === 'BIGNUMERIC' || f.type === 'GEOGRAPHY') return { path: `${prefix}${f.name}`, type: f.type };
    const inner = f.fields && textStoredColumn(f.fields, `${prefix}${f.name}.`);
    if (inner) return inner;
  }
  return undefined;
}

/** Find a field by name, case-insensitively (BigQuery column names are case-insensitive). */
export function findField(fields: readonly BqField[], name: string): BqField | undefined {
  const lower = name.toLowerCase();
  return fields.find((f) => f.name.toLowerCase() === lower);
}
