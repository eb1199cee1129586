import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { synthesizeEnvironment } from '../../../stacks/synth-environment';

const ROOT = path.resolve(__dirname, '../../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function runSynth(args: string[]) {
  return spawnSync(TSX, [path.join(ROOT, 'scripts', 'synth.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
}

describe('npm run synth', () => {
  it('rejects an unknown environment with exit 2 and one line naming the valid ones', () => {
    const result = runSynth(['staging']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('error: unknown environment "staging"; valid environments: dev, prod, first-proposal\n');
  });

  it('asks for exactly one environment', () => {
    const result = runSynth([]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('usage: npm run synth -- <environment>');
  });
});

describe('synthesizing several environments into one folder', () => {
  it('keeps every synthesized stack listed in manifest.json, so the verifier finds each by --env', () => {
    // In-process, gate off (this is about the folder, not the verdict).
    const outdir = mkdtempSync(path.join(tmpdir(), 'synth-many-'));
    const quiet = { skip: true, warn: () => undefined };
    synthesizeEnvironment('dev', { outdir, verification: quiet });
    synthesizeEnvironment('prod', { outdir, verification: quiet });
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string }> };
    expect(Object.keys(manifest.stacks).sort()).toEqual(['iot-pipeline-dev', 'iot-pipeline-prod']);
    expect(manifest.stacks['iot-pipeline-dev'].synthesizedStackPath).toBe('stacks/iot-pipeline-dev/cdk.tf.json');
  });
});
