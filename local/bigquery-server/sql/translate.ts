/**
 * GoogleSQL -> DuckDB SQL, token by token over a tree of parenthesised groups: table paths
 * become DuckDB schema-qualified names, literals and parameters become typed DuckDB
 * literals, and GoogleSQL functions become their DuckDB equivalents. What has no faithful
 * translation is rejected with invalidQuery, never passed through to mean something else.
 */
import { invalidQuery, notFound } from '../errors';
import { quoteIdent } from '../types/schema';
import { parseTimestamp, formatTimestampIso } from '../types/temporal';
import { positionOf, tokenize, type Token } from './tokenizer';
import type { BoundParameters } from './parameters';
import { datasetKey, tableKey, duckTableSql, type TableRef } from '../store/names';

export type Node =
  | { t: 'tok'; tok: Token; sp: boolean }
  | { t: 'group'; open: Token; items: Node[]; close: Token; sp: boolean };

export interface TranslateContext {
  defaultProject: string;
  defaultDataset?: string;
  /** 'table' | 'view' when the table exists, 'no-dataset' when its dataset does not. */
  lookup(ref: TableRef): 'table' | 'view' | 'missing' | 'no-dataset';
  params: BoundParameters;
  /** The original text, for error positions. */
  sql: string;
}

export interface Translation {
  sql: string;
  /** Tables the statement reads or writes, resolved. */
  tables: TableRef[];
}

// ---------- tree ----------

export function parseTree(tokens: Token[], sql: string): Node[] {
  let pos = 0;
  const build = (closer?: string): Node[] => {
    const items: Node[] = [];
    let sp = false;
    while (pos < tokens.length) {
      const tok = tokens[pos];
      if (tok.kind === 'space') {
        sp = true;
        pos++;
        continue;
      }
      if (tok.kind === 'punct' && (tok.text === ')' || tok.text === ']')) {
        if (tok.text !== closer) throw invalidQuery(`Syntax error: Unexpected "${tok.text}" at ${positionOf(sql, tok.at)}`);
        return items;
      }
      pos++;
      if (tok.kind === 'punct' && (tok.text === '(' || tok.text === '[')) {
        const close = tok.text === '(' ? ')' : ']';
        const inner = build(close);
        if (pos >= tokens.length) throw invalidQuery(`Syntax error: Expected "${close}" but got end of statement at ${positionOf(sql, tok.at)}`);
        items.push({ t: 'group', open: tok, items: inner, close: tokens[pos], sp });
        pos++;
      } else items.push({ t: 'tok', tok, sp });
      sp = false;
    }
    if (closer) throw invalidQuery(`Syntax error: Expected "${closer}" but got end of statement`);
    return items;
  };
  return build();
}

export const isTok = (n: Node | undefined, text?: string): n is Extract<Node, { t: 'tok' }> =>
  !!n && n.t === 'tok' && (text === undefined || n.tok.text.toUpperCase() === text);
export const isIdent = (n: Node | undefined, text?: string): n is Extract<Node, { t: 'tok' }> =>
  isTok(n) && n.tok.kind === 'ident' && (text === undefined || n.tok.text.toUpperCase() === text);
export const isGroup = (n: Node | undefined, open = '('): n is Extract<Node, { t: 'group' }> => !!n && n.t === 'group' && n.open.text === open;
export const upper = (n: Node | undefined) => (isTok(n) ? n.tok.text.toUpperCase() : '');

/** Split a group's items at top-level commas. */
export function splitArgs(items: Node[]): Node[][] {
  const args: Node[][] = [[]];
  for (const n of items) {
    if (isTok(n, ',') && n.tok.kind === 'punct') args.push([]);
    else args[args.length - 1].push(n);
  }
  return args.length === 1 && args[0].length === 0 ? [] : args;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

// ---------- types ----------

const SCALAR_TYPES: Record<string, string> = {
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
  BIGNUMERIC: 'VARCHAR',
  BIGDECIMAL: 'VARCHAR',
  TIMESTAMP: 'TIMESTAMPTZ',
  DATETIME: 'TIMESTAMP',
  DATE: 'DATE',
  TIME: 'TIME',
  JSON: 'JSON',
  GEOGRAPHY: 'VARCHAR',
};

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
  const mapped = SCALAR_TYPES[name];
  if (!mapped) throw invalidQuery(`Type not found: ${isTok(head) ? head.tok.text : '(none)'}`);
  // Parameterised types: STRING(10), NUMERIC(10, 2), BYTES(5).
  if (isGroup(nodes[start + 1])) {
    const params = splitArgs((nodes[start + 1] as Extract<Node, { t: 'group' }>).items).map((a) => a.map((n) => (isTok(n) ? n.tok.text : '')).join(''));
    if (name === 'NUMERIC' || name === 'DECIMAL') return { sql: `DECIMAL(${Number(params[0])}, ${Number(params[1] ?? 0)})`, used: 2 };
    return { sql: mapped, used: 2 };
  }
  return { sql: mapped, used: 1 };
}

// ---------- date parts ----------

const DATE_PARTS = new Set(['MICROSECOND', 'MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'ISOWEEK', 'MONTH', 'QUARTER', 'YEAR', 'ISOYEAR', 'DAYOFWEEK', 'DAYOFYEAR', 'DATE', 'TIME']);

function datePart(nodes: Node[], fn: string): string {
  const part = nodes.length >= 1 ? upper(nodes[0]) : '';
  if (!DATE_PARTS.has(part) || (nodes.length > 1 && !(part === 'WEEK' && isGroup(nodes[1])))) {
    throw invalidQuery(`A valid date part name is required in ${fn}`);
  }
  if (part === 'WEEK' && nodes.length > 1) throw invalidQuery(`${fn}: WEEK(<weekday>) is not supported by the local server; use WEEK (Sunday) or ISOWEEK.`);
  return part;
}

// ---------- translator ----------

/** GoogleSQL reserved keywords plus the statement words that are never names here. */
const KEYWORDS = new Set(
  `ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE CROSS CUBE CURRENT DEFAULT DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS EXTRACT FALSE FETCH FOLLOWING FOR FROM FULL GROUP GROUPING GROUPS HASH HAVING IF IGNORE IN INNER INTERSECT INTERVAL INTO IS JOIN LATERAL LEFT LIKE LIMIT LOOKUP MERGE NATURAL NEW NO NOT NULL NULLS OF ON OR ORDER OUTER OVER PARTITION PRECEDING PROTO QUALIFY RANGE RECURSIVE RESPECT RIGHT ROLLUP ROWS SELECT SET SOME STRUCT TABLESAMPLE THEN TO TREAT TRUE UNBOUNDED UNION UNNEST USING WHEN WHERE WINDOW WITH WITHIN TABLE VIEW SCHEMA REPLACE TEMP TEMPORARY VALUES MATCHED DELETE UPDATE INSERT TRUNCATE OPTIONS CLUSTER DROP ALTER`.split(' '),
);
/** Keywords that are also functions when followed by "(". */
const CALLABLE_KEYWORDS = new Set(['ARRAY', 'CAST', 'EXTRACT', 'IF', 'STRUCT', 'GROUPING', 'RANGE', 'COLLATE', 'LEFT', 'RIGHT', 'REPLACE', 'CONTAINS']);

/** Keywords after which a path names a table. */
const TABLE_POSITION = new Set(['FROM', 'JOIN', 'INTO', 'UPDATE', 'TABLE', 'MERGE', 'USING', 'INSERT', 'DELETE', 'VIEW', 'EXISTS', 'TRUNCATE']);

export class Translator {
  readonly tables: TableRef[] = [];
  private positional = 0;
  private readonly cteNames = new Set<string>();

  constructor(private readonly ctx: TranslateContext) {}

  translate(nodes: Node[]): string {
    this.collectCteNames(nodes);
    return this.seq(nodes).trim();
  }

  private collectCteNames(nodes: Node[]): void {
    nodes.forEach((n, i) => {
      if (isGroup(n)) this.collectCteNames(n.items);
      else if (isTok(n) && (n.tok.kind === 'ident' || n.tok.kind === 'quoted') && isIdent(nodes[i + 1], 'AS') && isGroup(nodes[i + 2])) {
        this.cteNames.add((n.tok.value ?? n.tok.text).toLowerCase());
      }
    });
  }

  private fail(message: string, at?: Node): never {
    const tok = at ? (at.t === 'tok' ? at.tok : at.open) : undefined;
    throw invalidQuery(tok ? `${message} at ${positionOf(this.ctx.sql, tok.at)}` : message);
  }

  /** Translate a sequence; `prev` is the keyword before it, for table positions. */
  seq(nodes: Node[], inFrom = false): string {
    let out = '';
    let prevWord = '';
    let fromClause = inFrom;
    for (let i = 0; i < nodes.length; ) {
      const n = nodes[i];
      const sp = n.sp ? ' ' : '';
      const word = upper(n);
      // Paths and function calls.
      if (isTok(n) && (n.tok.kind === 'ident' || n.tok.kind === 'quoted')) {
        const consumed = this.identifierAt(nodes, i, prevWord, fromClause);
        out += sp + consumed.sql;
        i += consumed.used;
        prevWord = consumed.word;
        if (['FROM', 'JOIN'].includes(prevWord)) fromClause = true;
        if (['WHERE', 'GROUP', 'ORDER', 'HAVING', 'QUALIFY', 'WINDOW', 'LIMIT', 'SET', 'ON', 'SELECT', 'UNION', 'EXCEPT', 'INTERSECT'].includes(prevWord)) fromClause = false;
        continue;
      }
      if (n.t === 'group') {
        // Array subscripts: arr[OFFSET(i)] -> arr[(i) + 1].
        if (n.open.text === '[' && i > 0 && !isTok(nodes[i - 1], ',') && !isTok(nodes[i - 1], '(') && !isTok(nodes[i - 1], '=') && isIdent(n.items[0]) && isGroup(n.items[1]) && n.items.length === 2) {
          const fn = upper(n.items[0]);
          const index = this.seq((n.items[1] as Extract<Node, { t: 'group' }>).items);
          if (fn === 'OFFSET' || fn === 'SAFE_OFFSET') out += `${sp}[(${index}) + 1]`;
          else if (fn === 'ORDINAL' || fn === 'SAFE_ORDINAL') out += `${sp}[(${index})]`;
          else out += `${sp}[${this.seq(n.items)}]`;
        } else {
          out += `${sp}${n.open.text}${this.seq(n.items, false)}${n.close.text}`;
        }
        i++;
        prevWord = n.open.text === '(' ? ')' : ']';
        continue;
      }
      const tok = n.tok;
      switch (tok.kind) {
        case 'string':
          // DuckDB reads a string in FROM as a file path; GoogleSQL has no such form.
          if (TABLE_POSITION.has(prevWord) || (fromClause && prevWord === 'FROM')) this.fail(`Syntax error: Unexpected string literal ${tok.text}`, n);
          out += sp + sqlString(tok.value!);
          break;
        case 'bytes':
          out += `${sp}unhex(${sqlString(Buffer.from(tok.value!, 'latin1').toString('hex'))})`;
          break;
        case 'param':
          out += sp + this.parameter(tok, n);
          break;
        case 'number':
          out += sp + tok.text;
          break;
        default:
          if (tok.text === '*' && isIdent(nodes[i + 1], 'EXCEPT') && isGroup(nodes[i + 2])) {
            out += `${sp}* EXCLUDE (${this.seq((nodes[i + 2] as Extract<Node, { t: 'group' }>).items)})`;
            i += 3;
            prevWord = ')';
            continue;
          }
          out += sp + tok.text;
      }
      prevWord = tok.text === ',' && fromClause ? 'FROM' : tok.text;
      i++;
    }
    return out;
  }

  private parameter(tok: Token, node: Node): string {
    if (tok.value === '') {
      const literal = this.ctx.params.positional[this.positional++];
      if (literal === undefined) this.fail('Query has more positional parameters (?) than were provided', node);
      return literal;
    }
    const literal = this.ctx.params.named.get(tok.value!.toLowerCase());
    if (literal === undefined) this.fail(`Query parameter '${tok.value}' not found`, node);
    return literal;
  }

  /** An identifier or quoted name at `i`: keyword, typed literal, function call or path. */
  private identifierAt(nodes: Node[], i: number, prevWord: string, fromClause: boolean): { sql: string; used: number; word: string } {
    const n = nodes[i] as Extract<Node, { t: 'tok' }>;
    const word = n.tok.kind === 'ident' ? n.tok.text.toUpperCase() : '';
    const next = nodes[i + 1];

    if (n.tok.kind === 'ident') {
      // Typed literals: TIMESTAMP '...', DATE '...', NUMERIC '...', JSON '...'.
      if (isTok(next) && next.tok.kind === 'string' && ['TIMESTAMP', 'DATE', 'DATETIME', 'TIME', 'NUMERIC', 'BIGNUMERIC', 'DECIMAL', 'BIGDECIMAL', 'JSON'].includes(word)) {
        let text = next.tok.value!;
        if (word === 'TIMESTAMP') {
          const micros = parseTimestamp(text);
          if (micros === undefined) this.fail(`Invalid TIMESTAMP literal: ${JSON.stringify(text)}`, next);
          text = formatTimestampIso(micros);
        }
        return { sql: `CAST(${sqlString(text)} AS ${SCALAR_TYPES[word]})`, used: 2, word: ')' };
      }
      if (word === 'INTERVAL') return this.interval(nodes, i);
      if (word === 'IN' && isIdent(next, 'UNNEST') && isGroup(nodes[i + 2])) {
        return { sql: `IN (SELECT UNNEST(${this.seq((nodes[i + 2] as Extract<Node, { t: 'group' }>).items)}))`, used: 3, word: ')' };
      }
      if ((word === 'UNION' || word === 'INTERSECT' || word === 'EXCEPT') && isIdent(next, 'DISTINCT')) return { sql: word, used: 2, word };
      if (word === 'SELECT' && isIdent(next, 'AS') && (isIdent(nodes[i + 2], 'STRUCT') || isIdent(nodes[i + 2], 'VALUE'))) {
        this.fail('SELECT AS STRUCT / SELECT AS VALUE is not supported by the local server', n);
      }
      if (word === 'FOR' && isIdent(next, 'SYSTEM_TIME')) this.fail('FOR SYSTEM_TIME AS OF (time travel) is not supported by the local server', n);
      if (word === 'ARRAY' && isTok(next, '<')) {
        const type = translateType(nodes, i);
        const literal = nodes[i + type.used];
        if (!isGroup(literal, '[')) this.fail('Syntax error: Expected an array literal after ARRAY<...>', n);
        return { sql: `CAST([${this.seq(literal.items)}] AS ${type.sql})`, used: type.used + 1, word: ')' };
      }
      if (word === 'CURRENT_TIMESTAMP' && !isGroup(next)) return { sql: 'get_current_timestamp()', used: 1, word: ')' };
      if (word === 'CURRENT_DATE' && !isGroup(next)) return { sql: 'CAST(get_current_timestamp() AS DATE)', used: 1, word: ')' };
      if (word === 'UNNEST' && isGroup(next) && ['FROM', 'JOIN'].includes(prevWord)) return this.unnestInFrom(nodes, i);
      // GoogleSQL lets INTO / FROM be omitted; DuckDB needs them.
      if (word === 'MERGE' && !isIdent(next, 'INTO')) return { sql: 'MERGE INTO', used: 1, word: 'INTO' };
      if (word === 'INSERT' && i === 0 && !isIdent(next, 'INTO')) return { sql: 'INSERT INTO', used: 1, word: 'INTO' };
      if (word === 'DELETE' && i === 0 && !isIdent(next, 'FROM')) return { sql: 'DELETE FROM', used: 1, word: 'FROM' };
      if (KEYWORDS.has(word) && !(CALLABLE_KEYWORDS.has(word) && isGroup(next))) return { sql: n.tok.text, used: 1, word };
      // Function call.
      if (isGroup(next) && !TABLE_POSITION.has(prevWord) && !['AS', 'IN', 'EXISTS', 'OVER', 'USING', 'VALUES', 'AND', 'OR', 'NOT', 'ON', 'WHERE', 'SELECT', 'WHEN', 'THEN', 'ELSE', 'BY', 'WITH', 'HAVING', 'QUALIFY', 'IS', 'INTO', 'ROW'].includes(word)) {
        return { sql: this.call(word, n, next as Extract<Node, { t: 'group' }>), used: 2, word: ')' };
      }
    }

    // A dotted path: a.b.c, `a.b.c`, `a`.b, ...
    const parts: string[] = [];
    const quotedParts: boolean[] = [];
    let used = 0;
    while (true) {
      const p = nodes[i + used];
      if (!isTok(p) || (p.tok.kind !== 'ident' && p.tok.kind !== 'quoted')) break;
      if (used > 0 && p.sp) break;
      const pieces = p.tok.kind === 'quoted' ? p.tok.value!.split('.') : [p.tok.text];
      parts.push(...pieces);
      pieces.forEach(() => quotedParts.push(p.tok.kind === 'quoted'));
      used++;
      const dot = nodes[i + used];
      const after = nodes[i + used + 1];
      if (isTok(dot, '.') && !dot.sp && isTok(after) && (after.tok.kind === 'ident' || after.tok.kind === 'quoted') && !after.sp) used++;
      else break;
    }
    const tablePosition = TABLE_POSITION.has(prevWord) || (fromClause && prevWord === 'FROM');
    const ref = this.resolveTable(parts, tablePosition, nodes[i]);
    if (ref) {
      this.tables.push(ref);
      return { sql: duckTableSql(ref), used, word: 'TABLE_REF' };
    }
    const sql = parts.map((p, k) => (quotedParts[k] ? quoteIdent(p) : p)).join('.');
    return { sql, used, word: parts.length === 1 && !quotedParts[0] ? parts[0].toUpperCase() : 'IDENT' };
  }

  private resolveTable(parts: string[], tablePosition: boolean, at: Node): TableRef | undefined {
    const { defaultProject, defaultDataset } = this.ctx;
    let ref: TableRef | undefined;
    if (parts.length === 3) ref = { projectId: parts[0], datasetId: parts[1], tableId: parts[2] };
    else if (parts.length === 2) ref = { projectId: defaultProject, datasetId: parts[0], tableId: parts[1] };
    else if (parts.length === 1 && tablePosition && defaultDataset && !this.cteNames.has(parts[0].toLowerCase())) {
      ref = { projectId: defaultProject, datasetId: defaultDataset, tableId: parts[0] };
    }
    if (!ref) {
      if (tablePosition && parts.length > 3) this.fail(`Invalid table name: ${parts.join('.')}`, at);
      if (tablePosition && parts.length === 1 && !this.cteNames.has(parts[0].toLowerCase()) && !['UNNEST', 'SELECT', 'WITH'].includes(parts[0].toUpperCase())) {
        this.fail(`Table "${parts[0]}" must be qualified with a dataset (e.g. dataset.table)`, at);
      }
      return undefined;
    }
    if (ref.datasetId.toUpperCase() === 'INFORMATION_SCHEMA' || ref.tableId.toUpperCase().startsWith('INFORMATION_SCHEMA')) {
      this.fail('INFORMATION_SCHEMA is not supported by the local server', at);
    }
    const found = this.ctx.lookup(ref);
    if (found === 'table' || found === 'view') return ref;
    if (!tablePosition) return undefined;
    if (found === 'no-dataset') throw notFound(`Dataset ${datasetKey(ref)} was not found in location US`);
    // The target of CREATE TABLE / CREATE VIEW may not exist yet; the statement layer checks the rest.
    if (this.allowMissing) return ref;
    throw notFound(`Table ${tableKey(ref)} was not found in location US`);
  }

  /** Set by the statement layer while translating the target of a CREATE. */
  allowMissing = false;

  private interval(nodes: Node[], i: number): { sql: string; used: number; word: string } {
    // INTERVAL <expr> <PART>: the expression runs to the first date-part keyword.
    let j = i + 1;
    while (j < nodes.length && !(isIdent(nodes[j]) && DATE_PARTS.has(upper(nodes[j])))) j++;
    if (j >= nodes.length || j === i + 1) this.fail('Syntax error: INTERVAL needs a value and a date part', nodes[i]);
    let part = upper(nodes[j]);
    if (part === 'QUARTER') part = 'MONTH';
    const value = this.seq(nodes.slice(i + 1, j)).trim();
    const scaled = upper(nodes[j]) === 'QUARTER' ? `(${value}) * 3` : value;
    if (upper(nodes[j + 1]) === 'TO') this.fail('INTERVAL ... TO ... ranges are not supported by the local server', nodes[i]);
    return { sql: `(INTERVAL (${scaled}) ${part})`, used: j - i + 1, word: ')' };
  }

  private unnestInFrom(nodes: Node[], i: number): { sql: string; used: number; word: string } {
    const arg = this.seq((nodes[i + 1] as Extract<Node, { t: 'group' }>).items);
    let used = 2;
    if (isIdent(nodes[i + used], 'AS')) used++;
    const alias = nodes[i + used];
    if (!isTok(alias) || (alias.tok.kind !== 'ident' && alias.tok.kind !== 'quoted') || ['WITH', 'ON', 'WHERE', 'JOIN', 'LEFT', 'CROSS', 'INNER', 'GROUP', 'ORDER', 'LIMIT'].includes(upper(alias))) {
      return { sql: `UNNEST(${arg}) AS _unnest(${quoteIdent('unnest')})`, used: 2, word: 'IDENT' };
    }
    used++;
    if (isIdent(nodes[i + used], 'WITH') && isIdent(nodes[i + used + 1], 'OFFSET')) this.fail('UNNEST ... WITH OFFSET is not supported by the local server', nodes[i]);
    const name = alias.tok.value ?? alias.tok.text;
    return { sql: `UNNEST(${arg}) AS ${quoteIdent('_unnest_' + name)}(${quoteIdent(name)})`, used, word: 'IDENT' };
  }

  // ---------- functions ----------

  private call(name: string, nameNode: Extract<Node, { t: 'tok' }>, group: Extract<Node, { t: 'group' }>): string {
    const args = splitArgs(group.items);
    const e = (k: number) => {
      if (!args[k]) this.fail(`Function ${name} is missing argument ${k + 1}`, nameNode);
      return `(${this.seq(args[k]).trim()})`;
    };
    const arity = (min: number, max = min) => {
      if (args.length < min || args.length > max) this.fail(`No matching signature for function ${name} with ${args.length} argument(s)`, nameNode);
    };
    const tz = (k: number) => (args[k] ? e(k) : undefined);
    switch (name) {
      case 'TIMESTAMP_TRUNC':
      case 'DATETIME_TRUNC':
      case 'DATE_TRUNC':
      case 'TIME_TRUNC': {
        arity(2, 3);
        const part = datePart(args[1], name);
        const zone = tz(2);
        const value = zone ? `timezone(${zone}, ${e(0)})` : e(0);
        let truncated = part === 'WEEK' ? `(date_trunc('week', ${value} + INTERVAL 1 DAY) - INTERVAL 1 DAY)` : `date_trunc('${part === 'ISOWEEK' ? 'week' : part.toLowerCase()}', ${value})`;
        if (zone) truncated = `timezone(${zone}, ${truncated})`;
        if (name === 'DATE_TRUNC') return `CAST(${truncated} AS DATE)`;
        if (name === 'TIME_TRUNC') return `CAST(date_trunc('${part.toLowerCase()}', DATE '2000-01-01' + ${e(0)}) AS TIME)`;
        return truncated;
      }
      case 'TIMESTAMP_ADD':
      case 'DATETIME_ADD':
      case 'TIME_ADD':
        arity(2);
        return `(${e(0)} + ${e(1)})`;
      case 'TIMESTAMP_SUB':
      case 'DATETIME_SUB':
      case 'TIME_SUB':
        arity(2);
        return `(${e(0)} - ${e(1)})`;
      case 'DATE_ADD':
        arity(2);
        return `CAST(${e(0)} + ${e(1)} AS DATE)`;
      case 'DATE_SUB':
        arity(2);
        return `CAST(${e(0)} - ${e(1)} AS DATE)`;
      case 'TIMESTAMP_DIFF':
        arity(3);
        return `date_sub('${datePart(args[2], name).toLowerCase()}', ${e(1)}, ${e(0)})`;
      case 'DATE_DIFF':
      case 'DATETIME_DIFF':
        arity(3);
        return `date_diff('${datePart(args[2], name).toLowerCase()}', ${e(1)}, ${e(0)})`;
      case 'UNIX_MICROS':
        arity(1);
        return `epoch_us(${e(0)})`;
      case 'UNIX_MILLIS':
        arity(1);
        return `CAST(floor(epoch_us(${e(0)}) / 1000) AS BIGINT)`;
      case 'UNIX_SECONDS':
        arity(1);
        return `CAST(floor(epoch_us(${e(0)}) / 1000000) AS BIGINT)`;
      case 'UNIX_DATE':
        arity(1);
        return `date_diff('day', DATE '1970-01-01', ${e(0)})`;
      case 'DATE_FROM_UNIX_DATE':
        arity(1);
        return `CAST(DATE '1970-01-01' + CAST(${e(0)} AS INTEGER) AS DATE)`;
      case 'TIMESTAMP_MICROS':
        arity(1);
        return `CAST(make_timestamp(CAST(${e(0)} AS BIGINT)) AS TIMESTAMPTZ)`;
      case 'TIMESTAMP_MILLIS':
        arity(1);
        return `CAST(make_timestamp(CAST(${e(0)} AS BIGINT) * 1000) AS TIMESTAMPTZ)`;
      case 'TIMESTAMP_SECONDS':
        arity(1);
        return `CAST(make_timestamp(CAST(${e(0)} AS BIGINT) * 1000000) AS TIMESTAMPTZ)`;
      case 'TIMESTAMP':
        arity(1, 2);
        return args.length === 2 ? `timezone(${e(1)}, CAST(${e(0)} AS TIMESTAMP))` : `CAST(${e(0)} AS TIMESTAMPTZ)`;
      case 'DATE':
        if (args.length === 3) return `make_date(CAST(${e(0)} AS BIGINT), CAST(${e(1)} AS BIGINT), CAST(${e(2)} AS BIGINT))`;
        arity(1, 2);
        return args.length === 2 ? `CAST(timezone(${e(1)}, ${e(0)}) AS DATE)` : `CAST(${e(0)} AS DATE)`;
      case 'DATETIME':
        if (args.length === 6) return `make_timestamp(${[0, 1, 2, 3, 4, 5].map(e).join(', ')})`;
        arity(1, 2);
        if (args.length === 2) return `timezone(${e(1)}, ${e(0)})`;
        return `CAST(${e(0)} AS TIMESTAMP)`;
      case 'TIME':
        if (args.length === 3) return `make_time(${e(0)}, ${e(1)}, ${e(2)})`;
        arity(1);
        return `CAST(${e(0)} AS TIME)`;
      case 'CURRENT_TIMESTAMP':
        arity(0);
        return 'get_current_timestamp()';
      case 'CURRENT_DATE':
        arity(0, 1);
        return args.length ? `CAST(timezone(${e(0)}, get_current_timestamp()) AS DATE)` : 'CAST(get_current_timestamp() AS DATE)';
      case 'CURRENT_DATETIME':
        arity(0, 1);
        return args.length ? `timezone(${e(0)}, get_current_timestamp())` : 'CAST(get_current_timestamp() AS TIMESTAMP)';
      case 'CURRENT_TIME':
        arity(0, 1);
        return args.length ? `CAST(timezone(${e(0)}, get_current_timestamp()) AS TIME)` : 'CAST(get_current_timestamp() AS TIME)';
      case 'EXTRACT': {
        arity(1);
        const parts = args[0];
        const part = upper(parts[0]);
        if (!isIdent(parts[1], 'FROM')) this.fail('Syntax error: EXTRACT needs <part> FROM <value>', nameNode);
        const atZone = parts.findIndex((p, k) => k > 2 && isIdent(p, 'AT') && isIdent(parts[k + 1], 'TIME') && isIdent(parts[k + 2], 'ZONE'));
        const valueNodes = atZone > 0 ? parts.slice(2, atZone) : parts.slice(2);
        let value = `(${this.seq(valueNodes).trim()})`;
        if (atZone > 0) value = `timezone((${this.seq(parts.slice(atZone + 3)).trim()}), ${value})`;
        if (part === 'DAYOFWEEK') return `(dayofweek(${value}) + 1)`;
        if (part === 'DATE') return `CAST(${value} AS DATE)`;
        if (part === 'TIME') return `CAST(${value} AS TIME)`;
        if (part === 'ISOWEEK') return `week(${value})`;
        if (part === 'WEEK') return `CAST(floor((dayofyear(${value}) - 1 + dayofweek(date_trunc('year', ${value}))) / 7) AS BIGINT)`;
        if (!DATE_PARTS.has(part)) this.fail(`A valid date part name is required in EXTRACT: ${part}`, nameNode);
        return `EXTRACT(${part.toLowerCase()} FROM ${value})`;
      }
      case 'FORMAT_TIMESTAMP':
      case 'FORMAT_DATETIME':
      case 'FORMAT_DATE':
      case 'FORMAT_TIME':
        arity(2, 3);
        return args.length === 3 ? `strftime(timezone(${e(2)}, ${e(1)}), ${e(0)})` : `strftime(${e(1)}, ${e(0)})`;
      case 'PARSE_TIMESTAMP':
        arity(2, 3);
        return args.length === 3 ? `timezone(${e(2)}, strptime(${e(1)}, ${e(0)}))` : `CAST(strptime(${e(1)}, ${e(0)}) AS TIMESTAMPTZ)`;
      case 'PARSE_DATETIME':
        arity(2);
        return `CAST(strptime(${e(1)}, ${e(0)}) AS TIMESTAMP)`;
      case 'PARSE_DATE':
        arity(2);
        return `CAST(strptime(${e(1)}, ${e(0)}) AS DATE)`;
      case 'CAST':
      case 'SAFE_CAST': {
        arity(1);
        const parts = args[0];
        const asAt = parts.findIndex((p) => isIdent(p, 'AS'));
        if (asAt < 1) this.fail(`Syntax error: ${name} needs <value> AS <type>`, nameNode);
        const type = translateType(parts, asAt + 1);
        if (asAt + 1 + type.used !== parts.length) this.fail(`${name} ... FORMAT is not supported by the local server`, nameNode);
        return `${name === 'CAST' ? 'CAST' : 'TRY_CAST'}((${this.seq(parts.slice(0, asAt)).trim()}) AS ${type.sql})`;
      }
      case 'SAFE_DIVIDE':
        arity(2);
        return `(CASE WHEN ${e(1)} = 0 THEN NULL ELSE CAST(${e(0)} AS DOUBLE) / ${e(1)} END)`;
      case 'IEEE_DIVIDE':
        arity(2);
        return `(CAST(${e(0)} AS DOUBLE) / ${e(1)})`;
      case 'DIV':
        arity(2);
        return `(${e(0)} // ${e(1)})`;
      case 'COUNTIF':
        arity(1);
        return `count_if(${this.seq(args[0]).trim()})`;
      case 'LOGICAL_AND':
        return `bool_and(${this.seq(group.items).trim()})`;
      case 'LOGICAL_OR':
        return `bool_or(${this.seq(group.items).trim()})`;
      case 'APPROX_COUNT_DISTINCT':
        return `approx_count_distinct(${this.seq(group.items).trim()})`;
      case 'APPROX_QUANTILES': {
        arity(2);
        const countNodes = args[1].filter((p): boolean => !isIdent(p, 'IGNORE') && !isIdent(p, 'RESPECT') && !isIdent(p, 'NULLS'));
        const count = Number(countNodes.map((p) => (isTok(p) ? p.tok.text : '')).join(''));
        if (!Number.isInteger(count) || count < 1 || count > 100000) this.fail('APPROX_QUANTILES needs a positive integer literal number of quantiles', nameNode);
        const fractions = Array.from({ length: count + 1 }, (_, k) => String(k / count));
        return `quantile_disc(${e(0)}, [${fractions.join(', ')}])`;
      }
      case 'ARRAY_LENGTH':
        arity(1);
        return `len(${e(0)})`;
      case 'ARRAY_CONCAT':
        return args.map((_, k) => e(k)).reduce((acc, x) => `list_concat(${acc}, ${x})`);
      case 'ARRAY_REVERSE':
        arity(1);
        return `list_reverse(${e(0)})`;
      case 'GENERATE_ARRAY':
        arity(2, 3);
        return `generate_series(${args.map((_, k) => e(k)).join(', ')})`;
      case 'STRUCT': {
        const entries = args.map((a, k) => {
          const asAt = a.findIndex((p) => isIdent(p, 'AS'));
          if (asAt > 0) {
            const alias = a[asAt + 1] as Extract<Node, { t: 'tok' }>;
            return `${quoteIdent(alias.tok.value ?? alias.tok.text)} := (${this.seq(a.slice(0, asAt)).trim()})`;
          }
          const last = a[a.length - 1];
          const inferred = a.length === 1 || (a.length >= 3 && isTok(a[a.length - 2], '.')) ? (isTok(last) ? last.tok.value ?? last.tok.text : undefined) : undefined;
          return `${quoteIdent(inferred ?? `_field_${k + 1}`)} := (${this.seq(a).trim()})`;
        });
        return `struct_pack(${entries.join(', ')})`;
      }
      case 'STARTS_WITH':
        arity(2);
        return `starts_with(${e(0)}, ${e(1)})`;
      case 'ENDS_WITH':
        arity(2);
        return `suffix(${e(0)}, ${e(1)})`;
      case 'REGEXP_CONTAINS':
        arity(2);
        return `regexp_matches(${e(0)}, ${e(1)})`;
      case 'REGEXP_EXTRACT': {
        arity(2);
        const pattern = args[1].length === 1 && isTok(args[1][0]) ? args[1][0].tok.value ?? '' : '';
        const hasGroup = /\((?!\?)/.test(pattern.replace(/\\./g, ''));
        return `regexp_extract(${e(0)}, ${e(1)}, ${hasGroup ? 1 : 0})`;
      }
      case 'REGEXP_REPLACE':
        arity(3);
        return `regexp_replace(${e(0)}, ${e(1)}, ${e(2)}, 'g')`;
      case 'SPLIT':
        arity(1, 2);
        return `string_split(${e(0)}, ${args[1] ? e(1) : "','"})`;
      case 'FORMAT':
        return `printf(${args.map((_, k) => e(k)).join(', ')})`;
      case 'TO_JSON_STRING':
        arity(1, 2);
        return `CAST(to_json(${e(0)}) AS VARCHAR)`;
      case 'TO_JSON':
        arity(1, 2);
        return `to_json(${e(0)})`;
      case 'PARSE_JSON':
        arity(1, 2);
        return `CAST(${e(0)} AS JSON)`;
      case 'JSON_VALUE':
      case 'JSON_EXTRACT_SCALAR':
        arity(1, 2);
        return `json_extract_string(${e(0)}, ${args[1] ? e(1) : "'$'"})`;
      case 'JSON_QUERY':
      case 'JSON_EXTRACT':
        arity(1, 2);
        return `json_extract(${e(0)}, ${args[1] ? e(1) : "'$'"})`;
      case 'JSON_QUERY_ARRAY':
      case 'JSON_EXTRACT_ARRAY':
        arity(1, 2);
        return `CAST(json_extract(${e(0)}, ${args[1] ? e(1) : "'$'"}) AS JSON[])`;
      case 'JSON_VALUE_ARRAY':
      case 'JSON_EXTRACT_STRING_ARRAY':
        arity(1, 2);
        return `CAST(json_extract(${e(0)}, ${args[1] ? e(1) : "'$'"}) AS VARCHAR[])`;
      case 'INT64':
        arity(1);
        return `CAST(${e(0)} AS BIGINT)`;
      case 'FLOAT64':
        arity(1);
        return `CAST(${e(0)} AS DOUBLE)`;
      case 'BOOL':
        arity(1);
        return `CAST(${e(0)} AS BOOLEAN)`;
      case 'GENERATE_UUID':
        arity(0);
        return 'CAST(uuid() AS VARCHAR)';
      case 'BYTE_LENGTH':
        arity(1);
        return `octet_length(CAST(${e(0)} AS BLOB))`;
      case 'LOG':
        arity(1, 2);
        return args.length === 2 ? `(ln(${e(0)}) / ln(${e(1)}))` : `ln(${e(0)})`;
      case 'SAFE':
        return this.fail('SAFE.-prefixed functions are not supported by the local server', nameNode);
      default:
        return `${nameNode.tok.text}(${this.seq(group.items).trim()})`;
    }
  }
}

export function translateSql(sql: string, ctx: TranslateContext): Translation {
  const nodes = parseTree(tokenize(sql), sql);
  const translator = new Translator(ctx);
  return { sql: translator.translate(nodes), tables: translator.tables };
}
