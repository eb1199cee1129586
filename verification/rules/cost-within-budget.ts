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
    const top = largestLines(cost.lines, TOP_LINES);
    let unconfirmedShareUsd = 0;
    cost.lines.forEach((l) => {
      if (l.confidence === 'U') unconfirmedShareUsd += l.monthlyUsd.expected;
    });
    const evidence = {
      monthlyUsd: m,
      budgetUsd: budget,
      largestLines: top.map(costLineEvidence),
      unconfirmedShareUsd,
      warnings: cost.warnings,
    };
    const findings: Finding[] = [];
    const unpricedAt = addressesOf(cost.unpriced);
    // Unpriced usage can only add cost: priced lines already over the budget fail regardless.
    if (cost.unpriced.length > 0 && m.expected > budget) {
      findings.push({
        status: 'fail',
        observed: `${fmtUsd(m.expected)}/month expected from the priced lines alone, plus ${unpricedAt.length} unpriced resource(s)`,
        expected: `<= ${fmtUsd(budget)}/month`,
        message: `the priced lines alone (${fmtUsd(m.expected)}) exceed the budget ${fmtUsd(budget)} by ${fmtUsd(m.expected - budget)}, before ${unpricedAt.join(', ')} (unpriced); largest lines: ${lineText(top)}`,
        fix: `${cutFix(m.expected - budget, top)}; and price ${unpricedAt.join(', ')}`,
        evidence: { ...evidence, unpriced: cost.unpriced },
      });
      return findings;
    }
    if (cost.unpriced.length > 0) {
      findings.push({
        status: 'unknown',
        observed: `${unpricedAt.length} unpriced resource(s)`,
        expected: 'every billed resource priced',
        message: `cost unknown: ${cost.unpriced.map((u) => `${u.address} (${u.reason})`).join('; ')}`,
        fix: unpricedFix(cost.unpriced),
        evidence,
      });
      return findings;
    }
    if (m.expected > budget) {
      findings.push({
        status: 'fail',
        observed: `${fmtUsd(m.expected)}/month expected (${fmtUsd(m.min)}..${fmtUsd(m.max)})`,
        expected: `<= ${fmtUsd(budget)}/month`,
        message: `expected monthly cost ${fmtUsd(m.expected)} exceeds the budget ${fmtUsd(budget)} by ${fmtUsd(m.expected - budget)}; largest lines: ${lineText(top)}`,
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

/** The largest lines with their amounts (named only in a failing message). */
function lineText(top: readonly CostLine[]): string {
  return top.map((l) => `${l.address} ${l.item} ${fmtUsd(l.monthlyUsd.expected)}`).join('; ');
}

/**
 * The `count` lines of largest expected cost, largest first, ties in their order: what a stable
 * sort by expected cost (descending) puts first, without sorting every line. Lines whose figures
 * are not all finite numbers (which a comparator cannot order consistently) are sorted as before.
 */
function largestLines(lines: readonly CostLine[], count: number): CostLine[] {
  if (!lines.every((l) => Number.isFinite(l.monthlyUsd.expected))) return [...lines].sort((a, b) => b.monthlyUsd.expected - a.monthlyUsd.expected).slice(0, count);
  const top: CostLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    // After every kept line at least as large (a later line never passes an equal earlier one).
    let at = top.length;
    while (at > 0 && top[at - 1].monthlyUsd.expected < l.monthlyUsd.expected) at--;
    if (at >= count) continue;
    top.splice(at, 0, l);
    if (top.length > count) top.pop();
  }
  return top;
}

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

type Unpriced = { address: string; reason: string }[];

/** Each unpriced resource once (a resource can leave several lines unpriced: one per cluster, say). */
function addressesOf(unpriced: Unpriced): string[] {
  return [...new Set(unpriced.map((u) => u.address))];
}

/** Values pending until apply are written as literals; anything else needs a price or the usage. */
function unpricedFix(unpriced: Unpriced): string {
  const pending = unpriced.filter((u) => /pending|after apply/.test(u.reason));
  const priceOrUsage = 'add a price model or a regional price to verification/data/prices.json, or give the missing usage in a usage file (--usage)';
  if (pending.length === 0) return priceOrUsage;
  const literals = `write the values known only after apply as literals (${[...new Set(pending.map((u) => u.reason))].join('; ')})`;
  return pending.length === unpriced.length ? literals : `${literals}; for the others, ${priceOrUsage}`;
}
