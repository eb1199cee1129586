/**
 * JUnit XML: one test suite per rule (one test case per finding) plus one for the spec
 * items. fail and unknown are failures (unknown never passes); waived is skipped.
 */
import type { RuleResult, VerificationReport } from '../engine/types';
import { renderTable } from './table';

export function xml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function renderJunit(report: VerificationReport): string {
  const byRule = new Map<string, RuleResult[]>();
  for (const r of report.results) {
    const list = byRule.get(r.rule) ?? [];
    list.push(r);
    byRule.set(r.rule, list);
  }
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const [rule, results] of [...byRule].sort(([a], [b]) => a.localeCompare(b))) {
    const f = results.filter((r) => r.status === 'fail' || r.status === 'unknown').length;
    const s = results.filter((r) => r.status === 'waived').length;
    tests += results.length;
    failures += f;
    skipped += s;
    const cases = results.map((r) => {
      const name = xml(r.address ?? '(design)');
      const open = `    <testcase classname="${xml(rule)}" name="${name}">`;
      if (r.status === 'pass') return `    <testcase classname="${xml(rule)}" name="${name}"/>`;
      if (r.status === 'waived') return `${open}\n      <skipped message="${xml(`waived until ${r.waiver?.expires}: ${r.waiver?.reason ?? ''}`)}"/>\n    </testcase>`;
      const body = [r.message, r.fix ? `fix: ${r.fix}` : '', `severity: ${r.severity}`, `spec item: ${r.specItem}`].filter(Boolean).join('\n');
      return `${open}\n      <failure type="${r.status}" message="${xml(r.message)}">${xml(body)}</failure>\n    </testcase>`;
    });
    suites.push(`  <testsuite name="${xml(rule)}" tests="${results.length}" failures="${f}" errors="0" skipped="${s}">\n${cases.join('\n')}\n  </testsuite>`);
  }
  const items = report.specItems;
  const itemFailures = items.filter((i) => i.status === 'fail' || i.status === 'unknown').length;
  const itemSkipped = items.filter((i) => i.status === 'waived').length;
  tests += items.length;
  failures += itemFailures;
  skipped += itemSkipped;
  const itemCases = items.map((i) => {
    const open = `    <testcase classname="spec" name="${xml(i.item)}">`;
    if (i.status === 'pass') return `    <testcase classname="spec" name="${xml(i.item)}"/>`;
    if (i.status === 'waived') return `${open}\n      <skipped message="${xml(i.summary)}"/>\n    </testcase>`;
    return `${open}\n      <failure type="${i.status}" message="${xml(i.summary)}">${xml(i.summary)}</failure>\n    </testcase>`;
  });
  // The whole report as text (spec, architecture, analyses, advice) where CI shows a suite's output.
  const story = `    <system-out>${xml(renderTable(report, { color: false }))}</system-out>`;
  suites.push(`  <testsuite name="spec-items" tests="${items.length}" failures="${itemFailures}" errors="0" skipped="${itemSkipped}">\n${itemCases.join('\n')}\n${story}\n  </testsuite>`);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="verification ${xml(report.spec.environment)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  );
}
