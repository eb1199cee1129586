import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as vm from 'node:vm';
import { parse } from 'acorn';
import fc from 'fast-check';
import { buildUdf } from '../../../functions/udf/build';
import { transform as sourceTransform } from '../../../functions/udf/transform';

/** A context whose ES2015+ built-ins are removed, so a stray use fails like on Nashorn. */
const STRIP_ES2015 = `
  ['Map','Set','WeakMap','WeakSet','Symbol','Promise','Proxy','Reflect','Uint8Array','TextEncoder','TextDecoder','BigInt']
    .forEach(function (name) { delete this[name]; }, this);
  ['assign','entries','values','fromEntries','is','setPrototypeOf','getOwnPropertySymbols'].forEach(function (k) { delete Object[k]; });
  ['from','of'].forEach(function (k) { delete Array[k]; });
  ['isFinite','isInteger','isNaN','isSafeInteger'].forEach(function (k) { delete Number[k]; });
  ['padStart','padEnd','startsWith','endsWith','includes','repeat','codePointAt','normalize'].forEach(function (k) { delete String.prototype[k]; });
  ['find','findIndex','fill','includes','flat','flatMap','entries','keys','values'].forEach(function (k) { delete Array.prototype[k]; });
`;

type Outcome = { row: unknown } | { error: string };

function outcome(fn: (line: string) => string, line: string): Outcome {
  try {
    return { row: JSON.parse(fn(line)) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe('archive UDF built to ES5.1', () => {
  let built: (line: string) => string;
  let code: string;

  beforeAll(() => {
    const out = buildUdf(join(mkdtempSync(join(tmpdir(), 'udf-')), 'transform.js'));
    code = readFileSync(out, 'utf8');
    const context = vm.createContext({});
    vm.runInContext(STRIP_ES2015, context);
    expect(vm.runInContext('typeof Map + typeof Object.assign + typeof "".padStart', context)).toBe('undefinedundefinedundefined');
    vm.runInContext(code, context, { filename: 'transform.js' });
    const fn = vm.runInContext('transform', context) as (line: string) => string;
    // Rows cross the context boundary as JSON text, so compare parsed values.
    built = (line) => fn(line);
  }, 60_000);

  it('parses as ECMAScript 5 with a top-level function transform(line)', () => {
    const ast = parse(code, { ecmaVersion: 5, sourceType: 'script' }) as unknown as { body: { type: string; id?: { name: string }; params?: unknown[] }[] };
    const fnDecl = ast.body.find((n) => n.type === 'FunctionDeclaration' && n.id?.name === 'transform');
    expect(fnDecl?.params).toHaveLength(1);
    expect(() => parse('let x = 1;', { ecmaVersion: 5 })).toThrow(); // the check itself can fail
  });

  it('produces the events_raw row for a valid event', () => {
    const line = JSON.stringify({
      eventId: 'e-1',
      deviceId: 'dev-7',
      type: 'reading',
      eventTime: '2026-12-03T14:00:00.5+02:00',
      metrics: { temp: 21.5, hum: 40 },
      attributes: { site: 'berlin' },
    });
    const expected = {
      event_id: 'e-1',
      device_id: 'dev-7',
      type: 'reading',
      event_time: '2026-12-03T12:00:00.500Z', // 14:00:00.5 at +02:00
      metrics: [
        { name: 'hum', value: 40 },
        { name: 'temp', value: 21.5 },
      ],
      attributes: [{ key: 'site', value: 'berlin' }],
    };
    expect(outcome(built, line)).toEqual({ row: expected });
    expect(outcome(sourceTransform, line)).toEqual({ row: expected });
  });

  it.each([
    ['not JSON', '{"eventId":', 'payload: not valid JSON'],
    ['an array', '[1,2]', 'payload: must be an event object or {"events":[...]}'],
    ['a bad device id', JSON.stringify({ eventId: 'e', deviceId: 'a#b', type: 't', eventTime: 1796299200000, metrics: { x: 1 } }), 'deviceId: must match ^[A-Za-z0-9._:-]{1,128}$'],
    ['a batch of two', JSON.stringify({ events: [{}, {}] }), 'payload: holds 2 events; the archive template writes one row per message, so publish with EVENTS_PER_MESSAGE=1'],
    ['an empty batch', '{"events":[]}', 'payload.events: empty batch'],
    ['a non-finite metric', '{"eventId":"e","deviceId":"d","type":"t","eventTime":1796299200000,"metrics":{"x":"1"}}', 'metrics.x: must be a finite number'],
    ['a __proto__ metric', '{"eventId":"e","deviceId":"d","type":"t","eventTime":1796299200000,"metrics":{"__proto__":1}}', 'metrics.__proto__: name is reserved (it sets the prototype of a JavaScript object)'],
    ['12,000 levels of nesting', `{"eventId":"e","deviceId":"d","type":"t","eventTime":1796299200000,"metrics":{"x":1},"attributes":{"a":${'['.repeat(12_000)}${']'.repeat(12_000)}}}`, 'event: nested more than 16 levels deep (MAX_NESTING_DEPTH)'],
  ])('rejects %s with the same reason as the source', (_name, line, reason) => {
    expect(outcome(built, line)).toEqual({ error: reason });
    expect(outcome(sourceTransform, line)).toEqual({ error: reason });
  });

  it('handles edge cases like the source: one-event batch, unicode sizes, leap day, epoch ms', () => {
    const lines = [
      JSON.stringify({ events: [{ eventId: 'e', deviceId: 'd', type: 't', eventTime: 1796299200000, metrics: { x: -0.5 } }] }),
      JSON.stringify({ eventId: 'e', deviceId: 'd', type: 't', eventTime: '2024-02-29T23:59:59.999999Z', metrics: { x: 1e308 } }),
      JSON.stringify({ eventId: 'e', deviceId: 'd', type: 't', eventTime: 1796299200000, metrics: { x: 1 }, attributes: { a: '😀'.repeat(128) } }),
      JSON.stringify({ eventId: 'e', deviceId: 'd', type: 't', eventTime: 1796299200000, metrics: { x: 1 }, attributes: { a: 'é'.repeat(256), b: 'é'.repeat(256), c: 'é'.repeat(256), d: 'é'.repeat(256), e: 'é'.repeat(256), f: 'é'.repeat(256), g: 'é'.repeat(256), h: 'é'.repeat(256), i: 'é'.repeat(256), j: 'é'.repeat(256), k: 'é'.repeat(256), l: 'é'.repeat(256), m: 'é'.repeat(256), n: 'é'.repeat(256), o: 'é'.repeat(256), p: 'é'.repeat(256) } }),
      JSON.stringify({ eventId: 'e', deviceId: 'd', type: 't', eventTime: '2026-02-29T00:00:00Z', metrics: { x: 1 } }),
      JSON.stringify({ eventId: 'e', deviceId: 'd', type: 't', eventTime: 1796299200000, metrics: { constructor: 1, toString: 2 }, attributes: { valueOf: 'v' } }),
    ];
    const results = lines.map((l) => outcome(built, l));
    expect(results).toEqual(lines.map((l) => outcome(sourceTransform, l)));
    expect(results.map((r) => ('row' in r ? 'row' : (r as { error: string }).error.split(':')[0]))).toEqual(['row', 'row', 'row', 'event', 'eventTime', 'row']);
    expect((results[5] as { row: { metrics: unknown } }).row.metrics).toEqual([{ name: 'constructor', value: 1 }, { name: 'toString', value: 2 }]);
  });

  it('agrees with the source on generated events, valid and invalid', () => {
    const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
    const event = fc.record(
      {
        eventId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/), scalar),
        deviceId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/), scalar),
        type: fc.oneof(fc.constantFrom('reading', 'alarm'), scalar),
        eventTime: fc.oneof(fc.integer({ min: 946684800000, max: 4102444800000 }), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), scalar),
        metrics: fc.oneof(fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.double({ noNaN: true, noDefaultInfinity: true }), { maxKeys: 4 }), scalar),
        attributes: fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxKeys: 3 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(event, (e) => {
        const line = JSON.stringify(e);
        expect(outcome(built, line)).toEqual(outcome(sourceTransform, line));
      }),
      { numRuns: 400 },
    );
  });
});
