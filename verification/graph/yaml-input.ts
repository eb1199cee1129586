/** Waivers and usage files: YAML, or JSON (YAML is a superset), read like every other input. */
import { parse as parseYaml } from 'yaml';
import { InputError } from '../engine/errors';
import { readInputText } from './input-file';
import { assertDepth, MAX_JSON_DEPTH, tooDeep } from './json-input';

/**
 * A YAML (or JSON: YAML is a superset) file's document; null for an empty file or one of
 * comments only.
 * Aliases are capped (no "billion laughs"), and nesting is held to the JSON inputs' depth.
 */
export function readYamlFile(path: string, what: string): unknown {
  const text = readInputText(path, what, { allowEmpty: true });
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    // The parser recurses per level (and reports its own stack overflow as a parse error): far
    // deeper than any real file.
    if (e instanceof RangeError || /Maximum call stack size exceeded/.test((e as Error).message)) throw tooDeep(path, MAX_JSON_DEPTH, 'YAML');
    throw new InputError(`${path}: not valid YAML or JSON (${(e as Error).message.split('\n')[0]})`);
  }
  assertDepth(doc, path, MAX_JSON_DEPTH, 'YAML');
  return doc ?? null;
}
