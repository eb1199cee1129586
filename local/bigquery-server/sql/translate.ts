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
import { isGroup, isIdent, isName, isTok, parseTree, sqlString, upper, type GroupNode, type Node, type TokNode } from './tree';
import { CALLABLE_KEYWORDS, KEYWORDS, TYPED_LITERALS } from './keywords';
import { DATE_PARTS } from './date-parts';
import { SCALAR_TYPES, TEXT_STORED_TYPES, refuseTextStoredType, translateType } from './type-names';
import { endsOperand, groupDivisions } from './operators';
import { translateCall, unknownPathCall } from './functions';

export type { Node } from './tree';

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

/** Keywords after which a path names a table. */
const TABLE_POSITION = new Set(['FROM', 'JOIN', 'INTO', 'UPDATE', 'TABLE', 'MERGE', 'USING', 'INSERT', 'DELETE', 'VIEW', 'EXISTS', 'TRUNCATE']);

/** Punctuation after or before which an integer literal takes part in arithmetic. */
const ARITHMETIC = new Set(['+', '-', '*', '%', '<<', '>>', '&', '|', '^']);

/** Array subscripts -> the bq_* functions that check the bounds as GoogleSQL does. */
const SUBSCRIPTS: Record<string, string> = { OFFSET: 'bq_offset', SAFE_OFFSET: 'bq_safe_offset', ORDINAL: 'bq_ordinal', SAFE_ORDINAL: 'bq_safe_ordinal' };

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

  /** Translate a sequence; `inFrom` when it continues a FROM clause (table positions). */
  seq(input: Node[], inFrom = false): string {
    const nodes = groupDivisions(input, this.ctx.sql);
    let out = '';
    let prevWord = '';
    let fromClause = inFrom;
    // Where in `out` the latest operand began, so a postfix subscript can wrap it.
    let operandStart = 0;
    for (let i = 0; i < nodes.length; ) {
      const n = nodes[i];
      const sp = n.sp ? ' ' : '';
      // Paths and function calls.
      if (n.t === 'tok' && (n.tok.kind === 'ident' || n.tok.kind === 'quoted')) {
        if (!(isTok(nodes[i - 1], '.') && !n.sp)) operandStart = out.length;
        const consumed = this.identifierAt(nodes, i, prevWord, fromClause);
        out += sp + consumed.sql;
        i += consumed.used;
        prevWord = consumed.word;
        if (['FROM', 'JOIN'].includes(prevWord)) fromClause = true;
        if (['WHERE', 'GROUP', 'ORDER', 'HAVING', 'QUALIFY', 'WINDOW', 'LIMIT', 'SET', 'ON', 'SELECT', 'UNION', 'EXCEPT', 'INTERSECT'].includes(prevWord)) fromClause = false;
        continue;
      }
      if (n.t === 'group') {
        if (n.open.text === '[' && i > 0 && endsOperand(nodes[i - 1])) {
          // arr[OFFSET(i)], arr[i]: GoogleSQL counts from 0 and refuses an index out of bounds.
          const operand = out.slice(operandStart);
          const fn = isIdent(n.items[0]) && isGroup(n.items[1]) && n.items.length === 2 ? SUBSCRIPTS[upper(n.items[0])] : undefined;
          const index = fn ? this.seq((n.items[1] as GroupNode).items) : this.seq(n.items);
          out = `${out.slice(0, operandStart)}${/^\s*/.exec(operand)![0]}${fn ?? 'bq_offset'}(${operand.trim()}, ${index.trim()})`;
        } else {
          operandStart = out.length;
          out += `${sp}${n.open.text}${this.seq(n.items, false)}${n.close.text}`;
        }
        i++;
        prevWord = n.open.text === '(' ? ')' : ']';
        continue;
      }
      const tok = n.tok;
      if (tok.kind !== 'punct') operandStart = out.length;
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
          out += sp + numberLiteral(tok.text, nodes[i - 1], nodes[i + 1]);
          break;
        default:
          if (tok.text === '*' && isIdent(nodes[i + 1], 'EXCEPT') && isGroup(nodes[i + 2])) {
            out += `${sp}* EXCLUDE (${this.seq((nodes[i + 2] as GroupNode).items)})`;
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
    const n = nodes[i] as TokNode;
    const word = n.tok.kind === 'ident' ? n.tok.text.toUpperCase() : '';
    const next = nodes[i + 1];

    if (n.tok.kind === 'ident') {
      // Typed literals: TIMESTAMP '...', DATE '...', NUMERIC '...', JSON '...'.
      if (isTok(next) && next.tok.kind === 'string' && TYPED_LITERALS.has(word)) {
        if (TEXT_STORED_TYPES.has(word)) refuseTextStoredType(word);
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
        return { sql: `IN (SELECT UNNEST(${this.seq((nodes[i + 2] as GroupNode).items)}))`, used: 3, word: ')' };
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
        return this.callAt(nodes, i, word);
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
    // A call through a dotted or backquoted name is no function the local server has (and
    // must not reach a DuckDB one, e.g. main.read_text).
    if (!tablePosition && isGroup(nodes[i + used])) throw unknownPathCall(parts.join('.'), nodes[i], this.ctx.sql);
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
    const arg = this.seq((nodes[i + 1] as GroupNode).items);
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

  /** `name(...)` at `i`, with the OVER clause that follows it. */
  private callAt(nodes: Node[], i: number, name: string): { sql: string; used: number; word: string } {
    const nameNode = nodes[i] as TokNode;
    const group = nodes[i + 1] as GroupNode;
    let used = 2;
    let over: string | undefined;
    if (isIdent(nodes[i + 2], 'OVER')) {
      const spec = nodes[i + 3];
      if (isGroup(spec)) over = `(${this.seq(spec.items).trim()})`;
      else if (isName(spec)) over = spec.tok.kind === 'quoted' ? quoteIdent(spec.tok.value!) : spec.tok.text;
      else this.fail('Syntax error: Expected a window after OVER', nodes[i + 2]);
      used = 4;
    }
    return { sql: translateCall(name, nameNode, group, over, { seq: (items) => this.seq(items), sql: this.ctx.sql }), used, word: ')' };
  }
}

/**
 * A number as DuckDB should read it: GoogleSQL types 2.5 FLOAT64 (DuckDB: DECIMAL), computes
 * INT64 in 64 bits (DuckDB types a small literal INTEGER and overflows at 2^31), and reads
 * 0x1F as hex (DuckDB: 0 AS x1F). Bare integers stay bare for ORDER BY 1 / GROUP BY 1.
 */
function numberLiteral(text: string, before: Node | undefined, after: Node | undefined): string {
  const digits = /^0x/i.test(text) ? BigInt(text).toString() : text;
  if (/[.eE]/.test(digits)) return `CAST(${digits} AS DOUBLE)`;
  const arithmetic = (x: Node | undefined) => isTok(x) && x.tok.kind === 'punct' && ARITHMETIC.has(x.tok.text);
  return arithmetic(before) || arithmetic(after) ? `CAST(${digits} AS BIGINT)` : digits;
}

export function translateSql(sql: string, ctx: TranslateContext): Translation {
  const nodes = parseTree(tokenize(sql), sql);
  const translator = new Translator(ctx);
  return { sql: translator.translate(nodes), tables: translator.tables };
}
