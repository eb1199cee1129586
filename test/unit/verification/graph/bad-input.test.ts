import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../../verification/engine/errors';
import { readJsonFile } from '../../../../verification/graph/json-input';
import { loadInput, loadTerraformJson } from '../../../../verification/graph/load';

const dir = mkdtempSync(join(tmpdir(), 'bad-input-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** Asserts an InputError whose message is one line and contains `part`. */
function expectInputError(fn: () => unknown, part: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(InputError);
  const message = (caught as Error).message;
  expect(message).toContain(part);
  expect(message).not.toContain('\n');
}

describe('bad input gives one clear line', () => {
  it.each([
    ['empty file', 'empty.json', '', 'file is empty'],
    ['whitespace only', 'blank.json', '  \n\t ', 'file is empty'],
    ['truncated JSON', 'truncated.json', '{"resource": {"google_pubsub_topic": {"t": {"name": "x"', 'not valid JSON'],
    ['not JSON at all', 'yaml.json', 'resource:\n  - x\n', 'not valid JSON'],
    ['a JSON array', 'array.json', '[1, 2, 3]', 'the document must be an object, found an array'],
    ['a JSON string', 'string.json', '"hello"', 'the document must be an object, found a string'],
    ['an object of the wrong shape', 'other.json', '{"name": "x", "version": 3}', 'not Terraform JSON (found name, version'],
    ['resource block not an object', 'res.json', '{"resource": 5}', 'resource must be an object, found a number'],
    ['resource body not an object', 'body.json', '{"resource": {"google_pubsub_topic": {"t": []}}}', 'resource.google_pubsub_topic.t must be an object, found an array'],
    ['resource_changes not an array', 'rc.json', '{"format_version": "1.2", "resource_changes": {}}', 'resource_changes must be an array'],
    ['unknown change action', 'act.json', '{"resource_changes": [{"address": "google_x.y", "change": {"actions": ["explode"]}}]}', 'change.actions holds "explode"'],
    ['malformed address', 'addr.json', '{"resource_changes": [{"address": "google_x..y", "change": {"actions": ["create"]}}]}', 'is not a Terraform resource address'],
    ['child_modules not an array', 'mods.json', '{"planned_values": {"root_module": {"child_modules": 1}}}', 'planned_values.root_module.child_modules must be an array'],
  ])('%s', (_name, name, text, part) => {
    const p = file(name, text);
    expectInputError(() => loadInput(p), part);
  });

  it('absurd nesting is refused before any walk can overflow', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const p = file('deep.json', `{"resource": {"google_x": {"y": {"v": ${deep}}}}}`);
    expectInputError(() => loadInput(p), 'JSON nested deeper than 200 levels');
    let doc: unknown = 1;
    for (let i = 0; i < 300; i++) doc = { a: doc };
    expectInputError(() => loadTerraformJson({ resource: { google_x: { y: doc } } }), 'nested deeper than 200');
  });

  it('a missing path, a directory without synth output, and an over-size file', () => {
    expectInputError(() => loadInput(join(dir, 'nope.json')), 'no such file or directory');
    const empty = join(dir, 'emptydir');
    mkdirSync(empty, { recursive: true });
    expectInputError(() => loadInput(empty), 'not a synth output folder (no manifest.json or cdk.tf.json)');
    const big = file('big.json', `{"resource": {}, "pad": "${'x'.repeat(2048)}"}`);
    expectInputError(() => readJsonFile(big, 'Terraform', 1024), 'larger than the 1024 bytes limit');
    expectInputError(() => loadInput(''), 'no input path given');
  });

  it('a manifest naming a stack file that does not exist', () => {
    const synth = join(dir, 'synth');
    mkdirSync(synth, { recursive: true });
    writeFileSync(join(synth, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: { a: { name: 'a', synthesizedStackPath: 'stacks/a/cdk.tf.json' } } }));
    expectInputError(() => loadInput(synth), 'stack a: stacks/a/cdk.tf.json does not exist');
    writeFileSync(join(synth, 'manifest.json'), '{"version": "0.21.0"}');
    expectInputError(() => loadInput(synth), 'manifest.json: stacks must be an object, found nothing');
  });
});
