/**
 * DuckDB values -> BigQuery REST cells (`{f:[{v}]}` rows), and the BigQuery schema of a
 * query result derived from DuckDB's column types.
 */
import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { BqField } from './schema';
import { canonicalDecimal, scaleDecimal } from './row-input';
import { formatDate, formatDatetime, formatTime, formatTimestampIso, formatTimestampSeconds } from './temporal';

/**
 * How TIMESTAMP cells are written: integer microseconds (`formatOptions.useInt64Timestamp`
 * or `timestampOutputFormat=INT64`), ISO 8601 (`ISO8601_STRING`) or, by default, seconds.
 */
export type TimestampFormat = 'INT64' | 'ISO8601_STRING' | 'FLOAT_SECONDS';

export function timestampFormatFrom(query: Record<string, unknown>): TimestampFormat {
  const output = query['formatOptions.timestampOutputFormat'];
  if (output === 'ISO8601_STRING') return 'ISO8601_STRING';
  if (output === 'INT64') return 'INT64';
  const useInt64 = query['formatOptions.useInt64Timestamp'];
  if (useInt64 === true || useInt64 === 'true') return 'INT64';
  return 'FLOAT_SECONDS';
}

export interface RestCell {
  v: unknown;
}
export interface RestRow {
  f: RestCell[];
}

export function encodeRow(fields: readonly BqField[], values: readonly DuckDBValue[], format: TimestampFormat): RestRow {
  return { f: fields.map((field, i) => ({ v: encodeField(field, values[i], format) })) };
}

function encodeField(field: BqField, value: DuckDBValue, format: TimestampFormat): unknown {
  if (field.mode === 'REPEATED') {
    if (value === null || value === undefined) return [];
    const items = value instanceof DuckDBListValue ? value.items : [];
    return items.map((item) => ({ v: encodeScalar(field, item, format) }));
  }
  return encodeScalar(field, value, format);
}

function encodeScalar(field: BqField, value: DuckDBValue, format: TimestampFormat): unknown {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'INTEGER':
      return typeof value === 'bigint' || typeof value === 'number' ? String(value) : String(value);
    case 'FLOAT': {
      const n = value instanceof DuckDBDecimalValue ? value.toDouble() : Number(value);
      if (Number.isNaN(n)) return 'NaN';
      if (n === Infinity) return 'Infinity';
      if (n === -Infinity) return '-Infinity';
      return Object.is(n, -0) ? '-0' : String(n);
    }
    case 'NUMERIC':
      return numericText(value);
    case 'BIGNUMERIC':
      return canonicalDecimal(value.toString()) ?? value.toString();
    case 'BOOLEAN':
      return value ? 'true' : 'false';
    case 'BYTES':
      return value instanceof DuckDBBlobValue ? Buffer.from(value.bytes).toString('base64') : Buffer.from(String(value)).toString('base64');
    case 'TIMESTAMP': {
      const micros = timestampMicros(value);
      if (micros === undefined) return String(value);
      if (format === 'INT64') return micros.toString();
      if (format === 'ISO8601_STRING') return formatTimestampIso(micros);
      return formatTimestampSeconds(micros);
    }
    case 'DATETIME': {
      const micros = timestampMicros(value);
      return micros === undefined ? String(value) : formatDatetime(micros);
    }
    case 'DATE':
      return value instanceof DuckDBDateValue ? formatDate(value.days) : String(value);
    case 'TIME':
      return value instanceof DuckDBTimeValue ? formatTime(value.micros) : String(value);
    case 'RECORD': {
      const entries = value instanceof DuckDBStructValue ? value.entries : {};
      return { f: (field.fields ?? []).map((sub) => ({ v: encodeField(sub, entries[sub.name] ?? null, format) })) };
    }
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/** A NUMERIC cell: at most 9 decimal places, rounded half away from zero as BigQuery rounds. */
function numericText(value: DuckDBValue): string {
  const raw = value!.toString();
  const scaled = scaleDecimal(raw, 9);
  if (scaled === undefined) return raw;
  const digits = (scaled < 0n ? -scaled : scaled).toString().padStart(10, '0');
  return canonicalDecimal(`${scaled < 0n ? '-' : ''}${digits.slice(0, -9)}.${digits.slice(-9)}`) ?? raw;
}

function timestampMicros(value: DuckDBValue): bigint | undefined {
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) return value.micros;
  if (value instanceof DuckDBTimestampSecondsValue) return value.seconds * 1_000_000n;
  if (value instanceof DuckDBTimestampMillisecondsValue) return value.millis * 1000n;
  if (value instanceof DuckDBTimestampNanosecondsValue) return value.nanos / 1000n;
  return undefined;
}

/** BigQuery result column names: DuckDB's expression-text names become `f0_`, `f1_`, ... */
export function resultFieldNames(duckNames: readonly string[]): string[] {
  let anonymous = 0;
  return duckNames.map((name) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `f${anonymous++}_`));
}

/** The BigQuery schema of a query result column. */
export function fieldFromDuckType(name: string, type: DuckDBType): BqField {
  if (type.typeId === DuckDBTypeId.LIST || type.typeId === DuckDBTypeId.ARRAY) {
    const element = fieldFromDuckType(name, type.valueType);
    if (element.mode === 'REPEATED') return { name, type: 'JSON', mode: 'NULLABLE' };
    return { ...element, mode: 'REPEATED' };
  }
  if (type.typeId === DuckDBTypeId.STRUCT) {
    return {
      name,
      type: 'RECORD',
      mode: 'NULLABLE',
      fields: type.entryNames.map((entry, i) => fieldFromDuckType(entry, type.entryTypes[i])),
    };
  }
  return { name, type: scalarType(type), mode: 'NULLABLE' };
}

function scalarType(type: DuckDBType): BqField['type'] {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'BOOLEAN';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.SQLNULL:
      return 'INTEGER';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return 'FLOAT';
    case DuckDBTypeId.DECIMAL:
      // Queries compute no BIGNUMERIC locally (sql/type-names.ts), so every DECIMAL is a NUMERIC;
      // NUMERIC * NUMERIC comes out of DuckDB at scale 18 and is rounded to 9 when written.
      return 'NUMERIC';
    case DuckDBTypeId.BLOB:
      return 'BYTES';
    case DuckDBTypeId.DATE:
      return 'DATE';
    case DuckDBTypeId.TIME:
      return 'TIME';
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'TIMESTAMP';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'DATETIME';
    case DuckDBTypeId.VARCHAR:
      return type.alias === 'JSON' ? 'JSON' : 'STRING';
    default:
      return 'STRING';
  }
}

/** A query result schema with the NUMERIC precision DuckDB reported stripped (BigQuery omits it). */
export function resultSchema(names: readonly string[], types: readonly DuckDBType[]): BqField[] {
  const bqNames = resultFieldNames(names);
  return types.map((t, i) => fieldFromDuckType(bqNames[i], t));
}

