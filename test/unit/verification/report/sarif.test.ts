/**
 * SARIF 2.1.0 structure as GitHub code scanning reads it: the properties the schema requires,
 * its enumerations, rule indexes, locations and fingerprints that tell findings apart.
 */
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { verifyPath } from '../../../../verification/engine/verify';
import { buildSarif } from '../../../../verification/report/sarif';
import { RULES } from '../../../../verification/rules';
import { fixture, SPEC, TODAY } from '../helpers';

const LEVELS = ['none', 'note', 'warning', 'error'];
const KINDS = ['notApplicable', 'pass', 'fail', 'review', 'open', 'informational'];
const SUPPRESSION_KINDS = ['inSource', 'external'];
const SUPPRESSION_STATUSES = ['accepted', 'underReview', 'rejected'];

/** Every way a log departs from the SARIF 2.1.0 schema (and GitHub's use of it) that matters here. */
function sarifProblems(log: Sarif.Log): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  need(log.version === '2.1.0', 'version must be "2.1.0"');
  need(typeof log.$schema === 'string', '$schema');
  need(Array.isArray(log.runs) && log.runs.length > 0, 'runs');
  (log.runs ?? []).forEach((run, ri) => {
    const driver = run.tool?.driver;
    need(typeof driver?.name === 'string' && driver.name !== '', `runs[${ri}].tool.driver.name`);
    const rules = driver?.rules ?? [];
    const ids = rules.map((r) => r.id);
    need(new Set(ids).size === ids.length, `runs[${ri}] rule ids are unique`);
    rules.forEach((r, i) => {
      need(typeof r.id === 'string' && r.id !== '', `rules[${i}].id`);
      const level = r.defaultConfiguration?.level;
      need(level === undefined || LEVELS.includes(level), `rules[${i}].defaultConfiguration.level ${String(level)}`);
    });
    const fingerprints = new Set<string>();
    (run.results ?? []).forEach((res, i) => {
      const at = `runs[${ri}].results[${i}]`;
      need(typeof res.message?.text === 'string' && res.message.text !== '', `${at}.message.text`);
      need(res.level === undefined || LEVELS.includes(res.level), `${at}.level ${String(res.level)}`);
      need(res.kind === undefined || KINDS.includes(res.kind), `${at}.kind`);
      need(Number.isInteger(res.ruleIndex) && res.ruleIndex! >= 0 && res.ruleIndex! < rules.length, `${at}.ruleIndex in range`);
      need(rules[res.ruleIndex ?? -1]?.id === res.ruleId, `${at}.ruleIndex points at ruleId ${res.ruleId}`);
      need(Array.isArray(res.locations) && res.locations.length > 0, `${at}.locations`);
      for (const loc of res.locations ?? []) {
        const a = loc.physicalLocation?.artifactLocation;
        need(typeof a?.uri === 'string' && a.uri !== '', `${at} artifactLocation.uri`);
        const uri = a?.uri ?? '';
        if (a?.uriBaseId !== undefined) {
          need(!/^[a-z]+:/i.test(uri) && !uri.startsWith('/'), `${at} uri ${uri} under ${a.uriBaseId} must be relative`);
          need(!uri.split('/').includes('..'), `${at} uri ${uri} climbs out of its base`);
        } else {
          need(/^file:\/\//.test(uri), `${at} uri ${uri} without a base must be an absolute file URI`);
        }
        need(!/[\s#?]/.test(uri), `${at} uri ${uri} is percent-encoded`);
        const line = loc.physicalLocation?.region?.startLine;
        need(line === undefined || (Number.isInteger(line) && line >= 1), `${at} region.startLine`);
      }
      const fp = res.partialFingerprints ?? {};
      need(Object.values(fp).every((v) => typeof v === 'string'), `${at}.partialFingerprints values are strings`);
      const key = `${res.ruleId}\u0000${JSON.stringify(fp)}`;
      need(!fingerprints.has(key), `${at} fingerprint ${JSON.stringify(fp)} repeats another result's`);
      fingerprints.add(key);
      for (const sup of res.suppressions ?? []) {
        need(SUPPRESSION_KINDS.includes(sup.kind), `${at}.suppressions kind`);
        need(sup.status === undefined || SUPPRESSION_STATUSES.includes(sup.status), `${at}.suppressions status`);
      }
    });
  });
  return problems;
}

const readSource = (file: string) => readFileSync(file, 'utf8');
const replaced = verifyPath(fixture('plan-replace-bigtable-instance.json'), { spec: SPEC, today: TODAY });

describe('SARIF structure', () => {
  it('validates for a plan with several findings per rule and resource (RPO, RTO per scenario)', () => {
    const log = buildSarif(replaced, { rules: RULES, baseDir: process.cwd(), readSource });
    expect(sarifProblems(log)).toEqual([]);
    // The case that collided: one rule, one resource, three scenarios.
    const rpo = log.runs[0].results!.filter((r) => r.ruleId === 'rpo-within-bound' && r.message.text!.includes('google_bigtable_instance.hot'));
    expect(rpo.length).toBeGreaterThan(1);
    expect(new Set(rpo.map((r) => r.partialFingerprints!.verifierFinding)).size).toBe(rpo.length);
  });

  it('keeps a fingerprint when only a figure in the message changes', () => {
    const a = clone(replaced);
    const b = clone(replaced);
    const i = b.results.findIndex((r) => r.status === 'fail' && /\d/.test(r.message) && r.evidence?.scenario === undefined);
    expect(i).toBeGreaterThanOrEqual(0);
    b.results[i].message = b.results[i].message.replace(/\d+/, (d) => String(Number(d) + 7));
    const fp = (log: Sarif.Log) => log.runs[0].results!.map((r) => r.partialFingerprints!.verifierFinding);
    expect(fp(buildSarif(b, { rules: RULES }))).toEqual(fp(buildSarif(a, { rules: RULES })));
  });

  it('an input outside the repository gets an absolute file URI, not ../../', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sarif in '));
    const plan = join(dir, 'plan.json');
    copyFileSync(fixture('plan-delete-bigquery-table.json'), plan);
    const log = buildSarif(verifyPath(plan, { spec: SPEC, today: TODAY }), { rules: RULES, baseDir: process.cwd(), readSource });
    expect(sarifProblems(log)).toEqual([]);
    const loc = log.runs[0].results![0].locations![0].physicalLocation!.artifactLocation!;
    expect(loc).toEqual({ uri: `file://${dir.split('/').map(encodeURIComponent).join('/')}/plan.json` });
  });

  it('the validator catches what it checks', () => {
    const log = buildSarif(replaced, { rules: RULES, baseDir: process.cwd() });
    const broken = clone(log);
    const [first, second] = broken.runs[0].results!;
    first.ruleIndex = 9999;
    first.level = 'fatal' as Sarif.Result.level;
    second.partialFingerprints = first.partialFingerprints;
    second.ruleId = first.ruleId;
    second.locations![0].physicalLocation!.artifactLocation!.uri = '../../tmp/plan.json';
    expect(sarifProblems(broken)).toEqual(
      expect.arrayContaining([
        'runs[0].results[0].level fatal',
        'runs[0].results[0].ruleIndex in range',
        expect.stringMatching(/^runs\[0\]\.results\[1\] fingerprint .* repeats another result's$/),
        'runs[0].results[1] uri ../../tmp/plan.json climbs out of its base',
      ]),
    );
  });
});

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
