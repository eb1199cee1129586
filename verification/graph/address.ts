/**
 * Exact parsing of Terraform addresses and references:
 * `module.a["k.x[1]"].module.b[0].data.google_x.y["key"]`, `google_pubsub_topic.t[2].id`.
 * String keys are quoted as Terraform quotes them (HCL string syntax: `\"`, `\\`, `\n`, `\r`,
 * `\t`, `\uXXXX`, `\UXXXXXXXX`, and `$${` / `%%{` for a literal `${` / `%{`), so dots and
 * brackets inside a key never split it, and a key formats back to Terraform's exact text.
 */
import { identifierEnd } from './references';

export type AddressKey = number | string;

/** One traversal step: `name` or `name[key]`. */
export interface AddressStep {
  name: string;
  key?: AddressKey;
}

export interface ParsedAddress {
  /** Module call chain, each formatted as Terraform does: `module.a["k"]`. */
  modulePath: string[];
  /** Module names only, for configuration lookups: ['a', 'b']. */
  moduleNames: string[];
  mode: 'managed' | 'data';
  type: string;
  name: string;
  index?: AddressKey;
  /** Attribute steps after the resource (for references such as `google_x.y.id`). */
  rest: AddressStep[];
}

/** Split an address into steps; returns null when it is not a well-formed traversal. */
export function parseSteps(text: string): AddressStep[] | null {
  const steps: AddressStep[] = [];
  let i = 0;
  while (i < text.length) {
    const end = identifierEnd(text, i);
    if (end === i) return null;
    const step: AddressStep = { name: text.slice(i, end) };
    i = end;
    while (i < text.length && text.charCodeAt(i) === 0x5b /* [ */) {
      const parsed = parseKey(text, i + 1);
      if (!parsed || text[parsed.end] !== ']') {
        // `[*]` splats and expressions in brackets are not addressable keys: stop here.
        return parsed === null && text[i + 1] === '*' ? (steps.push(step), steps) : null;
      }
      // Only the first key belongs to the step; further brackets index into the attribute.
      if (step.key === undefined) step.key = parsed.key;
      i = parsed.end + 1;
    }
    steps.push(step);
    if (i === text.length) break;
    if (text.charCodeAt(i) !== 0x2e /* . */) return null;
    i += 1;
  }
  return steps.length > 0 ? steps : null;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

function parseKey(text: string, start: number): { key: AddressKey; end: number } | null {
  if (text[start] === '"') {
    let out = '';
    let i = start + 1;
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') {
        const next = text[i + 1];
        if (next === undefined) return null;
        if (next === 'u' || next === 'U') {
          const digits = next === 'u' ? 4 : 8;
          const hex = text.slice(i + 2, i + 2 + digits);
          if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) return null;
          const cp = parseInt(hex, 16);
          if (cp > 0x10ffff) return null;
          out += String.fromCodePoint(cp);
          i += 2 + digits;
          continue;
        }
        const simple = SIMPLE_ESCAPES[next];
        if (simple === undefined) return null;
        out += simple;
        i += 2;
      } else if ((c === '$' || c === '%') && text[i + 1] === c && text[i + 2] === '{') {
        // `$${` and `%%{` are a literal `${` and `%{` (template introducers escaped).
        out += `${c}{`;
        i += 3;
      } else if (c === '"') {
        return { key: out, end: i + 1 };
      } else {
        out += c;
        i += 1;
      }
    }
    return null;
  }
  let i = start;
  while (i < text.length && text[i] >= '0' && text[i] <= '9') i += 1;
  if (i === start) return null;
  return { key: Number(text.slice(start, i)), end: i };
}

export function formatKey(key: AddressKey): string {
  return typeof key === 'number' ? `[${key}]` : `[${quoteKey(key)}]`;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Printable ASCII but `"`, `\\`, `$` and `%`: a key of these alone is quoted as it is. */
const PLAIN_KEY = /^[ !#&-[\]-~]*$/;

/** A string key quoted exactly as Terraform writes it in addresses (its `toHCLQuotedString`). */
export function quoteKey(key: string): string {
  if (PLAIN_KEY.test(key)) return `"${key}"`;
  let out = '"';
  const chars = [...key];
  chars.forEach((ch, i) => {
    switch (ch) {
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '$':
      case '%':
        out += chars[i + 1] === '{' ? ch + ch : ch;
        break;
      default:
        if (PRINTABLE.test(ch)) out += ch;
        else {
          const cp = ch.codePointAt(0)!;
          out += cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
        }
    }
  });
  return `${out}"`;
}

export function formatStep(step: AddressStep): string {
  return step.key === undefined ? step.name : `${step.name}${formatKey(step.key)}`;
}

/** Parse a resource (or data source) address, optionally followed by attribute steps. */
export function parseAddress(text: string): ParsedAddress | null {
  const steps = parseSteps(text);
  if (!steps) return null;
  const modulePath: string[] = [];
  const moduleNames: string[] = [];
  let i = 0;
  while (i + 1 < steps.length && steps[i].name === 'module' && steps[i].key === undefined) {
    const call = steps[i + 1];
    modulePath.push(`module.${formatStep(call)}`);
    moduleNames.push(call.name);
    i += 2;
  }
  let mode: 'managed' | 'data' = 'managed';
  if (steps[i]?.name === 'data' && steps[i].key === undefined && i + 2 < steps.length) {
    mode = 'data';
    i += 1;
  }
  const typeStep = steps[i];
  const nameStep = steps[i + 1];
  if (!typeStep || !nameStep || typeStep.key !== undefined) return null;
  return {
    modulePath,
    moduleNames,
    mode,
    type: typeStep.name,
    name: nameStep.name,
    index: nameStep.key,
    rest: steps.slice(i + 2),
  };
}

/** Canonical address text of a parsed address (without attribute steps). */
export function formatAddress(a: Pick<ParsedAddress, 'modulePath' | 'mode' | 'type' | 'name' | 'index'>): string {
  const prefix = a.modulePath.length > 0 ? `${a.modulePath.join('.')}.` : '';
  const mode = a.mode === 'data' ? 'data.' : '';
  const index = a.index === undefined ? '' : formatKey(a.index);
  return `${prefix}${mode}${a.type}.${a.name}${index}`;
}

/** Config address (no instance keys) of a resource inside its module: `data.google_x.y`. */
export function configAddress(a: Pick<ParsedAddress, 'mode' | 'type' | 'name'>): string {
  return `${a.mode === 'data' ? 'data.' : ''}${a.type}.${a.name}`;
}
