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

/** A plan fixture copied into a folder of its own, with no spec.json beside it. */
function planWithoutSpec(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cli-')), 'plan.json');
  writeFileSync(file, readFileSync(fixture('plan-delete-bigquery-table.json')));
  return file;
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

  it('a reader that closes the pipe early (| head -c 100) gets no stack trace: the exit code is still the verdict', () => {
    // Through a shell pipe, as a user types it (a report larger than the 64 KiB pipe buffer); PIPESTATUS gives the verifier's own code.
    const cmd = `npx tsx verification/cli/main.ts ${fixture('synth-hand-written/cdk.tf.json')} --spec ${fixture('spec.json')} --format json | head -c 100 >/dev/null; echo "code=\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', cmd], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout.trim()).toBe('code=1');
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
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
    [[planWithoutSpec()], 'no spec found (no spec.json beside the input); pass one with --spec'],
    [[fixture('synth-folder'), '--env', 'staging'], 'no stack for environment staging'],
    // One stack's folder judged as another environment: its spec says prod.
    [[fixture('plan-delete-bigquery-table.json'), '--spec', fixture('spec.json'), '--env', 'dev'], '--env dev but the spec given is for prod'],
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

  it('a waiver for a mistyped rule id exits 2 naming the nearest id (it would waive nothing)', () => {
    const waivers = join(mkdtempSync(join(tmpdir(), 'cli-')), 'waivers.yaml');
    writeFileSync(waivers, 'waivers:\n  - {rule: dead-leter-policy-present, address: "*", reason: migration in progress, expires: 2099-01-31}\n');
    const r = inProcess([fixture('synth-folder'), '--waivers', waivers]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`error: ${waivers}: invalid waivers file: entry 0: no rule has the id dead-leter-policy-present (did you mean dead-letter-policy-present?); the ids are listed in docs/rules.md`);
  });

  it('says so when the spec given is for another environment than the one beside the input', () => {
    const spec = JSON.parse(readFileSync(fixture('spec.json'), 'utf8')) as { environment: string };
    const file = join(mkdtempSync(join(tmpdir(), 'cli-')), 'staging-spec.json');
    writeFileSync(file, JSON.stringify({ ...spec, environment: 'staging' }));
    const r = inProcess([fixture('synth-folder'), '--spec', file, '--format', 'json', '--no-advice']);
    const report = JSON.parse(r.stdout) as { warnings: string[]; spec: { environment: string } };
    expect(report.spec.environment).toBe('staging');
    expect(report.warnings).toContainEqual(expect.stringMatching(/judged against the spec given \(staging\), not the spec beside the input \(prod\)$/));
    // The spec beside the input, or one of the same environment: nothing to say.
    const same = inProcess([fixture('synth-folder'), '--format', 'json', '--no-advice']);
    expect((JSON.parse(same.stdout) as { warnings: string[] }).warnings.join('\n')).not.toContain('judged against');
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

describe('verify CLI: bad dates, output paths and input bytes', () => {
  const plan = fixture('plan-delete-bigquery-table.json');
  const spec = fixture('spec.json');

  it.each(['2026-13-45', '2026-02-30', '2026-00-10'])('--today %s is not a calendar date: exit 2', (day) => {
    const r = inProcess([plan, '--spec', spec, '--today', day]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: --today ${day}: not a calendar date (expected YYYY-MM-DD)\n`);
  });

  it('--out naming a folder, or a path under a file, is one clear line (no internal error)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-out-'));
    const asDir = inProcess([plan, '--spec', spec, '--out', dir]);
    expect(asDir.code).toBe(2);
    expect(asDir.stderr).toBe(`error: --out ${dir}: is a folder; give a file path\n`);
    const file = join(dir, 'file.txt');
    writeFileSync(file, 'x');
    const under = inProcess([plan, '--spec', spec, '--out', join(file, 'sub', 'r.json')]);
    expect(under.code).toBe(2);
    expect(under.stderr).toBe(`error: --out ${join(file, 'sub', 'r.json')}: ${file} is a file, not a folder\n`);
  });

  it('--out where no folder can be made fails at once instead of hanging', () => {
    const started = Date.now();
    const r = inProcess([plan, '--spec', spec, '--out', '/proc/nope/x.txt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --out /proc/nope/x.txt: cannot create folder /proc/nope (ENOENT)\n');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a change whose after is not an object is bad input, not pending', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const bad = join(dir, 'plan.json');
    const doc = JSON.parse(readFileSync(fixture('plan-replace-bigtable-instance.json'), 'utf8')) as { resource_changes: { change: { after: unknown } }[] };
    doc.resource_changes[1].change.after = 'oops';
    writeFileSync(bad, JSON.stringify(doc));
    const r = inProcess([bad, '--spec', spec]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: ${bad}: resource_changes[1].change.after must be an object or null, found a string\n`);
  });

  it('control bytes from the input never reach the terminal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const binary = join(dir, 'bin\u001b[31m.json');
    writeFileSync(binary, Buffer.from([0x7b, 0x01, 0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x9b, 0x0d]));
    const r = inProcess([binary, '--spec', spec]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(r.stderr).toContain('bin\\x1b[31m.json');
  });
});

describe('verify CLI: where the input and its side files come from', () => {
  it('reads spec.json beside a plan, as beside a synthesized stack', () => {
    const r = inProcess([fixture('plan-delete-bigquery-table.json'), '--format', 'json', '--today', '2026-12-03']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { spec: { environment: string }; results: { rule: string; status: string }[] };
    expect(report.spec.environment).toBe('prod');
    expect(report.results.find((x) => x.rule === 'stateful-resource-not-destroyed')!.status).toBe('fail');
  });

  it('reads a plan from a pipe (terraform show -json tfplan | verify /dev/stdin)', () => {
    const cmd = `cat ${fixture('plan-delete-bigquery-table.json')} | npx tsx verification/cli/main.ts /dev/stdin --spec ${fixture('spec.json')} --format json --today 2026-12-03 | head -c 1000000 | grep -c stateful-resource-not-destroyed; echo "code=\${PIPESTATUS[1]}"`;
    const r = spawnSync('bash', ['-c', cmd], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^[1-9]/), 'code=1']);
  });

  it('a device is refused by name, not read as an empty file (or forever)', () => {
    const r = inProcess(['/dev/zero']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: /dev/zero: not a file or a pipe (a character device), expected a Terraform JSON file');
  });

  it('a manifest naming a stack outside the synth folder is refused (its file is not read)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ stacks: { x: { synthesizedStackPath: '../../etc/passwd' } } }));
    const r = inProcess([folder]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`error: ${join(folder, 'manifest.json')}: stack x: ../../etc/passwd is outside the synth folder`);
  });

  it('waivers and usage files: missing, empty and too deep read the same way', () => {
    const folder = mkdtempSync(join(tmpdir(), 'cli-'));
    const empty = join(folder, 'empty.yaml');
    writeFileSync(empty, '');
    let deep = 'x: 1';
    for (let i = 0; i < 3000; i++) deep = `a:\n${deep.replace(/^/gm, '  ')}`;
    const deepFile = join(folder, 'deep.yaml');
    writeFileSync(deepFile, deep);
    for (const flag of ['--waivers', '--usage']) {
      const what = flag.slice(2);
      expect(inProcess([fixture('synth-folder'), flag, join(folder, 'none.yaml')]).stderr.trim()).toBe(`error: ${join(folder, 'none.yaml')}: no such ${what} file`);
      expect(inProcess([fixture('synth-folder'), flag, deepFile]).stderr.trim()).toBe(`error: ${deepFile}: YAML nested deeper than 200 levels`);
      // An empty file says nothing: the same verdict as without it.
      expect(inProcess([fixture('synth-folder'), flag, empty, '--today', '2026-12-03']).code).toBe(inProcess([fixture('synth-folder'), '--today', '2026-12-03']).code);
    }
  });
});

