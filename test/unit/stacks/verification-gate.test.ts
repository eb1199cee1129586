import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesizeEnvironment, VerificationFailedError } from '../../../stacks/synth-environment';
import { SKIP_VERIFY_ENV, verificationSkipped, type VerificationEngine } from '../../../stacks/verification-gate';
import type { VerificationReport } from '../../../verification/engine/types';
import type { Spec } from '../../../verification/spec/spec';

/** A stub verifier with a fixed verdict that records what the gate passed it. */
function stubEngine(verdict: 'pass' | 'fail') {
  const calls: { doc: any; spec: Spec; sourcePath?: string }[] = [];
  const engine: VerificationEngine = {
    verifyTerraformJson(doc, options) {
      calls.push({ doc, spec: options.spec, ...(options.sourcePath ? { sourcePath: options.sourcePath } : {}) });
      return { verdict, results: [] } as unknown as VerificationReport;
    },
    renderReport: (report, format) => `STUB REPORT ${report.verdict} (${format})`,
  };
  return { engine, calls };
}

const outdirs: string[] = [];
function tempOutdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iot-synth-'));
  outdirs.push(dir);
  return dir;
}
afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

describe('verification gate', () => {
  it('verifies the stack\'s resolved Terraform JSON against its spec and writes spec.json beside cdk.tf.json on pass', () => {
    const { engine, calls } = stubEngine('pass');
    const outdir = tempOutdir();
    const result = synthesizeEnvironment('prod', { outdir, verification: { engine, skip: false } });

    expect(calls).toHaveLength(1);
    const { doc, spec, sourcePath } = calls[0]!;
    expect(spec.environment).toBe('prod');
    expect(sourcePath).toBe(path.join(outdir, 'stacks', 'iot-pipeline-prod', 'cdk.tf.json'));
    // Resolved: references are Terraform expressions, no unresolved CDK tokens.
    const text = JSON.stringify(doc);
    expect(text).not.toContain('TfToken');
    expect(Object.keys(doc.resource)).toContain('google_bigtable_instance');

    expect(fs.existsSync(result.terraformJsonPath)).toBe(true);
    const written = JSON.parse(fs.readFileSync(result.specPath, 'utf8'));
    expect(path.dirname(result.specPath)).toBe(path.dirname(result.terraformJsonPath));
    expect(path.basename(result.specPath)).toBe('spec.json');
    expect(written.constraints.monthlyBudgetUsd).toBe(8_000);
    expect(result.report?.verdict).toBe('pass');
  });

  it('fails app.synth with the rendered report when the verdict is fail, writing nothing for the stack', () => {
    const { engine } = stubEngine('fail');
    const outdir = tempOutdir();
    let caught: unknown;
    try {
      synthesizeEnvironment('first-proposal', { outdir, verification: { engine, skip: false } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VerificationFailedError);
    const failure = caught as VerificationFailedError;
    expect(failure.message).toContain('verification failed for environment "first-proposal"');
    expect(failure.message).toContain('STUB REPORT fail (table)');
    expect(failure.report?.verdict).toBe('fail');
    expect(fs.existsSync(path.join(outdir, 'stacks', 'iot-pipeline-first-proposal', 'cdk.tf.json'))).toBe(false);
  });

  it('removes an earlier synth of the stack when the gate now fails', () => {
    const outdir = tempOutdir();
    const passing = synthesizeEnvironment('dev', { outdir, verification: { engine: stubEngine('pass').engine, skip: false } });
    expect(fs.existsSync(passing.terraformJsonPath)).toBe(true);
    expect(() => synthesizeEnvironment('dev', { outdir, verification: { engine: stubEngine('fail').engine, skip: false } })).toThrow(
      VerificationFailedError,
    );
    expect(fs.existsSync(passing.terraformJsonPath)).toBe(false);
    expect(fs.existsSync(passing.specPath)).toBe(false);
  });

  it('skips only when told to, and says so loudly', () => {
    const { engine, calls } = stubEngine('fail');
    const warnings: string[] = [];
    const result = synthesizeEnvironment('dev', {
      outdir: tempOutdir(),
      verification: { engine, skip: true, warn: (message) => warnings.push(message) },
    });
    expect(calls).toHaveLength(0);
    expect(result.report).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('VERIFICATION SKIPPED for stack iot-pipeline-dev')]);
  });

  it('reads the skip switch from IOT_SKIP_VERIFY=1 only', () => {
    expect(SKIP_VERIFY_ENV).toBe('IOT_SKIP_VERIFY');
    expect(verificationSkipped({ IOT_SKIP_VERIFY: '1' })).toBe(true);
    expect(verificationSkipped({ IOT_SKIP_VERIFY: 'true' })).toBe(false);
    expect(verificationSkipped({})).toBe(false);
  });
});

describe('verification gate with the project verifier', () => {
  it('rejects the first proposal and reports all seven components', () => {
    let caught: unknown;
    try {
      synthesizeEnvironment('first-proposal', { outdir: tempOutdir(), verification: { skip: false } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VerificationFailedError);
    const report = (caught as VerificationFailedError).report!;
    expect(report.verdict).toBe('fail');
    expect(report.spec.environment).toBe('first-proposal');
    for (const component of report.components) expect(component.resources.length).toBeGreaterThan(0);
    expect(report.components.map((component) => component.id)).toEqual([
      'ingestion',
      'stream-processing',
      'hot-storage',
      'cold-storage',
      'analytics',
      'dashboard',
      'monitoring',
    ]);
  });
});
