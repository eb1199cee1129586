/**
 * The advice sections of a report, worded once and rendered in each format, so the terminal,
 * Markdown and HTML reports tell the same story: patterns with their evidence, recommendations
 * with their changes and re-verified effect, items no change fixes, and the synthesized sizing.
 */
import type { VerificationReport } from '../engine/types';
import type { ChangeView } from './types';
import { narrowedMargin } from './margins';

export interface AdviceItem {
  text: string;
  /** Supporting lines: evidence, the changes, the config diff. */
  details: string[];
}

export interface AdviceBlock {
  title: string;
  items: AdviceItem[];
}

function short(v: unknown): string {
  if (v === null || v === undefined) return 'unset';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

function changeLine(c: ChangeView): string {
  const config = c.configKey ? ` [config ${c.configKey}]` : '';
  switch (c.action) {
    case 'add':
      return `add ${c.address}${config}`;
    case 'remove':
      return `remove ${c.address}`;
    case 'spec':
      return `spec ${c.attribute}: ${short(c.from)} -> ${short(c.to)}${config}`;
    case 'set':
      return `${c.address} ${c.attribute}: ${short(c.from)} -> ${short(c.to)}${config}`;
  }
}

function count(n: number): string {
  return n < 1e9 ? n.toLocaleString('en-US') : `about ${n.toExponential(1).replace('e+', 'e')}`;
}

function usd(n: number | null): string {
  return n === null ? 'unknown' : `$${Math.round(n).toLocaleString('en-US')}`;
}

const SCOPE_PREFIX: Record<string, string> = { plan: 'PLAN, all together: ', combination: 'combination: ', single: '', sizing: 'APPLY THIS: ' };

export function adviceBlocks(report: VerificationReport): AdviceBlock[] {
  const blocks: AdviceBlock[] = [];
  const budget = report.adviceBudget;
  if (budget?.exhausted) {
    // first: a cut search must not read as a complete answer
    // Only the sizing search stopped at its own limit: the what-if advice is complete.
    const onlySizing = budget.notEvaluated.length === 0 && budget.notSearched.length > 0 && budget.notSearched.every((x) => x.startsWith('the sizing synthesis'));
    const sizing = report.synthesis ? `; sizing search ${report.synthesis.searched.toLocaleString('en-US')} evaluations` : '';
    blocks.push({
      title: onlySizing ? 'Sizing search stopped at its limit: its answer is the best found, not proven cheapest' : 'Advice budget ran out: the advice below is incomplete',
      items: [
        {
          text: budget.note,
          details: [
            `what-if re-verifications: ${budget.evaluations} of ${budget.maxEvaluations}${sizing}${budget.maxMillis !== null ? `; time guard ${budget.maxMillis} ms` : ''}; advice took ${budget.elapsedMs} ms`,
            ...budget.notEvaluated.map((n) => `${n.item}: ${n.candidates} candidate change${n.candidates === 1 ? '' : 's'} never re-verified`),
            ...budget.notSearched.map((s) => `not searched: ${s}`),
          ],
        },
      ],
    });
  }
  if (report.patterns && report.patterns.length > 0) {
    const ordered = [...report.patterns].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'pattern' ? -1 : 1));
    blocks.push({
      title: 'Patterns',
      items: ordered.map((p) => ({
        text: `${p.kind === 'anti-pattern' ? 'ANTI-PATTERN' : 'pattern'} ${p.name}: ${p.summary}${p.risks?.length ? ` (puts ${p.risks.join(', ')} at risk)` : ''}`,
        // the address is prefixed only when the note does not already name it
        details: p.evidence.map((e) => `${e.address && !e.note.includes(e.address) ? `${e.address}${e.attribute ? ` ${e.attribute}` : ''}: ` : ''}${e.note}`),
      })),
    });
  }
  const recs = report.recommendations ?? [];
  const unfixed = report.unfixed ?? [];
  if (recs.length > 0 || unfixed.length > 0) {
    blocks.push({
      title: `Recommendations (each re-verified on the changed design${budget?.exhausted ? '; INCOMPLETE, see the advice budget' : ''})`,
      items: [
        ...recs.map((r) => ({
          text: `${SCOPE_PREFIX[r.scope]}${r.summary}${r.fixes.length ? ` [fixes ${r.fixes.join(', ')}]` : ''}${r.improves.length ? ` [improves ${r.improves.join(', ')}]` : ''}`,
          // the synthesized sizing is applied as config edits (listed under the sizing synthesis too)
          details: r.scope === 'sizing' ? [`config edits (${r.config.length}): see "Sizing synthesis" below; ${r.changes.length} resource changes`] : r.changes.map(changeLine),
        })),
        ...unfixed.map((u) => ({ text: `no fix found for ${u.item} (${u.status}): ${u.reason}`, details: [] })),
      ],
    });
  }
  const s = report.synthesis;
  if (s) {
    const head = s.infeasible
      ? `no configuration in the sizing space passes (${s.searched} of ${count(s.spaceSize)} candidates evaluated): conflicting ${s.infeasible.conflicting.join(', ')}`
      : `${s.passes ? 'cheapest passing configuration' : 'cheapest configuration found (does not pass)'}: ${usd(s.monthlyUsd)}/month expected (now ${usd(s.currentMonthlyUsd)}), ${s.searched} of ${count(s.spaceSize)} candidates evaluated`;
    const details = [
      `method: ${s.method}`,
      ...(s.infeasible ? [s.infeasible.explanation] : []),
      ...(s.diff.length > 0 ? s.diff.map((d) => `${d.configKey}: ${short(d.from)} -> ${short(d.to)}`) : s.infeasible ? [] : ['the current sizing is already the cheapest that passes']),
    ];
    const apply = recs.find((r) => r.scope === 'sizing');
    if (apply) {
      // the design fails and this configuration passes: the end of the story is what to change
      const cost = apply.effect.after.monthlyUsdExpected;
      blocks.push({
        title: 'Sizing synthesis: the recommendation to apply',
        items: [
          { text: head, details: [`method: ${s.method}`] },
          {
            text: `APPLY these ${apply.config.length} config edits to the environment config (stacks/config/<env>.ts), then synthesize and verify again: re-verified, the design ${apply.effect.verdict === 'pass' ? 'PASSES' : 'still fails'} at ${usd(cost)}/month expected${apply.effect.withinBudget ? ', within budget' : ''}${apply.fixes.length ? ` (fixes ${apply.fixes.join(', ')})` : ''}`,
            details: [
              ...apply.config.map((d) => {
                const margin = narrowedMargin(d.configKey, d.from, d.to, report.spec);
                return `${d.configKey}: ${short(d.from)} -> ${short(d.to)}${margin ? ` (narrows a margin: ${margin})` : ''}`;
              }),
              ...marginSummary(apply.config, report),
            ],
          },
        ],
      });
      return blocks;
    }
    blocks.push({ title: 'Sizing synthesis', items: [{ text: head, details }] });
  }
  return blocks;
}

/** One line saying how many edits narrow a margin the spec does not bound, when any do. */
function marginSummary(config: readonly { configKey: string; from: unknown; to: unknown }[], report: VerificationReport): string[] {
  const n = config.filter((d) => narrowedMargin(d.configKey, d.from, d.to, report.spec) !== undefined).length;
  if (n === 0) return [];
  return [`${n} of these edits narrow a margin beyond what the spec checks (marked): the design passes with them, re-verified; keep the larger value where you want that margin, and verify again`];
}

/** Plain text lines (the terminal table wraps them to its width). */
export function renderAdviceText(report: VerificationReport): { title: string; lines: string[] }[] {
  return adviceBlocks(report).map((b) => ({ title: b.title, lines: b.items.flatMap((i) => [i.text, ...i.details.map((d) => `    ${d}`)]) }));
}

export function renderAdviceMarkdown(report: VerificationReport, escape: (s: string) => string): string[] {
  const out: string[] = [];
  for (const b of adviceBlocks(report)) {
    out.push('', `### ${b.title}`, '');
    for (const i of b.items) {
      out.push(`- ${escape(i.text)}`);
      for (const d of i.details) out.push(`  - ${escape(d)}`);
    }
  }
  return out;
}

export function renderAdviceHtml(report: VerificationReport, escape: (s: string) => string): string {
  return adviceBlocks(report)
    .map(
      (b) =>
        `<h2>${escape(b.title)}</h2><ul>${b.items
          .map((i) => `<li>${escape(i.text)}${i.details.length ? `<ul>${i.details.map((d) => `<li><code>${escape(d)}</code></li>`).join('')}</ul>` : ''}</li>`)
          .join('')}</ul>`,
    )
    .join('\n');
}
