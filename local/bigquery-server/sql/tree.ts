/**
 * GoogleSQL tokens as a tree of parenthesised and bracketed groups, and the small
 * predicates the translator and the statement parser read it with.
 */
import { invalidQuery } from '../errors';
import { positionOf, type Token } from './tokenizer';

export type Node =
  | { t: 'tok'; tok: Token; sp: boolean }
  | { t: 'group'; open: Token; items: Node[]; close: Token; sp: boolean };

export type TokNode = Extract<Node, { t: 'tok' }>;
export type GroupNode = Extract<Node, { t: 'group' }>;

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

export const isTok = (n: Node | undefined, text?: string): n is TokNode => !!n && n.t === 'tok' && (text === undefined || n.tok.text.toUpperCase() === text);
export const isIdent = (n: Node | undefined, text?: string): n is TokNode => isTok(n) && n.tok.kind === 'ident' && (text === undefined || n.tok.text.toUpperCase() === text);
export const isGroup = (n: Node | undefined, open = '('): n is GroupNode => !!n && n.t === 'group' && n.open.text === open;
export const upper = (n: Node | undefined) => (isTok(n) ? n.tok.text.toUpperCase() : '');
export const isName = (n: Node | undefined): n is TokNode => isTok(n) && (n.tok.kind === 'ident' || n.tok.kind === 'quoted');
/** Where a node starts in the query text. */
export const offsetOf = (n: Node) => (n.t === 'tok' ? n.tok.at : n.open.at);

/** Split a group's items at top-level commas. */
export function splitArgs(items: Node[]): Node[][] {
  const args: Node[][] = [[]];
  for (const n of items) {
    if (isTok(n, ',') && n.tok.kind === 'punct') args.push([]);
    else args[args.length - 1].push(n);
  }
  return args.length === 1 && args[0].length === 0 ? [] : args;
}

export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
