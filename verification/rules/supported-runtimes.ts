/**
 * Node.js runtimes of functions (and runtime-tagged Cloud Run images) are not decommissioned
 * on the verification date (verification/data/runtimes.json: nodejs20 decommissioned
 * 2026-10-30). Deprecated ones pass with a warning in the message.
 */
import type { Finding, Rule } from '../engine/types';
import type { Resource } from '../graph/types';
import { readAttr } from '../graph/values';
import { loadVerifierData } from '../data';
import { textOf } from './support/evidence';
import { forEachPiece } from './support/text';

const RUNTIME_TYPES = ['google_cloudfunctions_function', 'google_cloudfunctions2_function', 'google_cloud_run_v2_service'];
const NODEJS_RUNTIME = /\bnodejs\d+\b/g;

function runtimesOf(r: Resource): string[] {
  switch (r.type) {
    case 'google_cloudfunctions_function':
      return [textOf(readAttr(r, 'runtime'))].filter(Boolean);
    case 'google_cloudfunctions2_function':
      return [textOf(readAttr(r, 'build_config.runtime'))].filter(Boolean);
    case 'google_cloud_run_v2_service': {
      // Source deploys name a base image; built images often carry the runtime in their tag.
      // The runtimes named in textOf(containers) + textOf(build_config), in order, each once; the
      // text is searched piece by piece (only pieces naming nodejs), not built.
      const found: string[] = [];
      forEachPiece(readAttr(r, 'template.containers'), readAttr(r, 'build_config'), (piece) => {
        if (!piece.includes('nodejs')) return;
        NODEJS_RUNTIME.lastIndex = 0;
        for (let m = NODEJS_RUNTIME.exec(piece); m !== null; m = NODEJS_RUNTIME.exec(piece)) if (!found.includes(m[0])) found.push(m[0]);
      });
      return found;
    }
    default:
      return [];
  }
}

export const rule: Rule = {
  id: 'supported-runtimes',
  title: 'No decommissioned function runtimes',
  severity: 'error',
  specItem: 'security',
  reads: ['google_cloudfunctions_function', 'google_cloudfunctions2_function', 'google_cloud_run_v2_service'],
  rationale: 'A decommissioned runtime cannot be deployed and receives no security patches. Judged on the verification date (--today, default the current UTC date), so `--today 2027-11-15` shows what fails after a decommission date.',
  check(ctx) {
    const data = loadVerifierData();
    // The verification date (--today), so a verdict can be reproduced and checked ahead of a decommission date.
    const today = ctx.today;
    const findings: Finding[] = [];
    for (const r of ctx.graph.resources.filter((x) => RUNTIME_TYPES.includes(x.type))) {
      for (const runtime of runtimesOf(r)) {
        const entry = data.runtimes.runtimes[runtime];
        const evidence = { verifiedOn: today ?? null, source: data.runtimes.source, asOf: data.runtimes.asOf, confidence: entry?.confidence ?? data.runtimes.confidence };
        if (today === undefined) {
          findings.push({ status: 'unknown', address: r.address, observed: runtime, expected: 'a supported runtime on the verification date', message: `${r.address}: ${runtime} cannot be judged without a verification date`, fix: 'run the verifier with --today YYYY-MM-DD', evidence });
          continue;
        }
        if (!entry) {
          findings.push({ status: 'unknown', address: r.address, observed: runtime, expected: 'a runtime listed in runtimes.json', message: `${r.address}: runtime ${runtime} has no support dates in the data files`, fix: 'use nodejs22 or nodejs24, or add the runtime\'s dates to verification/data/runtimes.json', evidence });
          continue;
        }
        if (today >= entry.decommissioned) {
          findings.push({ status: 'fail', address: r.address, observed: `${runtime} (decommissioned ${entry.decommissioned})`, expected: 'a supported runtime', message: `${r.address} uses ${runtime}, decommissioned on ${entry.decommissioned}: it cannot be deployed`, fix: 'move to nodejs22 or nodejs24', evidence });
        } else {
          const deprecated = today >= entry.deprecated;
          findings.push({ status: 'pass', address: r.address, observed: runtime, expected: 'a supported runtime', message: deprecated ? `${r.address} uses ${runtime}: deprecated since ${entry.deprecated}, decommissioned on ${entry.decommissioned}; plan the upgrade` : `${r.address} uses ${runtime}, supported until ${entry.deprecated}`, evidence });
        }
      }
    }
    if (findings.length === 0) findings.push({ status: 'pass', observed: 'no function runtime declared', expected: 'supported runtimes', message: 'no function runtime or runtime-tagged image in the graph' });
    return findings;
  },
};
