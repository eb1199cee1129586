import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

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
