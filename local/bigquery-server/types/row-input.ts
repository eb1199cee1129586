/**
 * A streaming-insert row (tabledata.insertAll `json`) checked against the table schema and
 * converted to DuckDB values, with BigQuery's per-field errors for anything that does not fit.
 */
import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { numericShape, type BqField } from './schema';
import { parseDate, parseDatetime, parseTime, parseTimestamp } from './temporal';

export interface FieldError {
  reason: 'invalid';
  location: string;
  message: string;
}

export interface RowConversion {
  values: DuckDBValue[];
  errors: FieldError[];
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function convertRow(fields: readonly BqField[], json: unknown, ignoreUnknownValues: boolean): RowConversion {
  const errors: FieldError[] = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { values: [], errors: [{ reason: 'invalid', location: '', message: 'Row must be a JSON object.' }] };
  }
  const values = convertObject(fields, json as Record<string, unknown>, '', ignoreUnknownValues, errors);
  return { values, errors };
}

function convertObject(
  fields: readonly BqField[],
  obj: Record<string, unknown>,
  prefix: string,
  ignoreUnknownValues: boolean,
  errors: FieldError[],
): DuckDBValue[] {
  const byLowerName = new Map(fields.map((f, i) => [f.name.toLowerCase(), i] as const));
  const provided: unknown[] = new Array(fields.length).fill(undefined);
  for (const [key, value] of Object.entries(obj)) {
    const index = byLowerName.get(key.toLowerCase());
    if (index === undefined) {
      if (!ignoreUnknownValues) errors.push({ reason: 'invalid', location: prefix + key, message: `no such field: ${prefix + key}.` });
      continue;
    }
    provided[index] = value;
  }
  return fields.map((field, i) => convertField(field, provided[i], prefix + field.name, ignoreUnknownValues, errors));
}

function convertField(field: BqField, value: unknown, location: string, ignoreUnknownValues: boolean, errors: FieldError[]): DuckDBValue {
  const fail = (message: string): null => {
    errors.push({ reason: 'invalid', location, message });
    return null;
  };
  if (field.mode === 'REPEATED') {
    if (value === undefined || value === null) return new DuckDBListValue([]);
    if (!Array.isArray(value)) return fail(`Field ${location} is a repeated field; its value must be an array.`);
    const items: DuckDBValue[] = [];
    value.forEach((item, i) => {
      if (item === null || item === undefined) fail(`Array field ${location} cannot contain a null element (index ${i}).`);
      else items.push(convertScalar(field, item, location, ignoreUnknownValues, errors));
    });
    return new DuckDBListValue(items);
  }
  if (value === undefined || value === null) {
    return field.mode === 'REQUIRED' ? fail(`Missing required field: ${location}.`) : null;
  }
  if (Array.isArray(value)) return fail(`Array specified for non-repeated field: ${location}.`);
  return convertScalar(field, value, location, ignoreUnknownValues, errors);
}

function convertScalar(field: BqField, value: unknown, location: string, ignoreUnknownValues: boolean, errors: FieldError[]): DuckDBValue {
  const fail = (message: string): null => {
    errors.push({ reason: 'invalid', location, message });
    return null;
  };
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  switch (field.type) {
    case 'STRING':
    case 'GEOGRAPHY':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return fail(`Cannot convert value to string: ${shown}`);
    case 'INTEGER': {
      let n: bigint | undefined;
      if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
      else if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) n = BigInt(value.trim());
      if (n === undefined || n < INT64_MIN || n > INT64_MAX) return fail(`Cannot convert value to integer (bad value): ${shown}`);
      return n;
    }
    case 'FLOAT': {
      if (typeof value === 'number') return value;
      if (typeof value === 'string') {
        const t = value.trim();
        if (t === 'NaN') return NaN;
        if (t === 'Infinity' || t === 'inf' || t === '+inf') return Infinity;
        if (t === '-Infinity' || t === '-inf') return -Infinity;
        if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
      }
      return fail(`Cannot convert value to floating point (bad value): ${shown}`);
    }
    case 'NUMERIC': {
      const { width, scale } = numericShape(field);
      const scaled = typeof value === 'number' || typeof value === 'string' ? scaleDecimal(String(value).trim(), scale) : undefined;
      if (scaled === undefined) return fail(`Invalid NUMERIC value: ${shown}`);
      if ((scaled < 0n ? -scaled : scaled) >= 10n ** BigInt(width)) return fail(`Invalid NUMERIC value: ${shown} is out of range for NUMERIC(${width}, ${scale})`);
      return new DuckDBDecimalValue(scaled, width, scale);
    }
    case 'BIGNUMERIC': {
      const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim() : '';
      const canonical = canonicalDecimal(text);
      if (canonical === undefined) return fail(`Invalid BIGNUMERIC value: ${shown}`);
      return canonical;
    }
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
      return fail(`Cannot convert value to boolean: ${shown}`);
    case 'TIMESTAMP': {
      const micros = typeof value === 'string' || typeof value === 'number' ? parseTimestamp(value) : undefined;
      if (micros === undefined || micros < MIN_TIMESTAMP || micros > MAX_TIMESTAMP) return fail(`Cannot convert value to timestamp: ${shown}`);
      return new DuckDBTimestampTZValue(micros);
    }
    case 'DATE': {
      const days = typeof value === 'string' ? parseDate(value) : undefined;
      if (days === undefined) return fail(`Cannot convert value to date: ${shown}`);
      return new DuckDBDateValue(days);
    }
    case 'TIME': {
      const micros = typeof value === 'string' ? parseTime(value) : undefined;
      if (micros === undefined) return fail(`Cannot convert value to time: ${shown}`);
      return new DuckDBTimeValue(micros);
    }
    case 'DATETIME': {
      const micros = typeof value === 'string' ? parseDatetime(value) : undefined;
      if (micros === undefined) return fail(`Cannot convert value to datetime: ${shown}`);
      return new DuckDBTimestampValue(micros);
    }
    case 'BYTES': {
      if (typeof value !== 'string' || !isBase64(value)) return fail(`Cannot convert value to bytes: the value must be base64-encoded: ${shown}`);
      return new DuckDBBlobValue(new Uint8Array(Buffer.from(value, 'base64')));
    }
    case 'JSON': {
      if (typeof value === 'string') {
        try {
          return JSON.stringify(JSON.parse(value));
        } catch {
          return fail(`Invalid JSON value: ${value}`);
        }
      }
      return JSON.stringify(value);
    }
    case 'RECORD': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`This field: ${location} is not a record.`);
      const subFields = field.fields ?? [];
      const converted = convertObject(subFields, value as Record<string, unknown>, `${location}.`, ignoreUnknownValues, errors);
      const entries: Record<string, DuckDBValue> = {};
      subFields.forEach((f, i) => (entries[f.name] = converted[i]));
      return new DuckDBStructValue(entries);
    }
  }
}

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, BigQuery's TIMESTAMP range.
const MIN_TIMESTAMP = -62135596800000000n;
const MAX_TIMESTAMP = 253402300799999999n;

function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/** Decimal text -> integer scaled by 10^scale, rounded half away from zero; undefined when not a number. */
export function scaleDecimal(text: string, scale: number): bigint | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const digits = (m[2] || '0') + (m[3] ?? '');
  const shift = Number(m[4] ?? 0) - (m[3]?.length ?? 0) + scale;
  let magnitude: bigint;
  if (shift >= 0) magnitude = BigInt(digits) * 10n ** BigInt(shift);
  else {
    const divisor = 10n ** BigInt(-shift);
    const whole = BigInt(digits);
    magnitude = whole / divisor + ((whole % divisor) * 2n >= divisor ? 1n : 0n);
  }
  return m[1] === '-' ? -magnitude : magnitude;
}

/** Exact decimal text in canonical form (no exponent, no trailing fraction zeros). */
export function canonicalDecimal(text: string): string | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const fraction = m[3] ?? '';
  const exp = Number(m[4] ?? 0);
  let digits = (m[2] || '0') + fraction;
  let pointPos = (m[2] || '0').length + exp;
  if (pointPos < 0) {
    digits = '0'.repeat(-pointPos) + digits;
    pointPos = 0;
  }
  if (pointPos > digits.length) digits = digits + '0'.repeat(pointPos - digits.length);
  const intPart = digits.slice(0, pointPos).replace(/^0+(?=\d)/, '') || '0';
  const fracPart = digits.slice(pointPos).replace(/0+$/, '');
  if (intPart.length > 39 || fracPart.length > 38) return undefined;
  const body = fracPart ? `${intPart}.${fracPart}` : intPart;
  return m[1] === '-' && body !== '0' ? `-${body}` : body;
}
