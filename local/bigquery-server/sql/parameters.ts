/**
 * Query parameters (jobs.query `queryParameters`) rendered as typed DuckDB literals. Every
 * value is validated for its declared type first, so a literal can never carry SQL.
 */
import { invalidQuery } from '../errors';
import { canonicalDecimal } from '../types/row-input';
import { parseDate, parseDatetime, parseTime, parseTimestamp, formatDate, formatDatetime, formatTime, formatTimestampIso } from '../types/temporal';
import { quoteIdent } from '../types/schema';

export interface ParameterType {
  type: string;
  arrayType?: ParameterType;
  structTypes?: { name?: string; type: ParameterType }[];
}
export interface ParameterValue {
  value?: string | null;
  arrayValues?: ParameterValue[];
  structValues?: Record<string, ParameterValue>;
}
export interface QueryParameter {
  name?: string;
  parameterType: ParameterType;
  parameterValue?: ParameterValue;
}

export interface BoundParameters {
  named: Map<string, string>;
  positional: string[];
}

export function bindParameters(mode: unknown, parameters: unknown): BoundParameters {
  const bound: BoundParameters = { named: new Map(), positional: [] };
  if (parameters === undefined || parameters === null) return bound;
  if (!Array.isArray(parameters)) throw invalidQuery('queryParameters must be a list.');
  const upperMode = typeof mode === 'string' ? mode.toUpperCase() : undefined;
  const named = upperMode === 'NAMED' || (upperMode === undefined && parameters.some((p) => typeof p?.name === 'string'));
  for (const raw of parameters as QueryParameter[]) {
    if (!raw || typeof raw !== 'object' || !raw.parameterType) throw invalidQuery('Each query parameter needs a parameterType.');
    const literal = renderLiteral(raw.parameterType, raw.parameterValue, raw.name ?? `#${bound.positional.length + 1}`);
    if (named) {
      if (typeof raw.name !== 'string' || raw.name === '') throw invalidQuery('Named query parameters must have a name.');
      bound.named.set(raw.name.toLowerCase(), literal);
    } else bound.positional.push(literal);
  }
  return bound;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** DuckDB type text for a parameter type. */
export function duckTypeForParameter(type: ParameterType, name: string): string {
  switch (type.type?.toUpperCase()) {
    case 'STRING':
    case 'GEOGRAPHY':
      return 'VARCHAR';
    case 'INT64':
    case 'INTEGER':
      return 'BIGINT';
    case 'FLOAT64':
    case 'FLOAT':
      return 'DOUBLE';
    case 'NUMERIC':
    case 'DECIMAL':
      return 'DECIMAL(38, 9)';
    case 'BIGNUMERIC':
    case 'BIGDECIMAL':
      return 'VARCHAR';
    case 'BOOL':
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'BYTES':
      return 'BLOB';
    case 'TIMESTAMP':
      return 'TIMESTAMPTZ';
    case 'DATETIME':
      return 'TIMESTAMP';
    case 'DATE':
      return 'DATE';
    case 'TIME':
      return 'TIME';
    case 'JSON':
      return 'JSON';
    case 'ARRAY':
      if (!type.arrayType) throw invalidQuery(`Query parameter '${name}': ARRAY needs an arrayType.`);
      return `${duckTypeForParameter(type.arrayType, name)}[]`;
    case 'STRUCT':
      return `STRUCT(${(type.structTypes ?? []).map((s, i) => `${quoteIdent(s.name ?? `_field_${i + 1}`)} ${duckTypeForParameter(s.type, name)}`).join(', ')})`;
    default:
      throw invalidQuery(`Query parameter '${name}' has unsupported type ${String(type.type)}.`);
  }
}

function renderLiteral(type: ParameterType, value: ParameterValue | undefined, name: string): string {
  const duckType = duckTypeForParameter(type, name);
  const kind = type.type.toUpperCase();
  if (kind === 'ARRAY') {
    const items = value?.arrayValues;
    if (!items) return `CAST(${value?.value === null || value === undefined ? 'NULL' : '[]'} AS ${duckType})`;
    return `CAST([${items.map((v) => renderLiteral(type.arrayType!, v, name)).join(', ')}] AS ${duckType})`;
  }
  if (kind === 'STRUCT') {
    const values = value?.structValues;
    if (!values) return `CAST(NULL AS ${duckType})`;
    const entries = (type.structTypes ?? []).map((s, i) => {
      const fieldName = s.name ?? `_field_${i + 1}`;
      return `${quoteIdent(fieldName)} := ${renderLiteral(s.type, values[fieldName], `${name}.${fieldName}`)}`;
    });
    return `struct_pack(${entries.join(', ')})`;
  }
  const text = value?.value;
  if (text === undefined || text === null) return `CAST(NULL AS ${duckType})`;
  const bad = () => invalidQuery(`Query parameter '${name}' has an invalid ${kind} value: ${JSON.stringify(text)}`);
  switch (kind) {
    case 'INT64':
    case 'INTEGER':
      if (!/^[+-]?\d+$/.test(text.trim())) throw bad();
      return `CAST(${sqlString(text.trim())} AS BIGINT)`;
    case 'FLOAT64':
    case 'FLOAT':
      if (!/^([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|NaN|[+-]?Infinity|[+-]?inf)$/i.test(text.trim())) throw bad();
      return `CAST(${sqlString(text.trim())} AS DOUBLE)`;
    case 'NUMERIC':
    case 'DECIMAL':
    case 'BIGNUMERIC':
    case 'BIGDECIMAL': {
      const canonical = canonicalDecimal(text.trim());
      if (canonical === undefined) throw bad();
      return `CAST(${sqlString(canonical)} AS ${duckType})`;
    }
    case 'BOOL':
    case 'BOOLEAN':
      if (!/^(true|false)$/i.test(text.trim())) throw bad();
      return text.trim().toLowerCase() === 'true' ? 'TRUE' : 'FALSE';
    case 'BYTES':
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw bad();
      return `unhex(${sqlString(Buffer.from(text, 'base64').toString('hex'))})`;
    case 'TIMESTAMP': {
      const micros = parseTimestamp(text);
      if (micros === undefined) throw bad();
      return `CAST(${sqlString(formatTimestampIso(micros))} AS TIMESTAMPTZ)`;
    }
    case 'DATETIME': {
      const micros = parseDatetime(text);
      if (micros === undefined) throw bad();
      return `CAST(${sqlString(formatDatetime(micros))} AS TIMESTAMP)`;
    }
    case 'DATE': {
      const days = parseDate(text);
      if (days === undefined) throw bad();
      return `CAST(${sqlString(formatDate(days))} AS DATE)`;
    }
    case 'TIME': {
      const micros = parseTime(text);
      if (micros === undefined) throw bad();
      return `CAST(${sqlString(formatTime(micros))} AS TIME)`;
    }
    case 'JSON':
      try {
        JSON.parse(text);
      } catch {
        throw bad();
      }
      return `CAST(${sqlString(text)} AS JSON)`;
    default:
      return `CAST(${sqlString(text)} AS ${duckType})`;
  }
}
