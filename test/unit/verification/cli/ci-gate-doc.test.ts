/**
 * docs/ci-gate.md as a user copies it: the workflow's verify step runs as written on a
 * fixture plan, and the paths and files it names are the ones the project produces.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { stackName } from '../../../../stacks/pipeline-stack';
import { loadWaiversFile } from '../../../../verification/waivers/load';
import { fixture } from '../helpers';

const ROOT = join(__dirname, '..', '..', '..', '..');
const doc = readFileSync(join(ROOT, 'docs', 'ci-gate.md'), 'utf8');

interface Step {
  name?: string;
  id?: string;
  run?: string;
  'working-directory'?: string;
  if?: string;
}
interface Workflow {
  jobs: { verify: { env: Record<string, string>; steps: Step[] } };
}

function workflow(): Workflow {
  const block = /```yaml\n([\s\S]*?)```/.exec(doc);
  if (!block) throw new Error('docs/ci-gate.md has no yaml block');
  return parse(block[1]) as Workflow;
}

describe('docs/ci-gate.md', () => {
  const job = workflow().jobs.verify;
  const step = (name: string) => job.steps.find((s) => s.name === name || s.run === name)!;

  it('plans in the folder the synth writes, against remote state', () => {
    expect(step('npm run synth -- prod')).toBeDefined();
    const expected = `cdktf.out/stacks/${stackName('prod')}`;
    expect(job.env.STACK).toBe(expected);
    const plan = step('terraform plan');
    expect(plan['working-directory']).toBe(expected);
    // The synthesized local backend is replaced, or the plan starts from empty state.
    expect(plan.run).toContain(`echo '{"terraform": {"backend": {"gcs": {}}}}' > backend_override.tf.json`);
    expect(JSON.parse(/echo '(.*)' > backend_override/.exec(plan.run!)![1])).toEqual({ terraform: { backend: { gcs: {} } } });
    expect(plan.run).toContain('terraform show -json plan.tfplan > plan.json');
  });

  it('names a waivers file that exists and loads', () => {
    const named = [...step('verify').run!.matchAll(/--waivers (\S+)/g)].map((m) => m[1]);
    expect(new Set(named)).toEqual(new Set(['verification-waivers.yaml']));
    expect(loadWaiversFile(join(ROOT, 'verification-waivers.yaml'))).toEqual([]);
  });

  it('runs the verify step as written: both reports written, the worse exit code recorded', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ci-gate-'));
    // The workflow runs at the repository root: `npm run verify`, the waivers file, $STACK.
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const verifyScript = pkg.scripts.verify.replace(/^tsx /, `${join(ROOT, 'node_modules', '.bin', 'tsx')} `).replace(' verification/', ` ${ROOT}/verification/`);
    writeFileSync(join(cwd, 'package.json'), JSON.stringify({ name: 'ci-gate-test', private: true, scripts: { verify: verifyScript } }));
    copyFileSync(join(ROOT, 'verification-waivers.yaml'), join(cwd, 'verification-waivers.yaml'));
    const stackDir = join(cwd, job.env.STACK);
    mkdirSync(stackDir, { recursive: true });
    copyFileSync(fixture('plan-delete-bigquery-table.json'), join(stackDir, 'plan.json'));
    copyFileSync(fixture('spec.json'), join(stackDir, 'spec.json'));
    const output = join(cwd, 'github-output');
    writeFileSync(output, '');
    const r = spawnSync('bash', ['-e', '-c', step('verify').run!], {
      cwd,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, ...job.env, GITHUB_OUTPUT: output, FORCE_COLOR: '0' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The fixture plan deletes a BigQuery table: violations, exit 1.
    expect(readFileSync(output, 'utf8')).toBe('exit=1\n');
    const sarif = JSON.parse(readFileSync(join(cwd, 'reports', 'verify.sarif'), 'utf8')) as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.map((x) => x.ruleId)).toContain('stateful-resource-not-destroyed');
    expect(readFileSync(join(cwd, 'reports', 'verify.md'), 'utf8')).toMatch(/^## Verification: ❌ FAIL \(/);
  }, 120_000);
});
