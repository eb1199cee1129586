/**
 * The CLI as a user runs it (`npx tsx verification/cli/main.ts`): exit codes and one-line
 * errors. Spawning is slow, so only a few cases here; the rest is tested in process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../../verification/cli/run';
import { fixture } from '../helpers';

const ROOT = join(__dirname, '..', '..', '..', '..');

function spawnVerify(args: string[]) {
  const r = spawnSync('npx', ['tsx', 'verification/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function inProcess(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false, cwd: ROOT });
  return { code, stdout, stderr };
}

describe('verify CLI (spawned)', () => {
  it('exits 1 with the report when the plan has violations', () => {
    const r = spawnVerify([fixture('plan-delete-bigquery-table.json'), '--spec', fixture('spec.json'), '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { verdict: string; results: { rule: string; status: string }[] };
    expect(report.verdict).toBe('fail');
    expect(report.results.find((x) => x.rule === 'stateful-resource-not-destroyed')!.status).toBe('fail');
  });

  it('exits 2 with one line and no stack trace for bad input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const truncated = join(dir, 'plan.json');
    writeFileSync(truncated, '{"format_version": "1.2", "resource_changes": [');
    const r = spawnVerify([truncated, '--spec', fixture('spec.json')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`error: ${truncated}: not valid JSON`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on a usage error and 0 for --help', () => {
    const bad = spawnVerify([fixture('spec.json'), '--format', 'pdf']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain("option '-f, --format <format>' argument 'pdf' is invalid");
    const help = spawnVerify(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: verify [options] <path>');
  });
});

describe('verify CLI (in process)', () => {
  it('writes the report to --out and prints the verdict line', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cli-')), 'reports', 'verify.sarif');
    const r = inProcess([fixture('plan-replace-bigtable-instance.json'), '--spec', fixture('spec.json'), '--format', 'sarif', '--out', out, '--today', '2026-12-03']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`verdict: FAIL (sarif report written to ${out})\n`);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { version: string }).version).toBe('2.1.0');
  });

  it.each([
    [['--spec', 'x.json'], "error: missing required argument 'path'"],
    [[fixture('plan-delete-bigquery-table.json')], 'no spec found (no spec.json beside the input); pass one with --spec'],
    [[fixture('synth-folder'), '--env', 'staging'], 'no stack for environment staging'],
    [[fixture('synth-folder'), '--waivers', fixture('missing.yaml')], 'no such waivers file'],
    [[fixture('synth-folder'), '--today', '3 Dec'], '--today 3 Dec: expected YYYY-MM-DD'],
    [[fixture('synth-folder'), '--spec', fixture('plan-sensitive.json')], 'invalid spec at version'],
    [[fixture('plan-errored.json'), '--spec', fixture('spec.json')], 'the plan errored ("errored": true)'],
  ])('exits 2 with one line for %j', (args, part) => {
    const r = inProcess(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(part);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('reads a usage file and an expired waiver fails the run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const usage = join(dir, 'usage.yaml');
    writeFileSync(usage, 'resources:\n  google_pubsub_topic.telemetry: { eventsPerSecond: 10 }\n');
    const waivers = join(dir, 'waivers.yaml');
    writeFileSync(waivers, 'waivers:\n  - rule: dead-letter-policy-present\n    address: "*"\n    reason: migration in progress\n    expires: 2026-11-30\n');
    const r = inProcess([fixture('synth-folder'), '--usage', usage, '--waivers', waivers, '--format', 'json', '--today', '2026-12-03']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { results: { rule: string; status: string }[] };
    expect(report.results.find((x) => x.rule === 'waiver-expired')!.status).toBe('fail');
  });
});
