/**
 * Applying waivers to rule results. A current waiver turns a fail or unknown into waived;
 * an expired one applies to nothing and is itself an error-severity failure.
 */
import type { RuleResult, Waiver } from '../engine/types';
import type { SpecItemId } from '../spec/spec';

export const EXPIRED_WAIVER_RULE = 'waiver-expired';

export interface WaiverOutcome {
  results: RuleResult[];
  warnings: string[];
}

export function applyWaivers(
  results: RuleResult[],
  waivers: readonly Waiver[],
  today: string,
  ruleSpecItems: ReadonlyMap<string, SpecItemId>,
): WaiverOutcome {
  const warnings: string[] = [];
  const used = new Set<Waiver>();
  const current = waivers.filter((w) => w.expires >= today);
  const out = results.map((r) => {
    if (r.status !== 'fail' && r.status !== 'unknown') return r;
    const w = current.find((x) => x.rule === r.rule && (x.address === '*' || x.address === r.address));
    if (!w) return r;
    used.add(w);
    return { ...r, status: 'waived' as const, waiver: { reason: w.reason, expires: w.expires } };
  });
  for (const w of waivers) {
    if (!ruleSpecItems.has(w.rule)) warnings.push(`waiver for ${w.rule} at ${w.address}: no rule has that id`);
    if (w.expires < today) {
      out.push({
        rule: EXPIRED_WAIVER_RULE,
        title: 'Waivers are current',
        severity: 'error',
        specItem: ruleSpecItems.get(w.rule) ?? 'security',
        status: 'fail',
        address: w.address === '*' ? undefined : w.address,
        observed: w.expires,
        expected: `on or after ${today}`,
        message: `waiver for ${w.rule} at ${w.address} expired on ${w.expires} (reason given: ${w.reason})`,
        fix: `fix what ${w.rule} reports, or renew the waiver with a new expiry and a current reason`,
      });
    } else if (!used.has(w)) {
      warnings.push(`waiver for ${w.rule} at ${w.address} matched no failing result; remove it`);
    }
  }
  return { results: out, warnings };
}
