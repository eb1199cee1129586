/**
 * GoogleSQL's `/` means something DuckDB's does not: NUMERIC / NUMERIC stays NUMERIC and a
 * zero divisor is an error (DuckDB answers DOUBLE and Infinity). So before translation each
 * `a / b` becomes a call the function layer translates, with the operands found by GoogleSQL
 * operator precedence (`*`, `/` and `||` bind equally, left to right; unary minus tighter;
 * `+`, comparisons, NOT, AND, OR looser).
 */
import { invalidQuery } from '../errors';
import { positionOf } from './tokenizer';
import { CALLABLE_KEYWORDS, KEYWORDS, LITERAL_KEYWORDS, TYPED_LITERALS } from './keywords';
import { isGroup, isIdent, isName, isTok, upper, type GroupNode, type Node, type TokNode } from './tree';

/** The call `a / b` becomes; no GoogleSQL identifier can contain "$". */
export const DIVIDE_CALL = '$DIVIDE';

const SAME_LEVEL = new Set(['*', '/', '||']);
const UNARY = new Set(['-', '+', '~']);

const kindOf = (n: Node | undefined) => (n && n.t === 'tok' ? n.tok.kind : undefined);
const isPunct = (n: Node | undefined, set: Set<string>): n is TokNode => isTok(n) && n.tok.kind === 'punct' && set.has(n.tok.text);

/** A name that can be called: not a keyword, or a keyword that is also a function. */
const callableName = (n: Node | undefined) => isName(n) && (n.tok.kind === 'quoted' || !KEYWORDS.has(upper(n)) || CALLABLE_KEYWORDS.has(upper(n)));

/** Whether a node can be the last one of an operand (so what follows it is a binary operator). */
export function endsOperand(n: Node | undefined): boolean {
  if (!n) return false;
  if (n.t === 'group') return true;
  if (n.tok.kind === 'ident') {
    const word = upper(n);
    return !KEYWORDS.has(word) || LITERAL_KEYWORDS.has(word) || word === 'END';
  }
  return n.tok.kind !== 'punct' && n.tok.kind !== 'space';
}

/** Index of the CASE that the END at `end` closes (scanning back), or -1. */
function matchingCase(nodes: Node[], end: number): number {
  let depth = 0;
  for (let i = end; i >= 0; i--) {
    if (isIdent(nodes[i], 'END')) depth++;
    else if (isIdent(nodes[i], 'CASE') && --depth === 0) return i;
  }
  return -1;
}

/** Index of the END that closes the CASE at `start`, or -1. */
function matchingEnd(nodes: Node[], start: number): number {
  let depth = 0;
  for (let i = start; i < nodes.length; i++) {
    if (isIdent(nodes[i], 'CASE')) depth++;
    else if (isIdent(nodes[i], 'END') && --depth === 0) return i;
  }
  return -1;
}

/** First index of the left operand of the operator at `op`, or undefined when it cannot be told. */
function leftOperandStart(nodes: Node[], op: number): number | undefined {
  let i = op - 1;
  let start: number;
  for (;;) {
    const n = nodes[i];
    if (!n) return undefined;
    if (isIdent(n, 'END')) start = matchingCase(nodes, i);
    else if (isGroup(n) && callableName(nodes[i - 1])) start = i - 1;
    else if (kindOf(n) === 'string' && isIdent(nodes[i - 1]) && TYPED_LITERALS.has(upper(nodes[i - 1]))) start = i - 1;
    else if (endsOperand(n)) start = i;
    else return undefined;
    if (start < 0) return undefined;
    const before = nodes[start - 1];
    // Postfix forms continue the operand to their left: a.b, f(x).y, arr[...], f(x) OVER (...).
    if (isTok(before, '.') && before.tok.kind === 'punct' && !nodes[start].sp) i = start - 2;
    else if (isIdent(before, 'OVER')) i = start - 2;
    else if (isGroup(n, '[') && start === i && endsOperand(before) && !isPunct(before, SAME_LEVEL)) i = start - 1;
    else break;
  }
  while (isPunct(nodes[start - 1], UNARY) && !endsOperand(nodes[start - 2])) start--;
  if (isPunct(nodes[start - 1], SAME_LEVEL)) return leftOperandStart(nodes, start - 1);
  if (start > 0 && endsOperand(nodes[start - 1])) return undefined;
  return start;
}

/** Last index of the right operand of the operator at `op`, or undefined when it cannot be told. */
function rightOperandEnd(nodes: Node[], op: number): number | undefined {
  let j = op + 1;
  while (isPunct(nodes[j], UNARY)) j++;
  const n = nodes[j];
  if (!n) return undefined;
  if (isIdent(n, 'CASE')) j = matchingEnd(nodes, j);
  else if (isIdent(n, 'INTERVAL')) return undefined;
  else if (isIdent(n) && TYPED_LITERALS.has(upper(n)) && kindOf(nodes[j + 1]) === 'string') j++;
  else if (callableName(n) && isGroup(nodes[j + 1])) j++;
  else if (!endsOperand(n)) return undefined;
  if (j < 0) return undefined;
  for (;;) {
    const next = nodes[j + 1];
    if (isTok(next, '.') && next.tok.kind === 'punct' && isName(nodes[j + 2]) && !nodes[j + 2].sp) {
      j += 2;
      if (isGroup(nodes[j + 1])) j++;
    } else if (isGroup(next, '[')) j++;
    else if (isIdent(next, 'OVER') && nodes[j + 2]) j += 2;
    else break;
  }
  return j;
}

const synthetic = (text: string, kind: 'ident' | 'punct', at: number, sp = false): TokNode => ({ t: 'tok', tok: { kind, text, at }, sp });

/** `nodes` with every top-level `a / b` replaced by the call DIVIDE_CALL(a, b). */
export function groupDivisions(nodes: Node[], sql: string): Node[] {
  if (!nodes.some((n) => isTok(n, '/') && n.tok.kind === 'punct')) return nodes;
  let out = nodes;
  for (let k = 0; k < out.length; k++) {
    const slash = out[k];
    if (!(isTok(slash, '/') && slash.tok.kind === 'punct')) continue;
    const start = leftOperandStart(out, k);
    const end = rightOperandEnd(out, k);
    if (start === undefined || end === undefined) {
      throw invalidQuery(`The local server could not tell the operands of "/" apart at ${positionOf(sql, slash.tok.at)}; put parentheses around them`);
    }
    const at = slash.tok.at;
    const call = synthetic(DIVIDE_CALL, 'ident', at, out[start].sp);
    const args: GroupNode = {
      t: 'group',
      open: { kind: 'punct', text: '(', at },
      items: [...out.slice(start, k), synthetic(',', 'punct', at), ...out.slice(k + 1, end + 1)],
      close: { kind: 'punct', text: ')', at },
      sp: false,
    };
    out = [...out.slice(0, start), call, args, ...out.slice(end + 1)];
    k = start + 1;
  }
  return out;
}
