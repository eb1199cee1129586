/**
 * Markdown for a pull-request comment: the verdict, every spec item, what fails and how to
 * fix it, then cost and latency; long detail folds into <details>. Kept under GitHub's
 * 65,536-character comment limit.
 */
import type { RuleResult, Status, VerificationReport } from '../engine/types';
import { costByComponent, ms, num, percent, resultCounts, usd } from './format';
import { renderAdviceMarkdown } from '../advice/render';

const ICON: Record<Status, string> = { pass: '✅', fail: '❌', unknown: '❔', waived: '⏸️' };
const COMMENT_LIMIT = 60_000;

/** Escape text for a table cell or inline use. */
export function md(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');
}

export function renderMarkdown(report: VerificationReport): string {
  const out: string[] = [];
  const counts = resultCounts(report);
  const verdict = report.verdict === 'pass' ? '✅ PASS' : '❌ FAIL';
  out.push(`## Verification: ${verdict} (${md(report.spec.environment)})`);
  out.push('');
  out.push(
    `\`${md(report.input.path)}\` (${report.input.kind}, ${report.input.resources} resources): ` +
      `${counts.fail} failing, ${counts.unknown} unknown, ${counts.waived} waived, ${counts.pass} passing checks.`,
  );
  out.push('');
  out.push('| spec item | status | computed |');
  out.push('|---|---|---|');
  for (const i of report.specItems) out.push(`| \`${i.item}\` | ${ICON[i.status]} ${i.status} | ${md(i.summary)} |`);

  const problems = report.results.filter((r) => r.status === 'fail' || r.status === 'unknown');
  if (problems.length > 0) {
    out.push('');
    out.push(`### What blocks (${problems.length})`);
    out.push('');
    out.push('| | rule | resource | finding | fix |');
    out.push('|---|---|---|---|---|');
    for (const r of problems) out.push(resultRow(r));
  }
  const waived = report.results.filter((r) => r.status === 'waived');
  if (waived.length > 0) {
    out.push('');
    out.push(`### Waived (${waived.length})`);
    out.push('');
    for (const r of waived) out.push(`- \`${r.rule}\` ${r.address ? `\`${md(r.address)}\`` : ''}: ${md(r.waiver?.reason ?? '')} (until ${r.waiver?.expires})`);
  }

  out.push('');
  out.push(`### Cost: ${usd(report.cost.monthlyUsd.expected)}/month expected (${usd(report.cost.monthlyUsd.min)}..${usd(report.cost.monthlyUsd.max)}), budget ${usd(report.spec.constraints.monthlyBudgetUsd)}`);
  out.push('');
  out.push('| component | expected | range |');
  out.push('|---|---:|---|');
  for (const c of costByComponent(report)) out.push(`| ${c.component} | ${usd(c.expected)} | ${usd(c.min)}..${usd(c.max)} |`);
  if (report.cost.unpriced.length > 0) {
    out.push('');
    out.push(`Unpriced (block a pass): ${report.cost.unpriced.map((u) => `\`${md(u.address)}\``).join(', ')}`);
  }

  out.push('');
  out.push(`### Latency: p50 ${ms(report.latency.p50Ms)}, p99 ${ms(report.latency.p99Ms)}`);
  out.push('');
  if (report.latency.processing.hops.length > 0) {
    out.push('| hop | p50 | p99 | source |');
    out.push('|---|---:|---:|---|');
    for (const h of report.latency.processing.hops) out.push(`| ${md(h.name)} | ${ms(h.p50Ms)} | ${ms(h.p99Ms)} | ${md(h.source)} [${h.confidence}] |`);
  } else {
    out.push(`Missing: ${report.latency.processing.missing.join(', ') || 'no hops computed'}`);
  }
  out.push('');
  out.push(
    `Capacity: sustained ${num(report.capacity.sustainedEventsPerSecond)} events/s, burst ${num(report.capacity.burstEventsPerSecond)} events/s; ` +
      `availability ${report.availability.planes.map((p) => `${p.plane} ${percent(p.availability)}`).join(', ') || 'unknown'}.`,
  );

  out.push(...renderAdviceMarkdown(report, md));

  const details: string[] = [];
  details.push('<details><summary>Flows and components</summary>');
  details.push('');
  for (const f of report.flows) details.push(`- **${f.name}**: ${f.hops.map((h) => `\`${md(h)}\``).join(' → ') || '(none)'}${f.missing.length ? ` — missing ${md(f.missing.join(', '))}` : ''}`);
  details.push('');
  for (const c of report.components) details.push(`- **${c.id}** (${c.resources.length}): ${c.resources.map((a) => `\`${md(a)}\``).join(', ')}`);
  details.push('');
  details.push('</details>');
  if (report.warnings.length > 0) {
    details.push('');
    details.push(`<details><summary>Warnings (${report.warnings.length})</summary>`);
    details.push('');
    for (const w of report.warnings) details.push(`- ${md(w)}`);
    details.push('');
    details.push('</details>');
  }
  let text = `${out.join('\n')}\n\n${details.join('\n')}\n`;
  if (text.length > COMMENT_LIMIT) text = `${text.slice(0, COMMENT_LIMIT)}\n\n… (truncated; see the full report artifact)\n`;
  return text;
}

function resultRow(r: RuleResult): string {
  return `| ${ICON[r.status]} | \`${r.rule}\` | ${r.address ? `\`${md(r.address)}\`` : '(design)'} | ${md(r.message)} | ${md(r.fix ?? '')} |`;
}
