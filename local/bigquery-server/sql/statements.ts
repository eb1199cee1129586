/**
 * What kind of statement a query is, and the parts of GoogleSQL DDL (CREATE TABLE / VIEW /
 * SCHEMA, DROP, TRUNCATE) the runner needs to carry out on DuckDB and in the catalog.
 */
import { invalidQuery } from '../errors';
import { canonicalType, normalizeSchema, type BqField } from '../types/schema';
import { parseTimestamp } from '../types/temporal';
import { tokenize, type Token } from './tokenizer';
import { isGroup, isIdent, isTok, parseTree, splitArgs, upper, type Node } from './tree';
import type { TableRef } from '../store/names';

export type StatementKind = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'MERGE' | 'CREATE_TABLE' | 'CREATE_VIEW' | 'CREATE_SCHEMA' | 'DROP_TABLE' | 'DROP_VIEW' | 'DROP_SCHEMA' | 'TRUNCATE_TABLE';

export interface ParsedStatement {
  kind: StatementKind;
  nodes: Node[];
}

/** Split off a trailing semicolon; reject scripts. */
export function parseStatement(sql: string): ParsedStatement {
  const tokens = tokenize(sql);
  const semicolons = tokens.map((t, i) => (t.kind === 'punct' && t.text === ';' ? i : -1)).filter((i) => i >= 0);
  let body: Token[] = tokens;
  if (semicolons.length > 0) {
    const first = semicolons[0];
    if (tokens.slice(first + 1).some((t) => t.kind !== 'space' && !(t.kind === 'punct' && t.text === ';'))) {
      throw invalidQuery('Multi-statement queries (scripts) are not supported by the local server; send one statement per job.');
    }
    body = tokens.slice(0, first);
  }
  const nodes = parseTree(body, sql);
  if (nodes.length === 0) throw invalidQuery('Syntax error: Unexpected end of statement');
  const w0 = upper(nodes[0]);
  const w1 = upper(nodes[1]);
  const afterCreate = () => {
    let i = 1;
    if (upper(nodes[i]) === 'OR' && upper(nodes[i + 1]) === 'REPLACE') i += 2;
    if (['TEMP', 'TEMPORARY'].includes(upper(nodes[i]))) throw invalidQuery('Temporary tables are not supported by the local server (they only exist inside scripts and sessions).');
    return upper(nodes[i]);
  };
  let kind: StatementKind | undefined;
  if (w0 === 'SELECT' || w0 === 'WITH' || isGroup(nodes[0])) kind = 'SELECT';
  else if (['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(w0)) kind = w0 as StatementKind;
  else if (w0 === 'CREATE') {
    const what = afterCreate();
    if (what === 'TABLE') kind = 'CREATE_TABLE';
    else if (what === 'VIEW') kind = 'CREATE_VIEW';
    else if (what === 'SCHEMA') kind = 'CREATE_SCHEMA';
    else throw invalidQuery(`CREATE ${what} is not supported by the local server.`);
  } else if (w0 === 'DROP' && ['TABLE', 'VIEW', 'SCHEMA'].includes(w1)) kind = `DROP_${w1}` as StatementKind;
  else if (w0 === 'TRUNCATE' && w1 === 'TABLE') kind = 'TRUNCATE_TABLE';
  if (!kind) throw invalidQuery(`Statement "${w0 || '('}${w1 ? ' ' + w1 : ''}" is not supported by the local server.`);
  return { kind, nodes };
}

/** Read a table path starting at `i`: returns its parts and how many nodes it spans. */
export function readPath(nodes: Node[], i: number): { parts: string[]; used: number } {
  const parts: string[] = [];
  let used = 0;
  while (true) {
    const n = nodes[i + used];
    if (!isTok(n) || (n.tok.kind !== 'ident' && n.tok.kind !== 'quoted')) break;
    parts.push(...(n.tok.kind === 'quoted' ? n.tok.value!.split('.') : [n.tok.text]));
    used++;
    if (isTok(nodes[i + used], '.') && !nodes[i + used].sp) used++;
    else break;
  }
  if (parts.length === 0) throw invalidQuery('Syntax error: Expected a table name');
  return { parts, used };
}

export function refFromParts(parts: string[], defaultProject: string, defaultDataset?: string): TableRef {
  if (parts.length === 3) return { projectId: parts[0], datasetId: parts[1], tableId: parts[2] };
  if (parts.length === 2) return { projectId: defaultProject, datasetId: parts[0], tableId: parts[1] };
  if (parts.length === 1 && defaultDataset) return { projectId: defaultProject, datasetId: defaultDataset, tableId: parts[0] };
  throw invalidQuery(`Table "${parts.join('.')}" must be qualified with a dataset (e.g. dataset.table)`);
}

export interface CreateTableStatement {
  orReplace: boolean;
  ifNotExists: boolean;
  target: string[];
  /** Column definitions, when given. */
  fields?: BqField[];
  /** tables.insert-style options: timePartitioning, clustering, description, labels, ... */
  options: Record<string, unknown>;
  /** The nodes of `AS <query>`, when given. */
  query?: Node[];
  /** For views: the original query text. */
  queryText?: string;
}

/** CREATE [OR REPLACE] TABLE|VIEW [IF NOT EXISTS] path [(cols)] [PARTITION BY] [CLUSTER BY] [OPTIONS()] [AS query] */
export function parseCreate(nodes: Node[], sql: string): CreateTableStatement {
  let i = 1;
  const orReplace = upper(nodes[i]) === 'OR';
  if (orReplace) i += 2;
  i++; // TABLE | VIEW
  let ifNotExists = false;
  if (upper(nodes[i]) === 'IF' && upper(nodes[i + 1]) === 'NOT' && upper(nodes[i + 2]) === 'EXISTS') {
    ifNotExists = true;
    i += 3;
  }
  if (orReplace && ifNotExists) throw invalidQuery('CREATE OR REPLACE and IF NOT EXISTS cannot be used together');
  const path = readPath(nodes, i);
  i += path.used;
  const statement: CreateTableStatement = { orReplace, ifNotExists, target: path.parts, options: {} };
  if (isGroup(nodes[i])) {
    statement.fields = splitArgs((nodes[i] as Extract<Node, { t: 'group' }>).items).map(columnDefinition);
    i++;
  }
  while (i < nodes.length) {
    const word = upper(nodes[i]);
    if (word === 'PARTITION' && upper(nodes[i + 1]) === 'BY') {
      let j = i + 2;
      while (j < nodes.length && !['CLUSTER', 'OPTIONS', 'AS'].includes(upper(nodes[j]))) j++;
      statement.options.timePartitioning = partitioningFrom(nodes.slice(i + 2, j));
      i = j;
    } else if (word === 'CLUSTER' && upper(nodes[i + 1]) === 'BY') {
      let j = i + 2;
      const fields: string[] = [];
      while (j < nodes.length && !['OPTIONS', 'AS', 'PARTITION'].includes(upper(nodes[j]))) {
        const n = nodes[j];
        if (isTok(n) && (n.tok.kind === 'ident' || n.tok.kind === 'quoted')) fields.push(n.tok.value ?? n.tok.text);
        j++;
      }
      statement.options.clustering = { fields };
      i = j;
    } else if (word === 'OPTIONS' && isGroup(nodes[i + 1])) {
      Object.assign(statement.options, optionsFrom((nodes[i + 1] as Extract<Node, { t: 'group' }>).items, statement.options));
      i += 2;
    } else if (word === 'AS') {
      statement.query = nodes.slice(i + 1);
      const first = nodes[i + 1];
      const startAt = first ? (first.t === 'tok' ? first.tok.at : first.open.at) : sql.length;
      statement.queryText = sql.slice(startAt).replace(/;\s*$/, '').trim();
      break;
    } else if (word === 'DEFAULT' && upper(nodes[i + 1]) === 'COLLATE') {
      throw invalidQuery('DEFAULT COLLATE is not supported by the local server.');
    } else {
      throw invalidQuery(`Syntax error: Unexpected "${isTok(nodes[i]) ? (nodes[i] as Extract<Node, { t: 'tok' }>).tok.text : '('}" in CREATE statement`);
    }
  }
  return statement;
}

/** `name TYPE [NOT NULL] [OPTIONS(description=...)]` -> a schema field. */
function columnDefinition(nodes: Node[]): BqField {
  const nameNode = nodes[0];
  if (!isTok(nameNode) || (nameNode.tok.kind !== 'ident' && nameNode.tok.kind !== 'quoted')) throw invalidQuery('Syntax error: Expected a column name');
  const { field, used } = fieldType(nameNode.tok.value ?? nameNode.tok.text, nodes, 1);
  let i = 1 + used;
  while (i < nodes.length) {
    if (upper(nodes[i]) === 'NOT' && upper(nodes[i + 1]) === 'NULL') {
      if (field.mode === 'REPEATED') throw invalidQuery(`NOT NULL cannot be applied to ARRAY column ${field.name}`);
      field.mode = 'REQUIRED';
      i += 2;
    } else if (upper(nodes[i]) === 'OPTIONS' && isGroup(nodes[i + 1])) {
      const opts = optionsFrom((nodes[i + 1] as Extract<Node, { t: 'group' }>).items, {});
      if (typeof opts.description === 'string') field.description = opts.description;
      i += 2;
    } else throw invalidQuery(`Syntax error: Unexpected token in the definition of column ${field.name}`);
  }
  return normalizeSchema([field])[0];
}

function fieldType(name: string, nodes: Node[], start: number): { field: BqField; used: number } {
  const word = upper(nodes[start]);
  if (word === 'ARRAY') {
    if (!isTok(nodes[start + 1], '<')) throw invalidQuery('Syntax error: ARRAY needs <type>');
    const inner = fieldType(name, nodes, start + 2);
    const close = nodes[start + 2 + inner.used];
    if (!isTok(close, '>') && !isTok(close, '>>')) throw invalidQuery('Syntax error: Expected ">" closing ARRAY<');
    return { field: { ...inner.field, mode: 'REPEATED' }, used: inner.used + 3 };
  }
  if (word === 'STRUCT') {
    if (!isTok(nodes[start + 1], '<')) throw invalidQuery('Syntax error: STRUCT needs <fields>');
    let i = start + 2;
    const fields: BqField[] = [];
    while (!isTok(nodes[i], '>')) {
      const sub = nodes[i];
      if (!isTok(sub)) throw invalidQuery('Syntax error: Expected a field name in STRUCT<...>');
      const inner = fieldType(sub.tok.value ?? sub.tok.text, nodes, i + 1);
      fields.push(inner.field);
      i += 1 + inner.used;
      if (upper(nodes[i]) === 'NOT' && upper(nodes[i + 1]) === 'NULL') {
        inner.field.mode = 'REQUIRED';
        i += 2;
      }
      if (isTok(nodes[i], ',')) i++;
      else if (!isTok(nodes[i], '>')) throw invalidQuery('Syntax error: Expected "," or ">" in STRUCT<...>');
    }
    return { field: { name, type: 'RECORD', mode: 'NULLABLE', fields }, used: i - start + 1 };
  }
  const type = canonicalType(word, name);
  const field: BqField = { name, type, mode: 'NULLABLE' };
  if (isGroup(nodes[start + 1])) {
    const params = splitArgs((nodes[start + 1] as Extract<Node, { t: 'group' }>).items).map((a) => a.map((n) => (isTok(n) ? n.tok.text : '')).join(''));
    if (type === 'NUMERIC' || type === 'BIGNUMERIC') {
      field.precision = params[0];
      if (params[1] !== undefined) field.scale = params[1];
    } else if (type === 'STRING' || type === 'BYTES') field.maxLength = params[0];
    return { field, used: 2 };
  }
  return { field, used: 1 };
}

function partitioningFrom(nodes: Node[]): Record<string, unknown> {
  const name = (n: Node | undefined) => (isTok(n) ? n.tok.value ?? n.tok.text : '');
  if (nodes.length === 1) {
    const only = name(nodes[0]);
    if (only.toUpperCase() === '_PARTITIONDATE' || only.toUpperCase() === '_PARTITIONTIME') return { type: 'DAY' };
    return { type: 'DAY', field: only };
  }
  const fn = upper(nodes[0]);
  if (nodes.length === 2 && isGroup(nodes[1])) {
    const args = splitArgs((nodes[1] as Extract<Node, { t: 'group' }>).items);
    if (fn === 'DATE' && args.length === 1 && args[0].length === 1) return { type: 'DAY', field: name(args[0][0]) };
    if (['TIMESTAMP_TRUNC', 'DATETIME_TRUNC', 'DATE_TRUNC'].includes(fn) && args.length === 2) {
      return { type: upper(args[1][0]), field: name(args[0][0]) };
    }
    if (fn === 'RANGE_BUCKET') throw invalidQuery('Integer-range partitioning in DDL is not supported by the local server; create the table through tables.insert.');
  }
  throw invalidQuery('PARTITION BY expression must be a column, DATE(column) or TIMESTAMP_TRUNC/DATETIME_TRUNC/DATE_TRUNC(column, unit)');
}

/** OPTIONS(name = literal, ...) -> tables.insert fields. Only literal values are accepted. */
function optionsFrom(items: Node[], current: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const option of splitArgs(items)) {
    const key = upper(option[0]);
    if (!isTok(option[1], '=')) throw invalidQuery(`Syntax error: Expected "=" after option ${key}`);
    const valueNodes = option.slice(2);
    const literal = literalValue(valueNodes, key);
    switch (key) {
      case 'DESCRIPTION':
        out.description = literal;
        break;
      case 'FRIENDLY_NAME':
        out.friendlyName = literal;
        break;
      case 'LABELS':
        out.labels = literal;
        break;
      case 'EXPIRATION_TIMESTAMP':
        out.expirationTime = literal;
        break;
      case 'PARTITION_EXPIRATION_DAYS': {
        const tp = { ...((current.timePartitioning as Record<string, unknown>) ?? { type: 'DAY' }) };
        tp.expirationMs = String(Math.round(Number(literal) * 86_400_000));
        out.timePartitioning = tp;
        break;
      }
      case 'REQUIRE_PARTITION_FILTER':
        out.requirePartitionFilter = literal;
        break;
      default:
        throw invalidQuery(`OPTIONS(${key.toLowerCase()}) is not supported by the local server.`);
    }
  }
  return out;
}

function literalValue(nodes: Node[], key: string): unknown {
  const n = nodes[0];
  if (nodes.length === 1 && isTok(n)) {
    if (n.tok.kind === 'string') return n.tok.value;
    if (n.tok.kind === 'number') return Number(n.tok.text);
    if (isIdent(n, 'TRUE')) return true;
    if (isIdent(n, 'FALSE')) return false;
    if (isIdent(n, 'NULL')) return null;
  }
  if (nodes.length === 2 && isIdent(n, 'TIMESTAMP') && isTok(nodes[1]) && nodes[1].tok.kind === 'string') {
    const micros = parseTimestamp(nodes[1].tok.value!);
    if (micros === undefined) throw invalidQuery(`Invalid TIMESTAMP literal in OPTIONS(${key.toLowerCase()})`);
    return String(micros / 1000n);
  }
  if (nodes.length === 1 && isGroup(n, '[')) {
    // labels = [("k", "v"), ...]
    const labels: Record<string, string> = {};
    for (const pair of splitArgs(n.items)) {
      const g = pair[0];
      if (!isGroup(g)) throw invalidQuery(`OPTIONS(${key.toLowerCase()}) must be a list of ("key", "value") pairs`);
      const [k, v] = splitArgs(g.items).map((a) => literalValue(a, key));
      labels[String(k)] = String(v);
    }
    return labels;
  }
  throw invalidQuery(`OPTIONS(${key.toLowerCase()}) must be a literal value in the local server`);
}

/** DROP TABLE|VIEW|SCHEMA [IF EXISTS] path [CASCADE] */
export function parseDrop(nodes: Node[]): { ifExists: boolean; target: string[]; cascade: boolean } {
  let i = 2;
  let ifExists = false;
  if (upper(nodes[i]) === 'IF' && upper(nodes[i + 1]) === 'EXISTS') {
    ifExists = true;
    i += 2;
  }
  const path = readPath(nodes, i);
  return { ifExists, target: path.parts, cascade: upper(nodes[i + path.used]) === 'CASCADE' };
}

/** CREATE SCHEMA [IF NOT EXISTS] [project.]dataset [OPTIONS(...)] */
export function parseCreateSchema(nodes: Node[]): { ifNotExists: boolean; target: string[]; options: Record<string, unknown> } {
  let i = 2;
  let ifNotExists = false;
  if (upper(nodes[i]) === 'IF' && upper(nodes[i + 1]) === 'NOT' && upper(nodes[i + 2]) === 'EXISTS') {
    ifNotExists = true;
    i += 3;
  }
  const path = readPath(nodes, i);
  i += path.used;
  const options: Record<string, unknown> = {};
  if (upper(nodes[i]) === 'OPTIONS' && isGroup(nodes[i + 1])) {
    for (const option of splitArgs((nodes[i + 1] as Extract<Node, { t: 'group' }>).items)) {
      const key = upper(option[0]);
      const value = literalValue(option.slice(2), key);
      if (key === 'LOCATION') options.location = value;
      else if (key === 'DESCRIPTION') options.description = value;
      else if (key === 'FRIENDLY_NAME') options.friendlyName = value;
      else if (key === 'LABELS') options.labels = value;
      else if (key === 'DEFAULT_TABLE_EXPIRATION_DAYS') options.defaultTableExpirationMs = String(Math.round(Number(value) * 86_400_000));
      else if (key === 'DEFAULT_PARTITION_EXPIRATION_DAYS') options.defaultPartitionExpirationMs = String(Math.round(Number(value) * 86_400_000));
      else throw invalidQuery(`OPTIONS(${key.toLowerCase()}) is not supported by the local server.`);
    }
  }
  return { ifNotExists, target: path.parts, options };
}
