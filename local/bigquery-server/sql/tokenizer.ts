/**
 * A GoogleSQL lexer: enough to rewrite queries token by token without ever touching the
 * inside of a string, a comment or a quoted name.
 */
import { invalidQuery } from '../errors';

export type TokenKind =
  | 'space' // whitespace and comments (kept so the output reads like the input)
  | 'ident' // unquoted identifier or keyword
  | 'quoted' // `backquoted` identifier or path; `value` holds the unquoted text
  | 'string' // string literal; `value` holds the decoded text
  | 'bytes' // bytes literal; `value` holds the decoded bytes as latin1
  | 'number'
  | 'param' // @name or ?; `value` holds the name ('' for positional)
  | 'punct'; // operators and punctuation

export interface Token {
  kind: TokenKind;
  text: string;
  value?: string;
  /** Offset in the query, for error locations. */
  at: number;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

/** Where an offset sits, as BigQuery reports it: "[line:column]". */
export function positionOf(sql: string, at: number): string {
  const before = sql.slice(0, at).split('\n');
  return `[${before.length}:${before[before.length - 1].length + 1}]`;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (message: string, at: number) => {
    throw invalidQuery(`Syntax error: ${message} at ${positionOf(sql, at)}`);
  };
  while (i < sql.length) {
    const start = i;
    const c = sql[i];
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      while (i < sql.length && /\s/.test(sql[i])) i++;
      tokens.push({ kind: 'space', text: sql.slice(start, i), at: start });
    } else if ((c === '-' && next === '-') || c === '#') {
      while (i < sql.length && sql[i] !== '\n') i++;
      tokens.push({ kind: 'space', text: ' ', at: start });
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) fail('Unclosed comment', start);
      i = end + 2;
      tokens.push({ kind: 'space', text: ' ', at: start });
    } else if (c === '`') {
      const end = sql.indexOf('`', i + 1);
      if (end < 0) fail('Unclosed identifier literal', start);
      tokens.push({ kind: 'quoted', text: sql.slice(start, end + 1), value: sql.slice(start + 1, end), at: start });
      i = end + 1;
    } else if (isStringStart(sql, i)) {
      const { end, value, bytes } = readString(sql, i, fail);
      tokens.push({ kind: bytes ? 'bytes' : 'string', text: sql.slice(start, end), value, at: start });
      i = end;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next ?? ''))) {
      if (c === '0' && (next === 'x' || next === 'X')) {
        i += 2;
        while (i < sql.length && /[0-9a-fA-F]/.test(sql[i])) i++;
      } else {
        while (i < sql.length && /[0-9.]/.test(sql[i])) i++;
        if (/[eE]/.test(sql[i] ?? '') && /[-+0-9]/.test(sql[i + 1] ?? '')) {
          i += 2;
          while (i < sql.length && /[0-9]/.test(sql[i])) i++;
        }
      }
      tokens.push({ kind: 'number', text: sql.slice(start, i), at: start });
    } else if (IDENT_START.test(c)) {
      while (i < sql.length && IDENT_PART.test(sql[i])) i++;
      tokens.push({ kind: 'ident', text: sql.slice(start, i), at: start });
    } else if (c === '@' && next === '@') {
      fail('System variables (@@) are not supported by the local server', start);
    } else if (c === '@') {
      i++;
      if (sql[i] === '`') {
        const end = sql.indexOf('`', i + 1);
        if (end < 0) fail('Unclosed identifier literal', i);
        tokens.push({ kind: 'param', text: sql.slice(start, end + 1), value: sql.slice(i + 1, end), at: start });
        i = end + 1;
      } else {
        while (i < sql.length && IDENT_PART.test(sql[i])) i++;
        if (i === start + 1) fail('Expected a parameter name after "@"', start);
        tokens.push({ kind: 'param', text: sql.slice(start, i), value: sql.slice(start + 1, i), at: start });
      }
    } else if (c === '?') {
      tokens.push({ kind: 'param', text: '?', value: '', at: start });
      i++;
    } else {
      const two = sql.slice(i, i + 2);
      const len = ['<=', '>=', '<>', '!=', '||', '<<', '>>', '=>'].includes(two) ? 2 : 1;
      tokens.push({ kind: 'punct', text: sql.slice(i, i + len), at: start });
      i += len;
    }
  }
  return tokens;
}

function isStringStart(sql: string, i: number): boolean {
  const c = sql[i];
  if (c === "'" || c === '"') return true;
  // Prefixes r, b, rb, br (any case) directly followed by a quote.
  const m = /^(?:[rR][bB]?|[bB][rR]?)(?=['"])/.exec(sql.slice(i, i + 3));
  if (!m) return false;
  // Not a prefix when it ends an identifier (e.g. `attr'...` is not valid anyway, but `x` before).
  return i === 0 || !IDENT_PART.test(sql[i - 1]);
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07', '\\': '\\', "'": "'", '"': '"', '`': '`', '?': '?' };

function readString(sql: string, start: number, fail: (m: string, at: number) => never): { end: number; value: string; bytes: boolean } {
  let i = start;
  let raw = false;
  let bytes = false;
  while (sql[i] !== "'" && sql[i] !== '"') {
    if (/[rR]/.test(sql[i])) raw = true;
    else bytes = true;
    i++;
  }
  const quote = sql[i];
  const triple = sql.slice(i, i + 3) === quote.repeat(3);
  const closing = triple ? quote.repeat(3) : quote;
  i += closing.length;
  let value = '';
  while (true) {
    if (i >= sql.length) fail('Unclosed string literal', start);
    if (sql.startsWith(closing, i)) {
      i += closing.length;
      break;
    }
    const ch = sql[i];
    if (!triple && ch === '\n') fail('Unclosed string literal', start);
    if (ch === '\\') {
      const e = sql[i + 1];
      if (raw) {
        value += ch + (e ?? '');
        i += 2;
        continue;
      }
      if (e in ESCAPES) {
        value += ESCAPES[e];
        i += 2;
      } else if (e === 'x' || e === 'X') {
        value += String.fromCharCode(parseInt(sql.slice(i + 2, i + 4), 16));
        i += 4;
      } else if (e === 'u') {
        value += String.fromCodePoint(parseInt(sql.slice(i + 2, i + 6), 16));
        i += 6;
      } else if (e === 'U') {
        value += String.fromCodePoint(parseInt(sql.slice(i + 2, i + 10), 16));
        i += 10;
      } else if (/[0-7]/.test(e ?? '')) {
        value += String.fromCharCode(parseInt(sql.slice(i + 1, i + 4), 8));
        i += 4;
      } else fail(`Illegal escape sequence: \\${e}`, i);
      continue;
    }
    value += ch;
    i++;
  }
  return { end: i, value: bytes ? Buffer.from(value, raw ? 'utf8' : 'latin1').toString('latin1') : value, bytes };
}
