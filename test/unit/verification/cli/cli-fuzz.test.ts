/**
 * A CLI-level slice of the fuzzing: malformed files through `runCli` exactly as a user passes
 * them (exit 2, nothing on stdout, one `error:` line on stderr, no stack, no control bytes),
 * and a few through the spawned process, where a crash or a hang would show.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { runCli } from '../../../../verification/cli/run';
import { clone, fixture, readFixture } from '../helpers';

const ROOT = join(__dirname, '..', '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cli-fuzz-'));
const spec = fixture('spec.json');
const plan = readFileSync(fixture('plan-replace-bigtable-instance.json'), 'utf8');
const synth = readFileSync(fixture('synth-hand-written/cdk.tf.json'), 'utf8');

/** Malformed texts: cut short, or with a raw control byte (never valid JSON, in or out of a string). */
const mangled = fc.sample(
  fc.tuple(fc.constantFrom(plan, synth), fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.boolean(), fc.integer({ min: 0, max: 0x1f })).map(([text, at, truncate, byte]) => {
    const cut = Math.max(1, Math.floor(text.length * at));
    return truncate ? text.slice(0, cut) : `${text.slice(0, cut)}${String.fromCharCode(byte)}${text.slice(cut)}`;
  }),
  { numRuns: 24, seed: 20261204 },
);

/** Well-formed JSON of the wrong shape, each breaking one thing Terraform always writes. */
function wrongShapes(): unknown[] {
  const p = () => clone(readFixture('plan-replace-bigtable-instance.json')) as Record<string, any>;
  const s = () => clone(readFixture('synth-hand-written/cdk.tf.json')) as Record<string, any>;
  const edits: ((d: Record<string, any>) => void)[] = [
    (d) => (d.resource_changes = 'x'),
    (d) => (d.resource_changes[0].change.actions = ['explode']),
    (d) => (d.resource_changes[0].address = 7),
    (d) => (d.resource_changes[0].address = 'not an address!'),
    (d) => (d.resource_changes[1].change.after = 'oops'),
    (d) => (d.resource_changes[1].change.after_unknown = 3),
    (d) => (d.planned_values.root_module.resources = 5),
    (d) => (d.planned_values.root_module.resources[0].values = []),
    (d) => (d.errored = true),
    (d) => (d.configuration.root_module = []),
  ];
  const synthEdits: ((d: Record<string, any>) => void)[] = [
    (d) => (d.resource = []),
    (d) => (d.resource.google_pubsub_topic = 'x'),
    (d) => (d.resource.google_pubsub_topic.events.count = -1),
    (d) => (d.resource.google_pubsub_topic.events.for_each = ['a']),
    (d) => (d.provider = 4),
  ];
  return [
    ...edits.map((e) => {
      const d = p();
      e(d);
      return d;
    }),
    ...synthEdits.map((e) => {
      const d = s();
      e(d);
      return d;
    }),
    [],
    'plan',
    { hello: 'world' },
    { format_version: '1.2', planned_values: { root_module: { child_modules: [{ child_modules: 'x' }] } } },
  ];
}

const cases: [string, string][] = [
  ...mangled.map((text, i): [string, string] => [`mangled-${i}.json`, text]),
  ...wrongShapes().map((doc, i): [string, string] => [`shape-${i}.json`, JSON.stringify(doc)]),
  ['empty.json', ''],
  ['deep.json', `${'['.repeat(50_000)}${']'.repeat(50_000)}`],
  ['bom-only.json', '\ufeff'],
];
for (const [name, text] of cases) writeFileSync(join(dir, name), text);

function expectOneLineError(code: number | null, stdout: string, stderr: string, file: string) {
  expect({ file, code, stdout }).toEqual({ file, code: 2, stdout: '' });
  expect(stderr).toMatch(/^error: [^\n]+\n$/);
  expect(stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('verify CLI on malformed input', () => {
  it(`exits 2 with one clear line for each of ${cases.length} malformed files`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const [name] of cases) {
      let stdout = '';
      let stderr = '';
      const code = runCli([join(dir, name), '--spec', spec, '--no-advice'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false, cwd: ROOT });
      expectOneLineError(code, stdout, stderr, name);
    }
  });

  it.each(['mangled-3.json', 'shape-1.json', 'deep.json'])('the spawned CLI exits 2 on %s with one line, no crash, no hang', (name) => {
    const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['verification/cli/main.ts', join(dir, name), '--spec', spec], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expectOneLineError(r.status, r.stdout, r.stderr, name);
  });
});
