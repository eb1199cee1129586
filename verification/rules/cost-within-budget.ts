/**
 * Expected monthly cost within the budget. Any unpriced resource makes the verdict unknown
 * (never $0), unless the priced lines alone already exceed the budget (unpriced usage can
 * only add to it): then it fails. A maximum (autoscaling ceilings) above the budget is
 * reported on a pass.
 */
import type { CostLine, Finding, Rule } from '../engine/types';
import { costLineEvidence, fmtUsd } from './support/evidence';

const TOP_LINES = 5;

export const rule: Rule = {
  id: 'cost-within-budget',
  title: 'Expected monthly cost is within the budget',
  severity: 'error',
  specItem: 'monthly_cost',
  reads: ['*'],
  rationale:
    'The budget is a hard constraint. Costs come from list prices in verification/data/prices.json and the spec workload; a resource without a price model or without a price for its region is unpriced, which blocks a pass instead of counting as $0.',
  check(ctx) {
    const { cost } = ctx.analyses;
    const budget = ctx.spec.constraints.monthlyBudgetUsd;
    const m = cost.monthlyUsd;
    const top = [...cost.lines].sort((a, b) => b.monthlyUsd.expected - a.monthlyUsd.expected).slice(0, TOP_LINES);
    const evidence = {
      monthlyUsd: m,
      budgetUsd: budget,
      largestLines: top.map(costLineEvidence),
      unconfirmedShareUsd: cost.lines.filter((l) => l.confidence === 'U').reduce((s, l) => s + l.monthlyUsd.expected, 0),
      warnings: cost.warnings,
    };
    const findings: Finding[] = [];
    const lineText = top.map((l) => `${l.address} ${l.item} ${fmtUsd(l.monthlyUsd.expected)}`).join('; ');
    // Unpriced usage can only add cost: priced lines already over the budget fail regardless.
    if (cost.unpriced.length > 0 && m.expected > budget) {
      findings.push({
        status: 'fail',
        observed: `${fmtUsd(m.expected)}/month expected from the priced lines alone, plus ${cost.unpriced.length} unpriced resource(s)`,
        expected: `<= ${fmtUsd(budget)}/month`,
        message: `the priced lines alone (${fmtUsd(m.expected)}) exceed the budget ${fmtUsd(budget)} by ${fmtUsd(m.expected - budget)}, before ${cost.unpriced.map((u) => u.address).join(', ')} (unpriced); largest lines: ${lineText}`,
        fix: `${cutFix(m.expected - budget, top)}; and price ${cost.unpriced.map((u) => u.address).join(', ')}`,
        evidence: { ...evidence, unpriced: cost.unpriced },
      });
      return findings;
    }
    if (cost.unpriced.length > 0) {
      findings.push({
        status: 'unknown',
        observed: `${cost.unpriced.length} unpriced resource(s)`,
        expected: 'every billed resource priced',
        message: `cost unknown: ${cost.unpriced.map((u) => `${u.address} (${u.reason})`).join('; ')}`,
        fix: 'add a price model or a regional price to verification/data/prices.json, or give the missing usage in a usage file (--usage)',
        evidence,
      });
      return findings;
    }
    if (m.expected > budget) {
      findings.push({
        status: 'fail',
        observed: `${fmtUsd(m.expected)}/month expected (${fmtUsd(m.min)}..${fmtUsd(m.max)})`,
        expected: `<= ${fmtUsd(budget)}/month`,
        message: `expected monthly cost ${fmtUsd(m.expected)} exceeds the budget ${fmtUsd(budget)} by ${fmtUsd(m.expected - budget)}; largest lines: ${lineText}`,
        fix: cutFix(m.expected - budget, top),
        evidence,
      });
      return findings;
    }
    findings.push({
      status: 'pass',
      observed: `${fmtUsd(m.expected)}/month expected (${fmtUsd(m.min)}..${fmtUsd(m.max)})`,
      expected: `<= ${fmtUsd(budget)}/month`,
      message:
        m.max > budget
          ? `expected ${fmtUsd(m.expected)} is within ${fmtUsd(budget)}, but at every autoscaling ceiling the maximum ${fmtUsd(m.max)} exceeds it`
          : `expected ${fmtUsd(m.expected)} and maximum ${fmtUsd(m.max)} are within ${fmtUsd(budget)}`,
      evidence: { ...evidence, maxExceedsBudget: m.max > budget },
    });
    return findings;
  },
};

/**
 * What to cut: the largest lines, as many as it takes to cover the gap (all TOP_LINES when even
 * they do not), each with its amount, the first with its formula, so the fix names what the
 * gap needs and not one line a fraction of it.
 */
function cutFix(gap: number, top: readonly CostLine[]): string {
  const named: CostLine[] = [];
  let covered = 0;
  for (const l of top) {
    named.push(l);
    covered += l.monthlyUsd.expected;
    if (covered >= gap) break;
  }
  const text = named.map((l, i) => `${l.address} ${l.item} ${fmtUsd(l.monthlyUsd.expected)}${i === 0 ? ` (${l.formula})` : ''}`).join('; ');
  const share = covered >= gap ? `together ${fmtUsd(covered)}` : `together ${fmtUsd(covered)}, less than the gap: cut across more lines`;
  return `cut ${fmtUsd(gap)}/month from the largest lines: ${text} (${share}); the advice section (verify without --no-advice) prices the changes that cut it`;
}
