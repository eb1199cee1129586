/**
 * Property-based fuzzing of the loader and the engine: thousands of mutated synth and plan
 * documents and mangled texts. Every outcome is a graph (and a report) or an InputError;
 * nothing else is ever thrown, and every run is bounded (no hang).
 */
import fc from 'fast-check';
import { InputError } from '../../../../verification/engine/errors';
import { verifyGraph } from '../../../../verification/engine/verify';
import { parseJsonText } from '../../../../verification/graph/json-input';
import { loadTerraformJson } from '../../../../verification/graph/load';
import { clone, readFixture, SPEC, TODAY } from '../helpers';

const SEEDS = [
  'plan-dead-letter-pending-root.json',
  'plan-dead-letter-pending-module.json',
  'plan-data-source-read.json',
  'plan-delete-bigquery-table.json',
  'plan-replace-bigtable-instance.json',
  'plan-sensitive.json',
  'synth-hand-written/cdk.tf.json',
  'synth-provider-token/cdk.tf.json',
  'synth-folder/stacks/prod-processing/cdk.tf.json',
].map((name) => ({ name, doc: readFixture(name) }));

/** Every path to a node of a JSON document. */
function paths(doc: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(doc)) doc.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) paths(v, [...prefix, k], out);
  return out;
}

type Mutation = { kind: 'replace'; value: unknown } | { kind: 'delete' } | { kind: 'wrap' } | { kind: 'rename'; key: string };

function mutate(doc: unknown, path: (string | number)[], m: Mutation): unknown {
  if (path.length === 0) return m.kind === 'replace' ? m.value : m.kind === 'wrap' ? [doc] : doc;
  const root = clone(doc);
  let parent = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (m.kind === 'replace') parent[last] = m.value;
  else if (m.kind === 'wrap') parent[last] = [parent[last]];
  else if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (!Array.isArray(parent)) {
    parent[m.key] = parent[last];
    delete parent[last];
  }
  return root;
}

const jsonValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string(),
  fc.constantFrom('${google_pubsub_topic.telemetry.id}', '${var.x}', '${module.x["k"].out}', 'module.x["k', '${', 'data.', '"', '[0]'),
  fc.constantFrom({ value: '${var.region}', creation_stack: [] }, { $pending: true }, [], {}, [{}], { actions: ['create'] }),
  fc.jsonValue({ maxDepth: 3 }),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  jsonValue.map((value) => ({ kind: 'replace' as const, value })),
  fc.constant({ kind: 'delete' as const }),
  fc.constant({ kind: 'wrap' as const }),
  fc.string({ maxLength: 12 }).map((key) => ({ kind: 'rename' as const, key })),
);

/** Loads every document; runs the whole engine on every `engineEvery`-th that loads (the analyses dominate the time). */
let loaded = 0;
function judge(doc: unknown, engineEvery = 10): 'ok' | 'input-error' {
  try {
    const graph = loadTerraformJson(doc, 'fuzz.json');
    loaded += 1;
    if (loaded % engineEvery === 0) {
      const report = verifyGraph(graph, SPEC, { today: TODAY });
      expect(['pass', 'fail']).toContain(report.verdict);
    }
    return 'ok';
  } catch (e) {
    if (e instanceof InputError) {
      expect(e.message).not.toContain('\n');
      return 'input-error';
    }
    throw e;
  }
}

describe('fuzzed documents', () => {
  it('mutated synth and plan documents load and verify, or fail with an InputError', () => {
    const outcomes = { ok: 0, 'input-error': 0 };
    const arb = fc
      .constantFrom(...SEEDS)
      .chain((seed) => fc.tuple(fc.constant(seed), fc.array(fc.tuple(fc.nat(), mutation), { minLength: 1, maxLength: 4 })));
    fc.assert(
      fc.property(arb, ([seed, steps]) => {
        let doc: unknown = seed.doc;
        for (const [pick, m] of steps) {
          const all = paths(doc);
          doc = mutate(doc, all[pick % all.length], m);
        }
        outcomes[judge(doc)] += 1;
      }),
      { numRuns: 3000, seed: 20261203, endOnFailure: true },
    );
    // Both outcomes occur: the fuzzer reaches the shape checks and the happy path.
    expect(outcomes.ok).toBeGreaterThan(300);
    expect(outcomes['input-error']).toBeGreaterThan(300);
  });

  it('mangled texts (truncated, spliced, binary) parse or fail with an InputError', () => {
    const texts = SEEDS.map((s) => JSON.stringify(s.doc));
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.nat(), fc.string({ maxLength: 8 }), fc.boolean(), (text, cut, insert, truncate) => {
        const at = cut % (text.length + 1);
        const mangled = truncate ? text.slice(0, at) : `${text.slice(0, at)}${insert}${text.slice(at)}`;
        try {
          const doc = parseJsonText(mangled, 'fuzz.json');
          judge(doc);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
        }
      }),
      { numRuns: 2000, seed: 31, endOnFailure: true },
    );
  });
});
