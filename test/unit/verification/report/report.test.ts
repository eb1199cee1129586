import { wrap } from '../../../../verification/report/format';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { verifyPath } from '../../../../verification/engine/verify';
import type { VerificationReport } from '../../../../verification/engine/types';
import { renderReport, REPORT_FORMATS } from '../../../../verification/report';
import { buildSarif } from '../../../../verification/report/sarif';
import { RULES } from '../../../../verification/rules';
import { clone, fixture, SPEC, TODAY } from '../helpers';

const synthReport = verifyPath(fixture('synth-hand-written/cdk.tf.json'), { spec: SPEC, today: TODAY });
const planPath = fixture('plan-replace-bigtable-instance.json');
const planReport = verifyPath(planPath, {
  spec: SPEC,
  today: TODAY,
  waivers: [{ rule: 'stateful-resource-not-destroyed', address: 'google_bigtable_table.aggregates', reason: 'aggregates are rebuilt from the archive', expires: '2027-01-01' }],
});
const readSource = (file: string) => readFileSync(file, 'utf8');

describe('JSON report', () => {
  it('carries the documented fields', () => {
    const doc = JSON.parse(renderReport(synthReport, 'json')) as VerificationReport;
    expect(doc.schemaVersion).toBe(1);
    expect(['pass', 'fail']).toContain(doc.verdict);
    expect(doc.results.length).toBeGreaterThan(0);
    for (const r of doc.results) {
      expect(typeof r.rule).toBe('string');
      expect(['pass', 'fail', 'unknown', 'waived']).toContain(r.status);
      expect(['error', 'warning', 'info']).toContain(r.severity);
      expect(typeof r.message).toBe('string');
    }
    expect(Object.keys(doc.cost.monthlyUsd).sort()).toEqual(['expected', 'max', 'min']);
    for (const line of doc.cost.lines) {
      expect(typeof line.address).toBe('string');
      expect(typeof line.region).toBe('string');
      expect(typeof line.monthlyUsd.expected).toBe('number');
    }
    expect(doc.latency).toHaveProperty('p50Ms');
    expect(doc.latency).toHaveProperty('p99Ms');
    expect(doc.components.map((c) => c.id)).toHaveLength(7);
  });
});

describe('wrap', () => {
  it('breaks a long address after a separator in the line\'s second half, else at the width', () => {
    expect(wrap('module.b["another-long-key"].google_pubsub_subscription.telemetry', 40)).toEqual(['module.b["another-long-key"].', 'google_pubsub_subscription.telemetry']);
    expect(wrap('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    expect(wrap('short words stay whole', 10)).toEqual(['short', 'words stay', 'whole']);
  });
});

describe('terminal table', () => {
  it('fits 100 columns and shows every section, component and spec item', () => {
    for (const r of [planReport, synthReport]) {
      const long = renderReport(r, 'table').split('\n').filter((l) => [...l].length > 100);
      expect(long).toEqual([]);
    }
    const text = renderReport(synthReport, 'table');
    for (const s of ['Components', 'Spec', 'Cost', 'Latency', 'Capacity', 'Availability', 'DR', 'Retention', 'Rules']) expect(text).toContain(`── ${s}`);
    for (const c of synthReport.components) expect(text).toContain(c.id);
    for (const i of synthReport.specItems) expect(text).toContain(i.item);
    expect(text.trimEnd().endsWith(`verdict: ${synthReport.verdict.toUpperCase()}`)).toBe(true);
  });

  it('shows a long address whole, broken across lines within 100 columns, never cut', () => {
    const r = clone(synthReport);
    const address = `module.tenant["${'a'.repeat(70)}"].google_bigtable_instance.hot_storage_instance_D51256BB`;
    // The dearest line: lines free at every level are summed up, not listed.
    r.cost.lines.reduce((a, b) => (b.monthlyUsd.expected > a.monthlyUsd.expected ? b : a)).address = address;
    r.retention.entries[0].address = address;
    const lines = renderReport(r, 'table').split('\n');
    expect(lines.filter((l) => [...l].length > 100)).toEqual([]);
    expect(lines.filter((l) => l.includes('aaaa') && l.includes('…'))).toEqual([]);
    // Both the cost line and the retention row carry it in full, on lines of their own, broken
    // after a separator: the module instance on one line, the resource on the next.
    const head = 'module.tenant["' + 'a'.repeat(70) + '"].';
    const starts = lines.flatMap((l, i) => (l.trimEnd() === head ? [i] : []));
    expect(starts).toHaveLength(2);
    for (const i of starts) expect(lines[i].trimEnd() + lines[i + 1].trimEnd()).toBe(address);
  });

  it('shows every rule id whole in the rules section (a waiver names it)', () => {
    const text = renderReport(planReport, 'table', { verbose: true });
    const rules = text.slice(text.indexOf('── Rules'));
    for (const r of planReport.results) expect(rules).toMatch(new RegExp(`^(PASS|FAIL|UNKNOWN|WAIVED) +${r.rule} `, 'm'));
    expect(planReport.results.some((r) => r.rule === 'stateful-resource-not-destroyed')).toBe(true);
  });

  it('marks DR scenarios the spec does not bound as not judged, and a null figure as unbounded', () => {
    const spec = { ...SPEC, constraints: { ...SPEC.constraints, drScenarios: ['operator-error' as const] } };
    const r = verifyPath(fixture('synth-hand-written/cdk.tf.json'), { spec, today: TODAY });
    const rpo = r.specItems.find((i) => i.item === 'rpo')!;
    expect(rpo.summary).toMatch(/^worst RPO: operator error [\d.]+ min \(bound \d+ min\); not judged \(the spec bounds operator error only\): zone loss /);
    const text = renderReport(r, 'table');
    expect(text).toContain('zone-loss (not judged)');
    expect(text).toContain('region-loss (not judged)');
    expect(text).not.toMatch(/^operator-error \(not judged\)/m);
    // The fixture's cold store has no copy outside its region: its region-loss RPO is null.
    expect(rpo.summary).toMatch(/region loss unbounded/);
    expect(text).toMatch(/^region-loss \(not judged\) +RPO unbounded +RTO unbounded +cold store/m);
    // With every scenario bounded, nothing is marked.
    expect(renderReport(synthReport, 'table')).not.toContain('not judged');
  });

  it('shows retentions under a day in hours and an archive that never expires as kept until deleted', () => {
    const r = clone(synthReport);
    r.retention.entries = [
      { address: 'google_pubsub_topic.t', kind: 'pubsub-topic', role: 'replay window', retentionDays: 3600 / 86_400, basis: 'message_retention_duration 3600 s' },
      { address: 'google_bigquery_table.a', kind: 'bigquery-table', role: 'archive of every event', retentionDays: null, unbounded: true, basis: 'no partition or table expiry' },
      { address: 'google_bigquery_table.b', kind: 'bigquery-table', role: 'archive of every event', retentionDays: 31, basis: 'partition expiry' },
    ];
    const text = renderReport(r, 'table');
    expect(text).toMatch(/^google_pubsub_topic.t +1 h +pubsub-topic/m);
    expect(text).toMatch(/^google_bigquery_table.a +kept until deleted +bigquery-table/m);
    expect(text).toMatch(/^google_bigquery_table.b +31 d +bigquery-table/m);
    expect(renderReport(r, 'markdown')).toContain('`google_pubsub_topic.t`: 1 h (replay window)');
  });

  it('uses ANSI colours only when asked', () => {
    expect(renderReport(synthReport, 'table')).not.toContain('\u001b[');
    expect(renderReport(synthReport, 'table', { color: true })).toContain('\u001b[');
  });
});

describe('SARIF', () => {
  const log = buildSarif(planReport, { rules: RULES, baseDir: process.cwd(), readSource });
  const run = log.runs[0];

  it('is SARIF 2.1.0 with one descriptor per rule and results indexing them', () => {
    expect(log.version).toBe('2.1.0');
    const ids = run.tool.driver.rules!.map((r) => r.id);
    for (const r of RULES) expect(ids).toContain(r.id);
    for (const result of run.results!) {
      expect(ids[result.ruleIndex!]).toBe(result.ruleId);
      expect(['error', 'warning', 'note']).toContain(result.level);
      expect(result.message.text!.length).toBeGreaterThan(0);
    }
  });

  it('points each result at the line of its resource in the input file, with a relative URI', () => {
    const replaced = run.results!.find((r) => r.ruleId === 'stateful-resource-not-destroyed' && r.message.text!.startsWith('google_bigtable_instance.hot'))!;
    const loc = replaced.locations![0].physicalLocation!;
    expect(loc.artifactLocation!.uri).toBe(relative(process.cwd(), planPath));
    const lines = readFileSync(planPath, 'utf8').split('\n');
    expect(lines[loc.region!.startLine! - 1]).toContain('"address": "google_bigtable_instance.hot"');
  });

  it('marks a waived finding as suppressed, with the reason', () => {
    const waived = run.results!.find((r) => r.ruleId === 'stateful-resource-not-destroyed' && r.message.text!.startsWith('google_bigtable_table.aggregates'))!;
    expect(waived.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'aggregates are rebuilt from the archive (expires 2027-01-01)' }]);
  });
});

describe('Markdown, JUnit and HTML', () => {
  it('Markdown has the verdict, every spec item and what blocks', () => {
    const text = renderReport(planReport, 'markdown');
    expect(text).toContain('## Verification: ❌ FAIL (prod)');
    for (const i of planReport.specItems) expect(text).toContain(`| \`${i.item}\` |`);
    expect(text).toContain('### What blocks');
    expect(text).toContain('`google_bigtable_instance.hot`');
    // The analyses beyond cost and latency, collapsed: capacity per component, DR per scenario, retention per store.
    expect(text).toContain('| scenario | RPO min | RTO min | basis |');
    for (const d of planReport.dr.scenarios) expect(text).toContain(`| ${d.scenario} |`);
    expect(text).toContain('| component | sustained events/s | burst events/s |');
  });

  it('JUnit counts match its test cases and failures', () => {
    const text = renderReport(planReport, 'junit');
    const tests = Number(/<testsuites [^>]*tests="(\d+)"/.exec(text)![1]);
    const failures = Number(/<testsuites [^>]*failures="(\d+)"/.exec(text)![1]);
    const skipped = Number(/<testsuites [^>]*skipped="(\d+)"/.exec(text)![1]);
    expect((text.match(/<testcase /g) ?? []).length).toBe(tests);
    expect((text.match(/<failure /g) ?? []).length).toBe(failures);
    expect((text.match(/<skipped /g) ?? []).length).toBe(skipped);
    expect(tests).toBe(planReport.results.length + planReport.specItems.length);
    expect(skipped).toBeGreaterThanOrEqual(1);
  });

  it('HTML is self-contained with the architecture diagram and the cost chart', () => {
    const text = renderReport(synthReport, 'html');
    expect(text.startsWith('<!doctype html>')).toBe(true);
    expect((text.match(/<svg /g) ?? []).length).toBe(2);
    expect(text).not.toMatch(/<script|<link|src="http|url\(http/);
    for (const c of synthReport.components) expect(text).toContain(`>${c.id}</text>`);
    expect(text).toContain('aria-label="Monthly cost per component"');
  });
});

describe('every format', () => {
  it('never shows a sensitive value', () => {
    const report = verifyPath(fixture('plan-sensitive.json'), { spec: SPEC, today: TODAY });
    for (const format of REPORT_FORMATS) {
      const text = renderReport(report, format, { rules: RULES, readSource });
      expect(text).not.toContain('hunter2');
    }
  });

  it('renders the advice sections when the advice stage filled them', () => {
    const report = clone(synthReport);
    report.patterns = [{ id: 'lambda-architecture', name: 'Lambda architecture', kind: 'pattern', summary: 'speed and batch layers over one topic', evidence: [] }];
    report.recommendations = [
      {
        change: { action: 'set', address: 'a', attribute: 'b', from: 1, to: 2, description: 'd' },
        changes: [],
        fixes: ['throughput_burst'],
        improves: [],
        summary: 'set max nodes of cluster c1 to 8: burst capacity 56,000 events/s',
        effect: { verdict: 'pass', items: [], costDeltaUsd: 100, withinBudget: true, before: {} as never, after: {} as never, regressions: [] },
        scope: 'single',
        config: [{ configKey: 'hotStorage.clusters[0].maxNodes', from: 6, to: 8 }],
        configComplete: true,
      },
    ];
    // Every format carries the story: SARIF in its run properties, JUnit in the spec suite's output.
    for (const format of ['table', 'markdown', 'html', 'sarif', 'junit', 'json'] as const) {
      const text = renderReport(report, format, { rules: RULES, readSource });
      expect({ format, patterns: text.includes('Lambda architecture') }).toEqual({ format, patterns: true });
      expect({ format, advice: text.includes('set max nodes of cluster c1 to 8') }).toEqual({ format, advice: true });
    }
    const sarif = buildSarif(report, { rules: RULES, readSource });
    expect(sarif.runs[0].properties?.recommendations).toHaveLength(1);
  });

  it('states the spec itself first (invariants, properties, constraints, workload, assumptions), not only the verdicts', () => {
    for (const format of ['table', 'markdown', 'html', 'sarif', 'junit'] as const) {
      const text = renderReport(synthReport, format, { rules: RULES, readSource });
      for (const inv of SPEC.invariants) expect({ format, has: text.includes(inv.statement.replace(/'/g, format === 'junit' || format === 'html' ? '&apos;' : "'")) || text.includes(inv.id) }).toEqual({ format, has: true });
      // Markdown and XML escape the comparison and the dollar sign.
      expect({ format, has: /cost (?:<|\\<|&lt;)= \\?\$[\d,]+\/month/.test(text) }).toEqual({ format, has: true });
    }
    const table = renderReport(synthReport, 'table');
    expect(table.indexOf('── Spec')).toBeLessThan(table.indexOf('── Components'));
    expect(table).toContain(`latency p99 <= ${SPEC.constraints.latencyP99Ms} ms, p50 <= ${SPEC.constraints.latencyP50Ms} ms`);
    expect(table).toContain(SPEC.assumptions[0].statement.slice(0, 40));
    const html = renderReport(synthReport, 'html');
    expect(html.indexOf('<h2>Spec: what must hold</h2>')).toBeLessThan(html.indexOf('<h2>Architecture</h2>'));
  });
});
