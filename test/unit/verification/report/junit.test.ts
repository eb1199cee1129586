/**
 * JUnit XML read back with an XML parser: well-formed (awkward for_each keys included), the
 * counts on every suite and on the root agree with its test cases, and each finding is
 * named by its address exactly.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { verifyPath } from '../../../../verification/engine/verify';
import type { VerificationReport } from '../../../../verification/engine/types';
import { renderJunit } from '../../../../verification/report/junit';
import { fixture, SPEC, TODAY } from '../helpers';

interface TestCase {
  '@_classname': string;
  '@_name': string;
  failure?: { '@_type': string; '@_message': string; '#text'?: string };
  skipped?: { '@_message': string };
}
interface Suite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  '@_skipped': string;
  testcase: TestCase[];
}
interface Doc {
  testsuites: { '@_tests': string; '@_failures': string; '@_skipped': string; '@_errors': string; testsuite: Suite[] };
}

const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase', trimValues: false });

function read(report: VerificationReport): Doc {
  const xml = renderJunit(report);
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml) as Doc;
}

describe('JUnit XML', () => {
  const reports = {
    replace: verifyPath(fixture('plan-replace-bigtable-instance.json'), {
      spec: SPEC,
      today: TODAY,
      waivers: [{ rule: 'stateful-resource-not-destroyed', address: 'google_bigtable_table.aggregates', reason: 'aggregates are rebuilt from the archive', expires: '2027-01-01' }],
    }),
    weirdKeys: verifyPath(fixture('plan-weird-keys.json'), { spec: SPEC, today: TODAY }),
  };

  it.each(Object.entries(reports))('%s: every count agrees with the test cases it sums', (_name, report) => {
    const doc = read(report);
    const suites = doc.testsuites.testsuite;
    let tests = 0;
    let failures = 0;
    let skipped = 0;
    for (const s of suites) {
      const cases = s.testcase;
      expect(Number(s['@_tests'])).toBe(cases.length);
      expect(Number(s['@_failures'])).toBe(cases.filter((c) => c.failure !== undefined).length);
      expect(Number(s['@_skipped'])).toBe(cases.filter((c) => c.skipped !== undefined).length);
      expect(s['@_errors']).toBe('0');
      for (const c of cases) expect(c['@_classname']).toBe(s['@_name'] === 'spec-items' ? 'spec' : s['@_name']);
      tests += cases.length;
      failures += Number(s['@_failures']);
      skipped += Number(s['@_skipped']);
    }
    expect(Number(doc.testsuites['@_tests'])).toBe(tests);
    expect(Number(doc.testsuites['@_failures'])).toBe(failures);
    expect(Number(doc.testsuites['@_skipped'])).toBe(skipped);
    expect(tests).toBe(report.results.length + report.specItems.length);
    // fail and unknown are failures; waived is skipped.
    expect(failures).toBe(
      report.results.filter((r) => r.status === 'fail' || r.status === 'unknown').length +
        report.specItems.filter((i) => i.status === 'fail' || i.status === 'unknown').length,
    );
  });

  it('a waived finding is skipped with its reason and expiry', () => {
    const suite = read(reports.replace).testsuites.testsuite.find((s) => s['@_name'] === 'stateful-resource-not-destroyed')!;
    const waived = suite.testcase.find((c) => c['@_name'] === 'google_bigtable_table.aggregates')!;
    expect(waived.skipped).toEqual({ '@_message': 'waived until 2027-01-01: aggregates are rebuilt from the archive' });
    const failed = suite.testcase.find((c) => c['@_name'] === 'google_bigtable_instance.hot')!;
    expect(failed.failure!['@_type']).toBe('fail');
    expect(failed.failure!['#text']).toContain('spec item: no_data_loss');
  });

  it('awkward for_each keys (markup, quotes, ]]>) come back as the exact addresses', () => {
    const report = reports.weirdKeys;
    const suite = read(report).testsuites.testsuite.find((s) => s['@_name'] === 'stateful-resource-not-destroyed')!;
    const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
    const names = suite.testcase.map((c) => decode(c['@_name']));
    const addresses = report.results.filter((r) => r.rule === 'stateful-resource-not-destroyed').map((r) => r.address!);
    expect(names.sort()).toEqual([...addresses].sort());
    expect(names).toContain('google_pubsub_subscription.s["]]>&\\"\'"]');
  });
});
