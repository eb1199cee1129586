/**
 * Markdown for a pull-request comment: the verdict, every spec item, what fails and how to
 * fix it, then cost and latency; long detail folds into <details>. Kept under GitHub's
 * 65,536-character comment limit by capping long tables and lists ("... and N more"), never
 * by cutting the text mid-table: the cost and latency sections always come through.
 *
 * Input text (addresses hold arbitrary for_each keys) is escaped so nothing in it becomes a
 * link, an image, emphasis, HTML or a table column.
 */
import type { RuleResult, Status, VerificationReport } from '../engine/types';
import { costByComponent, drFigure, ms, num, percent, resultCounts, scenarioLabel, usd, specStatement, retention } from './format';
import { renderAdviceMarkdown } from '../advice/render';

const ICON: Record<Status, string> = { pass: '✅', fail: '❌', unknown: '❔', waived: '⏸️' };
const COMMENT_LIMIT = 60_000;
/** Rows of the "what blocks" table tried in turn until the comment fits. */
const ROW_CAPS = [100, 50, 25, 10, 3];
/** Items per list in the folded details (warnings, a component's resources). */
const LIST_CAP = 25;
/** Longest cell text; the full text is in the JSON and SARIF reports. */
const CELL_CAP = 600;

/**
 * Escape text for a table cell or inline use: Markdown punctuation that could start a link,
 * image, emphasis or strikethrough is backslash-escaped, HTML is entity-escaped, `|` cannot
 * split a cell and line breaks cannot end one. Not for code spans (see `code`).
 */
export function md(s: string): string {
  return s
    .replace(/\r\n?|\n/g, ' ')
    .replace(/[\\[\]()!*_~|]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * A code span that shows `s` verbatim: GitHub decodes neither backslash escapes nor entities
 * inside one, so the text goes in raw, fenced by more backticks than it holds. In a table
 * cell a `|` would still end the cell, so it is written `\|` (GFM turns that back into `|`).
 */
export function code(s: string, inTable = false): string {
  let text = s.replace(/\r\n?|\n/g, ' ');
  if (inTable) text = text.replace(/\|/g, '\\|');
  const longest = (text.match(/`+/g) ?? []).reduce((n, run) => Math.max(n, run.length), 0);
  const fence = '`'.repeat(longest + 1);
  // One space each side is stripped by the renderer when both are there: pad when the text
  // starts or ends with a backtick, or itself starts and ends with a space.
  const pad = text.startsWith('`') || text.endsWith('`') || (text.length > 1 && text.startsWith(' ') && text.endsWith(' ') && text.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function clip(s: string, max = CELL_CAP): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** At most `cap` items, then one line saying how many were left out. */
function capped<T>(items: readonly T[], cap: number, render: (item: T) => string, more: (n: number) => string): string[] {
  const lines = items.slice(0, cap).map(render);
  if (items.length > cap) lines.push(more(items.length - cap));
  return lines;
}

export function renderMarkdown(report: VerificationReport): string {
  const details = detailsSection(report);
  for (const cap of ROW_CAPS) {
    const main = mainSections(report, cap);
    const withDetails = `${main}\n\n${details}\n`;
    if (withDetails.length <= COMMENT_LIMIT) return withDetails;
    if (main.length + 200 <= COMMENT_LIMIT) return `${main}\n\n_Flows, components and warnings left out to stay under GitHub's comment limit; see the full report artifact._\n`;
  }
  // Only reached when even the smallest tables do not fit (absurdly long spec summaries).
  const main = mainSections(report, ROW_CAPS[ROW_CAPS.length - 1]);
  const cut = main.lastIndexOf('\n', COMMENT_LIMIT - 200);
  return `${main.slice(0, cut)}\n\n… (cut to stay under GitHub's comment limit; see the full report artifact)\n`;
}

function mainSections(report: VerificationReport, rowCap: number): string {
  const out: string[] = [];
  const counts = resultCounts(report);
  const verdict = report.verdict === 'pass' ? '✅ PASS' : '❌ FAIL';
  out.push(`## Verification: ${verdict} (${md(report.spec.environment)})`);
  out.push('');
  out.push(
    `${code(report.input.path)} (${report.input.kind}, ${report.input.resources} resources): ` +
      `${counts.fail} failing, ${counts.unknown} unknown, ${counts.waived} waived, ${counts.pass} passing checks.`,
  );
  out.push('');
  out.push('<details><summary>Spec: what must hold</summary>');
  out.push('');
  for (const section of specStatement(report.spec)) {
    out.push(`**${md(section.title)}**`);
    out.push('');
    out.push(...section.lines.map((l) => `- ${md(clip(l))}`));
    out.push('');
  }
  out.push('</details>');
  out.push('');
  out.push('| spec item | status | computed |');
  out.push('|---|---|---|');
  for (const i of report.specItems) out.push(`| ${code(i.item, true)} | ${ICON[i.status]} ${i.status} | ${md(clip(i.summary))} |`);

  const problems = report.results.filter((r) => r.status === 'fail' || r.status === 'unknown');
  if (problems.length > 0) {
    out.push('');
    out.push(`### What blocks (${problems.length})`);
    out.push('');
    out.push('| | rule | resource | finding | fix |');
    out.push('|---|---|---|---|---|');
    out.push(...capped(problems, rowCap, resultRow, (n) => `| | | | … and ${n} more (see the full report artifact) | |`));
  }
  const waived = report.results.filter((r) => r.status === 'waived');
  if (waived.length > 0) {
    out.push('');
    out.push(`### Waived (${waived.length})`);
    out.push('');
    out.push(
      ...capped(
        waived,
        rowCap,
        (r) => `- ${code(r.rule)} ${r.address ? code(r.address) : ''}: ${md(clip(r.waiver?.reason ?? ''))} (until ${md(r.waiver?.expires ?? '')})`,
        (n) => `- … and ${n} more`,
      ),
    );
  }

  out.push('');
  out.push(`### Cost: ${usd(report.cost.monthlyUsd.expected)}/month expected (${usd(report.cost.monthlyUsd.min)}..${usd(report.cost.monthlyUsd.max)}), budget ${usd(report.spec.constraints.monthlyBudgetUsd)}`);
  out.push('');
  out.push('| component | expected | range |');
  out.push('|---|---:|---|');
  for (const c of costByComponent(report)) out.push(`| ${md(c.component)} | ${usd(c.expected)} | ${usd(c.min)}..${usd(c.max)} |`);
  if (report.cost.unpriced.length > 0) {
    const shown = report.cost.unpriced.slice(0, LIST_CAP).map((u) => code(u.address));
    const more = report.cost.unpriced.length > LIST_CAP ? ` and ${report.cost.unpriced.length - LIST_CAP} more` : '';
    out.push('');
    out.push(`Unpriced (block a pass): ${shown.join(', ')}${more}`);
  }

  out.push('');
  out.push(`### Latency: p50 ${ms(report.latency.p50Ms)}, p99 ${ms(report.latency.p99Ms)}`);
  out.push('');
  if (report.latency.processing.hops.length > 0) {
    out.push('| hop | p50 | p99 | source |');
    out.push('|---|---:|---:|---|');
    for (const h of report.latency.processing.hops) out.push(`| ${md(h.name)} | ${ms(h.p50Ms)} | ${ms(h.p99Ms)} | ${md(clip(h.source))} \\[${h.confidence}\\] |`);
  } else {
    out.push(`Missing: ${md(report.latency.processing.missing.join(', ') || 'no hops computed')}`);
  }
  out.push('');
  out.push(
    `Capacity: sustained ${num(report.capacity.sustainedEventsPerSecond)} events/s, burst ${num(report.capacity.burstEventsPerSecond)} events/s; ` +
      `availability ${report.availability.planes.map((p) => `${md(p.plane)} ${percent(p.availability)}`).join(', ') || 'unknown'}.`,
  );

  out.push(...renderAdviceMarkdown(report, (s) => md(clip(s))));
  return out.join('\n');
}

function detailsSection(report: VerificationReport): string {
  const details: string[] = [];
  details.push('<details><summary>Flows and components</summary>');
  details.push('');
  for (const f of report.flows) details.push(`- **${md(f.name)}**: ${f.hops.map((h) => code(h)).join(' → ') || '(none)'}${f.missing.length ? ` — missing ${md(f.missing.join(', '))}` : ''}`);
  details.push('');
  for (const c of report.components) {
    const shown = c.resources.slice(0, LIST_CAP).map((a) => code(a));
    const more = c.resources.length > LIST_CAP ? ` and ${c.resources.length - LIST_CAP} more` : '';
    details.push(`- **${c.id}** (${c.resources.length}): ${shown.join(', ')}${more}`);
  }
  details.push('');
  details.push('</details>');
  details.push('');
  details.push('<details><summary>Capacity, availability, DR and retention</summary>');
  details.push('');
  details.push(`Bottleneck: ${md(report.capacity.bottleneck ?? 'unknown')}; burst: ${md(clip(report.capacity.burstAbsorbed.explanation))}`);
  details.push('');
  details.push('| component | sustained events/s | burst events/s |');
  details.push('|---|---:|---:|');
  for (const c of report.capacity.components) details.push(`| ${md(c.component)} | ${num(c.sustainedEventsPerSecond)} | ${num(c.burstEventsPerSecond)} |`);
  details.push('');
  details.push('| scenario | RPO min | RTO min | basis |');
  details.push('|---|---:|---:|---|');
  for (const d of report.dr.scenarios) details.push(`| ${md(scenarioLabel(report.spec, d.scenario))} | ${drFigure(d, 'rpo')} | ${drFigure(d, 'rto')} | ${md(clip(d.basis))} |`);
  details.push('');
  details.push(...capped(report.retention.entries, LIST_CAP, (e) => `- ${code(e.address)}: ${retention(e)} (${md(e.role)})`, (n) => `- … and ${n} more`));
  details.push('');
  details.push('</details>');
  if (report.warnings.length > 0) {
    details.push('');
    details.push(`<details><summary>Warnings (${report.warnings.length})</summary>`);
    details.push('');
    details.push(...capped(report.warnings, LIST_CAP, (w) => `- ${md(clip(w))}`, (n) => `- … and ${n} more`));
    details.push('');
    details.push('</details>');
  }
  return details.join('\n');
}

function resultRow(r: RuleResult): string {
  return `| ${ICON[r.status]} | ${code(r.rule, true)} | ${r.address ? code(r.address, true) : '(design)'} | ${md(clip(r.message))} | ${md(clip(r.fix ?? ''))} |`;
}
