/**
 * The default terminal report, readable at 100 columns: verdict, the seven components,
 * every spec item, cost, latency path, capacity, availability, DR, retention, rule results,
 * then the advice sections when present.
 */
import type { RuleResult, Status, VerificationReport } from '../engine/types';
import { costByComponent, drFigure, ms, num, percent, resultCounts, scenarioLabel, STATUS_WORD, truncate, usd, wrap, specStatement, retention } from './format';
import { renderAdviceText } from '../advice/render';

export interface TableOptions {
  /** Total width; 100 by default. */
  width?: number;
  /** ANSI colours (the CLI turns them on for a TTY). */
  color?: boolean;
  /** List passing results one by one instead of a count per rule. */
  verbose?: boolean;
}

const ANSI: Record<Status | 'bold' | 'dim', string> = {
  pass: '\u001b[32m',
  fail: '\u001b[31m',
  unknown: '\u001b[33m',
  waived: '\u001b[36m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
};
const RESET = '\u001b[0m';

export function renderTable(report: VerificationReport, options: TableOptions = {}): string {
  const width = options.width ?? 100;
  const paint = (s: string, how: keyof typeof ANSI) => (options.color ? `${ANSI[how]}${s}${RESET}` : s);
  const status = (s: Status) => paint(STATUS_WORD[s].padEnd(7), s);
  const out: string[] = [];
  const heading = (title: string) => {
    out.push('');
    out.push(paint(`── ${title} ${'─'.repeat(Math.max(0, width - title.length - 4))}`, 'bold'));
  };
  /**
   * Rows of cells into fixed columns; the last column takes the rest and wraps. A first cell
   * wider than its column (an address) gets a line of its own, whole, and the rest of its row
   * starts indented below it, so the wrapped text keeps the width the address freed.
   */
  const rows = (widths: number[], cells: string[][], statusColumn = -1) => {
    for (const given of cells) {
      const row = [...given];
      const own = [...widths];
      if (statusColumn !== 0 && row[0] !== undefined && row[0].length > widths[0]) {
        out.push(...wrap(row[0], width));
        row[0] = '';
        own[0] = 2;
      }
      const used = own.reduce((a, b) => a + b + 1, 0);
      const head = row.slice(0, own.length).map((c, i) => (i === statusColumn ? status(c as Status) : truncate(c, own[i]).padEnd(own[i])));
      const tail = wrap(row[own.length] ?? '', Math.max(20, width - used));
      out.push(`${head.join(' ')} ${tail[0]}`.trimEnd());
      for (const more of tail.slice(1)) out.push(`${' '.repeat(used)}${more}`);
    }
  };

  const counts = resultCounts(report);
  const verdictWord = report.verdict.toUpperCase();
  const tail = `  ${report.input.resources} resources`;
  const head = `VERIFICATION ${verdictWord}  env ${report.spec.environment}  ${report.input.kind} `;
  const path = truncate(report.input.path, Math.max(10, width - head.length - tail.length));
  out.push(
    `${paint('VERIFICATION', 'bold')} ${paint(verdictWord, report.verdict === 'pass' ? 'pass' : 'fail')}  ` +
      `env ${report.spec.environment}  ${report.input.kind} ${path}${tail}`,
  );
  out.push(`rules: ${counts.fail} fail, ${counts.unknown} unknown, ${counts.waived} waived, ${counts.pass} pass`);

  heading(`Spec  ${report.spec.environment}: what must hold`);
  for (const section of specStatement(report.spec)) {
    out.push(paint(section.title, 'bold'));
    for (const line of section.lines) out.push(...wrap(line, width - 2).map((l) => `  ${l}`));
  }

  heading('Components');
  rows(
    [18, 5],
    report.components.map((c) => [c.id, String(c.resources.length), c.resources.join(', ') || '(none found)']),
  );
  const broken = report.flows.filter((f) => f.missing.length > 0);
  for (const f of report.flows) {
    const line = `${f.name} flow: ${f.hops.join(' -> ') || '(no hops)'}${f.missing.length > 0 ? `  MISSING: ${f.missing.join(', ')}` : ''}`;
    for (const l of wrap(line, width)) out.push(f.missing.length > 0 ? paint(l, 'unknown') : l);
  }
  if (broken.length === 0) out.push('every flow is complete');

  heading('Verdict per spec item');
  rows([26, 7], report.specItems.map((i) => [i.item, i.status, i.summary]), 1);

  heading(`Cost  ${usd(report.cost.monthlyUsd.expected)}/month expected (${usd(report.cost.monthlyUsd.min)}..${usd(report.cost.monthlyUsd.max)}), budget ${usd(report.spec.constraints.monthlyBudgetUsd)}`);
  const byComponent = costByComponent(report);
  rows([18, 12], byComponent.map((c) => [c.component, usd(c.expected), `${usd(c.min)}..${usd(c.max)}`]));
  const sorted = [...report.cost.lines].sort((a, b) => b.monthlyUsd.expected - a.monthlyUsd.expected);
  // Lines that cost nothing even at the maximum are counted per item, not listed one by one
  // (the JSON, Markdown and HTML formats keep every line with its source).
  const lines = sorted.filter((l) => l.monthlyUsd.max > 0);
  const free = sorted.filter((l) => l.monthlyUsd.max <= 0);
  if (lines.length > 0) out.push('');
  // Address, region and amount on one line; the arithmetic below it at full width.
  for (const l of lines) {
    // A long address gets a line of its own, whole (it is what a reader searches the code for),
    // and the amount line below it starts indented, leaving the item its full width.
    const long = l.address.length > 44;
    if (long) out.push(...wrap(l.address, width));
    const lead = `${(long ? '' : l.address).padEnd(long ? 3 : 44)} ${l.region.padEnd(13)} ${usd(l.monthlyUsd.expected).padStart(9)}  `;
    const item = wrap(l.item, Math.max(20, width - lead.length));
    out.push(`${lead}${item[0]}`.trimEnd());
    for (const more of item.slice(1)) out.push(`${' '.repeat(lead.length)}${more}`);
    for (const f of wrap(`${l.formula} [${l.confidence}]`, width - 4)) out.push(paint(`    ${f}`, 'dim'));
  }
  if (free.length > 0) {
    const byItem = new Map<string, number>();
    for (const l of free) byItem.set(`${l.type} ${l.item}`, (byItem.get(`${l.type} ${l.item}`) ?? 0) + 1);
    const summary = [...byItem.entries()].sort((a, b) => b[1] - a[1]).map(([item, n]) => `${n} ${item}`).join(', ');
    for (const f of wrap(`$0 at every level (${free.length} lines; sources in the JSON report): ${summary}`, width)) out.push(paint(f, 'dim'));
  }
  for (const u of report.cost.unpriced) for (const l of wrap(`UNPRICED ${u.address} (${u.type}): ${u.reason}`, width)) out.push(paint(l, 'unknown'));

  heading(`Latency  processing p50 ${ms(report.latency.p50Ms)}, p99 ${ms(report.latency.p99Ms)}`);
  for (const path of [report.latency.processing, report.latency.dashboardFreshness]) {
    out.push(...wrap(`${path.name}: p50 ${ms(path.p50Ms)}, p99 ${ms(path.p99Ms)} (${path.method})`, width));
    rows([34, 12, 12], path.hops.map((h) => [h.name, `p50 ${ms(h.p50Ms)}`, `p99 ${ms(h.p99Ms)}`, `${h.region ?? ''} [${h.confidence}] ${h.source}`]));
    if (path.missing.length > 0) for (const l of wrap(`  missing: ${path.missing.join(', ')}`, width)) out.push(paint(l, 'unknown'));
  }
  out.push(`batch job: ${report.latency.batchJobMinutes === null ? 'unknown' : `${num(report.latency.batchJobMinutes, 1)} min`}`);

  // Burst capacity is what the design takes at a burst's start, before autoscaling; a burst above
  // it is buffered in Pub/Sub and drained (judged under throughput_burst).
  heading(`Capacity  sustained ${num(report.capacity.sustainedEventsPerSecond)} events/s, at a burst's start ${num(report.capacity.burstEventsPerSecond)} events/s`);
  out.push(`${'component'.padEnd(26)} ${'sustained'.padEnd(14)} ${'burst start'.padEnd(14)} basis`);
  rows(
    [26, 14, 14],
    report.capacity.components.map((c) => [c.component, num(c.sustainedEventsPerSecond), num(c.burstEventsPerSecond), c.basis]),
  );
  out.push(...wrap(`bottleneck: ${report.capacity.bottleneck ?? 'unknown'}; burst absorbed: ${report.capacity.burstAbsorbed.absorbed === null ? 'unknown' : report.capacity.burstAbsorbed.absorbed ? 'yes' : 'no'} (${report.capacity.burstAbsorbed.explanation})`, width));

  heading(`Availability  target ${percent(report.spec.constraints.availability)}`);
  rows([10, 9], report.availability.planes.map((p) => [p.plane, percent(p.availability), `${p.cappedBy ? `capped by ${p.cappedBy}; ` : ''}${p.composition}`]));
  if (report.availability.note) out.push(...wrap(report.availability.note, width));

  heading(`DR  RPO ${report.spec.constraints.rpoMinutes} min, RTO ${report.spec.constraints.rtoMinutes} min`);
  rows(
    [24, 13, 13],
    report.dr.scenarios.map((s) => [scenarioLabel(report.spec, s.scenario), `RPO ${drFigure(s, 'rpo')}`, `RTO ${drFigure(s, 'rto')}`, `${s.target}: ${s.basis}`]),
  );

  heading(`Retention  need ${report.spec.constraints.retentionDays} days`);
  rows([44, 18], report.retention.entries.map((e) => [e.address, retention(e), `${e.kind}, ${e.role}: ${e.basis}`]));

  heading('Rules');
  const notPassing = report.results.filter((r) => r.status !== 'pass');
  // Rule ids whole: they are what a waiver names.
  const ruleWidth = Math.min(40, Math.max(20, ...report.results.map((r) => r.rule.length)));
  rows([7, ruleWidth], notPassing.map((r) => [r.status, r.rule, describe(r)]), 0);
  const passing = report.results.filter((r) => r.status === 'pass');
  if (options.verbose) {
    rows([7, ruleWidth], passing.map((r) => [r.status, r.rule, describe(r)]), 0);
  } else {
    const perRule = new Map<string, number>();
    for (const r of passing) perRule.set(r.rule, (perRule.get(r.rule) ?? 0) + 1);
    if (perRule.size > 0) {
      out.push(...wrap(`passing: ${[...perRule].map(([rule, n]) => `${rule} (${n})`).join(', ')}`, width));
    }
  }

  renderAdvice(report, out, width, heading);

  if (report.warnings.length > 0) {
    heading('Warnings');
    for (const w of report.warnings) out.push(...wrap(`- ${w}`, width));
  }
  out.push('');
  out.push(paint(`verdict: ${report.verdict.toUpperCase()}`, report.verdict === 'pass' ? 'pass' : 'fail'));
  return `${out.join('\n')}\n`;
}

function describe(r: RuleResult): string {
  const where = r.address ? `${r.address}: ` : '';
  const fix = r.fix && r.status !== 'pass' ? ` FIX: ${r.fix}` : '';
  const waiver = r.waiver ? ` (waived until ${r.waiver.expires}: ${r.waiver.reason})` : '';
  return `${where}${r.message}${waiver}${fix}`;
}

/** Advice sections (filled by verification/advice), worded by verification/advice/render. */
function renderAdvice(report: VerificationReport, out: string[], width: number, heading: (t: string) => void): void {
  for (const block of renderAdviceText(report)) {
    heading(block.title);
    for (const line of block.lines) out.push(...wrap(line, width));
  }
}
