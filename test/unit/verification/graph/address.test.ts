import { formatAddress, parseAddress, parseSteps } from '../../../../verification/graph/address';

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
