import { formatAddress, parseAddress, parseSteps } from '../../../../verification/graph/address';
import { loadInput } from '../../../../verification/graph/load';
import { fixture, readFixture } from '../helpers';

describe('parseAddress', () => {
  it('parses a root resource', () => {
    expect(parseAddress('google_pubsub_topic.telemetry')).toEqual({
      modulePath: [],
      moduleNames: [],
      mode: 'managed',
      type: 'google_pubsub_topic',
      name: 'telemetry',
      index: undefined,
      rest: [],
    });
  });

  it('parses count indexes and data sources', () => {
    const a = parseAddress('data.google_project.p[3]')!;
    expect([a.mode, a.type, a.name, a.index]).toEqual(['data', 'google_project', 'p', 3]);
  });

  it('keeps dots, brackets and escaped quotes inside for_each string keys', () => {
    const a = parseAddress('module.ingest["eu.west[1]"].module.sub[0].google_pubsub_subscription.s["a \\"q\\" b.c"]')!;
    expect(a.modulePath).toEqual(['module.ingest["eu.west[1]"]', 'module.sub[0]']);
    expect(a.moduleNames).toEqual(['ingest', 'sub']);
    expect(a.type).toBe('google_pubsub_subscription');
    expect(a.index).toBe('a "q" b.c');
    expect(formatAddress(a)).toBe('module.ingest["eu.west[1]"].module.sub[0].google_pubsub_subscription.s["a \\"q\\" b.c"]');
  });

  it('returns attribute steps after the resource for references', () => {
    const a = parseAddress('google_bigquery_table.t["k"].schema')!;
    expect(a.index).toBe('k');
    expect(a.rest).toEqual([{ name: 'schema' }]);
  });

  it('rejects text that is not an address', () => {
    expect(parseAddress('')).toBeNull();
    expect(parseAddress('google_pubsub_topic')).toBeNull();
    expect(parseAddress('google_x.y["unterminated]')).toBeNull();
    expect(parseAddress('google_x..y')).toBeNull();
    expect(parseAddress('module.m')).toBeNull();
  });

  it('stops at splats', () => {
    expect(parseSteps('google_x.y[*].id')).toEqual([{ name: 'google_x' }, { name: 'y' }]);
  });
});

describe('string keys as Terraform quotes them', () => {
  // Address text exactly as `terraform show -json` writes it, and the key it stands for.
  const cases: [string, string][] = [
    ['s["line\\nbreak"]', 'line\nbreak'],
    ['s["cr\\rlf"]', 'cr\rlf'],
    ['s["tab\\there"]', 'tab\there'],
    ['s["back\\\\slash"]', 'back\\slash'],
    ['s["q\\"uote"]', 'q"uote'],
    ['s["x\\ufffey"]', 'x\ufffey'],
    ['s["nbsp\\u00a0"]', 'nbsp\u00a0'],
    ['s["bell\\u0007"]', 'bell\u0007'],
    ['s["tag\\U000e0001"]', 'tag\u{e0001}'],
    ['s["$${var.x}"]', '${var.x}'],
    ['s["%%{if}"]', '%{if}'],
    ['s["$5 and 100%"]', '$5 and 100%'],
    ['s["ünïcødé ✓"]', 'ünïcødé ✓'],
  ];

  it.each(cases)('%s has key %j and formats back to the same text', (text, key) => {
    const a = parseAddress(`google_pubsub_subscription.${text}`)!;
    expect(a.index).toBe(key);
    expect(formatAddress(a)).toBe(`google_pubsub_subscription.${text}`);
  });

  it('refuses escapes HCL does not have', () => {
    expect(parseAddress('google_x.s["a\\qb"]')).toBeNull();
    expect(parseAddress('google_x.s["a\\u12"]')).toBeNull();
  });

  it("a plan's index field and its address agree for awkward keys", () => {
    const g = loadInput(fixture('plan-weird-keys.json'));
    const plan = readFixture('plan-weird-keys.json') as { planned_values: { root_module: { resources: { address: string; index: string }[] } } };
    for (const r of plan.planned_values.root_module.resources) {
      const resource = g.byAddress.get(r.address)!;
      expect(resource.index).toBe(r.index);
      expect(formatAddress({ ...parseAddress(r.address)!, index: r.index })).toBe(r.address);
    }
  });
});
