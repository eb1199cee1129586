/**
 * GoogleSQL type names in SQL text (CAST targets, typed literals, ARRAY<...>/STRUCT<...>)
 * and the DuckDB types they become.
 */
import { invalidQuery, notImplemented } from '../errors';
import { quoteIdent } from '../types/schema';
import { isGroup, isTok, splitArgs, upper, type Node } from './tree';

export const SCALAR_TYPES: Record<string, string> = {
  INT64: 'BIGINT',
  INTEGER: 'BIGINT',
  INT: 'BIGINT',
  SMALLINT: 'BIGINT',
  BIGINT: 'BIGINT',
  TINYINT: 'BIGINT',
  BYTEINT: 'BIGINT',
  FLOAT64: 'DOUBLE',
  FLOAT: 'DOUBLE',
  BOOL: 'BOOLEAN',
  BOOLEAN: 'BOOLEAN',
  STRING: 'VARCHAR',
  BYTES: 'BLOB',
  NUMERIC: 'DECIMAL(38, 9)',
  DECIMAL: 'DECIMAL(38, 9)',
  TIMESTAMP: 'TIMESTAMPTZ',
  DATETIME: 'TIMESTAMP',
  DATE: 'DATE',
  TIME: 'TIME',
  JSON: 'JSON',
};

/**
 * Types the local server stores as exact text but cannot compute with: BIGNUMERIC has 76
 * digits (DuckDB's DECIMAL has 38) and GEOGRAPHY needs spatial functions.
 */
export const TEXT_STORED_TYPES = new Set(['BIGNUMERIC', 'BIGDECIMAL', 'GEOGRAPHY']);

export function refuseTextStoredType(name: string): never {
  throw notImplemented(
    `${name} is not supported in queries by the local server: it keeps ${name} values as exact text (insertAll and tabledata.list round-trip them), but cannot compute with them. Use NUMERIC or STRING locally.`,
  );
}

export function refuseTextStoredTable(table: string, column: { path: string; type: string }): never {
  throw notImplemented(
    `Table ${table} cannot be queried on the local server: its ${column.type} column ${column.path} is kept as exact text (insertAll and tabledata.list round-trip it), and the local server cannot compute with ${column.type}. Query a copy without it, or use NUMERIC or STRING locally.`,
  );
}

/** A GoogleSQL type (tokens) -> DuckDB type text. Returns the type and how many nodes it used. */
export function translateType(nodes: Node[], start = 0): { sql: string; used: number } {
  const head = nodes[start];
  const name = upper(head);
  if (name === 'ARRAY' || name === 'STRUCT') {
    if (!isTok(nodes[start + 1], '<')) throw invalidQuery(`Syntax error: ${name} type needs <...>`);
    let i = start + 2;
    if (name === 'ARRAY') {
      const inner = translateType(nodes, i);
      i += inner.used;
      if (!isTok(nodes[i], '>') && !isTok(nodes[i], '>>')) throw invalidQuery('Syntax error: Expected ">" closing ARRAY<');
      return { sql: `${inner.sql}[]`, used: i - start + 1 };
    }
    const entries: string[] = [];
    while (!isTok(nodes[i], '>')) {
      const fieldName = nodes[i];
      if (!isTok(fieldName)) throw invalidQuery('Syntax error: Expected a field name in STRUCT<...>');
      const fieldTok = fieldName.tok;
      const inner = translateType(nodes, i + 1);
      entries.push(`${quoteIdent(fieldTok.kind === 'quoted' ? fieldTok.value! : fieldTok.text)} ${inner.sql}`);
      i += 1 + inner.used;
      if (isTok(nodes[i], ',')) i++;
      else if (!isTok(nodes[i], '>')) throw invalidQuery('Syntax error: Expected "," or ">" in STRUCT<...>');
    }
    return { sql: `STRUCT(${entries.join(', ')})`, used: i - start + 1 };
  }
  if (TEXT_STORED_TYPES.has(name)) refuseTextStoredType(name);
  const mapped = SCALAR_TYPES[name];
  if (!mapped) throw invalidQuery(`Type not found: ${isTok(head) ? head.tok.text : '(none)'}`);
  // Parameterised types: STRING(10), NUMERIC(10, 2), BYTES(5).
  const paramGroup = nodes[start + 1];
  if (isGroup(paramGroup)) {
    const params = splitArgs(paramGroup.items).map((a) => a.map((n) => (isTok(n) ? n.tok.text : '')).join(''));
    if (name === 'NUMERIC' || name === 'DECIMAL') return { sql: `DECIMAL(${Number(params[0])}, ${Number(params[1] ?? 0)})`, used: 2 };
    return { sql: mapped, used: 2 };
  }
  return { sql: mapped, used: 1 };
}
