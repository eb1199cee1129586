/**
 * Spec-item summaries say what the rules judged, with the comparison they made: a failing
 * value never reads "(within 100 ms)", the dashboard line prints the figure its rule judges,
 * availability never rounds to 100%, and invariants show what each rule found.
 */
import { FIGURE_RULES, specItemVerdicts } from '../../../../verification/engine/spec-items';
import { RULES } from '../../../../verification/rules';
import type { AnalysisResults, RuleResult } from '../../../../verification/engine/types';
import { formatFraction } from '../../../../verification/analyses/percent-format';
import { analyse, pipelineDoc, testSpec } from '../analyses/support/pipeline';

const result = (r: Partial<RuleResult>): RuleResult => ({ rule: 'r', title: 't', severity: 'error', specItem: 'no_data_loss', status: 'pass', message: 'm', ...r });

describe('formatFraction', () => {
  test.each([
    [0.9999995, '99.99995%'], // 1 - a = 5e-7: six nines, five decimals; toFixed(3) would print 100.000%
    [0.9999, '99.990%'],
    [0.999399, '99.940%'],
    [0.99999999994, "99.999999994%"], // 1 - a = 6e-11: ten nines, nine decimals
    [1, '100%'],
  ])('%d -> %s', (a, text) => expect(formatFraction(a)).toBe(text));
});

describe('spec-item summaries', () => {
  const spec = testSpec();
  const analyses = (): AnalysisResults => analyse(pipelineDoc());
  const summaryOf = (item: string, a: AnalysisResults, served: RuleResult[] = [result({ specItem: item as never })]) =>
    specItemVerdicts(spec, served, a).find((v) => v.item === item)!.summary;

  test('a failing processing p99 says it exceeds the bound', () => {
    const a = analyses();
    a.latency.processing.p99Ms = 240.7;
    expect(summaryOf('event_processed', a)).toMatch(/^processing p99 240\.7 ms exceeds the 100 ms bound/);
    a.latency.processing.p99Ms = 64.2;
    expect(summaryOf('event_processed', a)).toMatch(/^processing p99 64\.2 ms within the 100 ms bound/);
  });

  test('a FAIL from a check other than the figure\'s own names that check; the figure rule\'s own failure does not repeat', () => {
    const a = analyses();
    a.latency.processing.p99Ms = null;
    const served = [
      result({ rule: 'event-processed-within-bound', specItem: 'event_processed', status: 'unknown', message: 'unknown' }),
      result({ rule: 'pull-consumer-always-on', specItem: 'event_processed', status: 'fail', message: 'no processor service', observed: 'no processor service' }),
    ];
    expect(summaryOf('event_processed', a, served)).toMatch(/^processing p99 unknown \(bound 100 ms\).*; fails: pull-consumer-always-on FAIL: no processor service$/);
    a.latency.processing.p99Ms = 240.7;
    const own = [result({ rule: 'event-processed-within-bound', specItem: 'event_processed', status: 'fail', message: 'p99 240.7 ms > 100 ms' })];
    expect(summaryOf('event_processed', a, own)).not.toContain('fails:');
  });

  test('every figure rule exists and serves its item', () => {
    for (const [item, id] of Object.entries(FIGURE_RULES)) expect(RULES.find((r) => r.id === id)?.specItem).toBe(item);
  });

  test('dashboard_updated (an "always" bound) prints the worst case the rule judges, not the p99', () => {
    const a = analyses();
    Object.assign(a.latency.dashboardFreshness, { p99Ms: 1_980, maxMs: 5_250 });
    expect(summaryOf('dashboard_updated', a)).toMatch(/^dashboard live figures worst case 5,250 ms exceeds the 5,000 ms bound/);
  });

  test('availability prints enough digits: 99.99995%, not 100.000%', () => {
    const a = analyses();
    a.availability.planes = [{ plane: 'ingest', availability: 0.9999995, cappedBy: null, composition: '' }];
    expect(summaryOf('availability', a)).toBe('ingest 99.99995% (target 99.990%)');
  });

  test('an invariant shows what each rule found, worst first, not only counts', () => {
    const served = [
      result({ rule: 'dead-letter-can-work', observed: 'dead letters to topic.dl, agent may publish' }),
      result({ rule: 'dead-letter-policy-present', status: 'fail', observed: 'no dead-letter policy on sub.archive' }),
      result({ rule: 'dead-letter-policy-present', observed: 'read by job.archive' }),
    ];
    expect(summaryOf('no_data_loss', analyses(), served)).toBe(
      '3 check(s): 2 pass, 1 fail, 0 unknown, 0 waived; dead-letter-can-work: dead letters to topic.dl, agent may publish; dead-letter-policy-present FAIL: no dead-letter policy on sub.archive (1 of 2 results fail)',
    );
  });
});
