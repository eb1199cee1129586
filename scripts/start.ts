/**
 * `npm start`: the main job. Synthesizes an environment (prod by default) through the
 * verification gate, prints the whole verification story (spec, architecture, verdicts,
 * performance, cost, patterns, recommendations, the cheapest compliant sizing), then runs the
 * pipeline locally for a short while and prints what it measured beside the prediction.
 *
 * Exit codes: 0 when the environment passes verification (and the local run, when it runs,
 * completes), 1 when it does not, 2 on bad usage (one line).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ENVIRONMENT_NAMES, UnknownEnvironmentError } from '../stacks/config';
import { synthesizeEnvironment, VerificationFailedError } from '../stacks/synth-environment';
import { runCli } from '../verification/cli/run';

process.env['CHECKPOINT_DISABLE'] ??= '1';
process.env['METADATA_SERVER_DETECTION'] ??= 'none';

interface StartOptions {
  env: string;
  local: boolean;
  duration: number;
  rate?: number;
  burst?: number;
  synthesize: boolean;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${value} is not a positive number`);
  return n;
}

function parseArgs(argv: string[]): StartOptions | number {
  let usage = '';
  const program = new Command()
    .name('start')
    .description('Synthesize, verify and report an environment, then measure the pipeline locally.')
    .option('--env <name>', `environment (${ENVIRONMENT_NAMES.join(', ')})`, 'prod')
    .option('--no-local', 'skip the short local pipeline run after the report')
    .option('--duration <seconds>', 'length of the local run', positiveNumber, 20)
    .option('--rate <eventsPerSecond>', 'sustained rate of the local run (default: the spec workload)', positiveNumber)
    .option('--burst <eventsPerSecond>', 'burst rate of the local run (default: the spec workload)', positiveNumber)
    .option('--no-synthesize', 'skip the search for the cheapest compliant sizing')
    .exitOverride()
    .configureOutput({ writeOut: (t) => process.stdout.write(t), writeErr: (t) => (usage += t) });
  try {
    program.parse(argv.filter((a) => a !== '--'), { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0;
      process.stderr.write(`${(usage || e.message).replace(/\s*\n\s*/g, ' ').trim()}\n`);
      return 2;
    }
    throw e;
  }
  return program.opts<StartOptions>();
}

/** Synthesizes through the gate; a rejected environment is re-synthesized without the gate into a scratch folder, only so the report can explain it. */
function synthesize(env: string): { stackDir: string; gatePassed: boolean } {
  try {
    return { stackDir: synthesizeEnvironment(env).stackDir, gatePassed: true };
  } catch (error) {
    if (!(error instanceof VerificationFailedError)) throw error;
    const scratch = mkdtempSync(join(tmpdir(), `iot-rejected-${env}-`));
    const rejected = synthesizeEnvironment(env, { outdir: scratch, verification: { skip: true, warn: () => undefined } });
    process.stdout.write(`The verification gate rejected ${env}: nothing was written to cdktf.out. The report below explains why (scratch copy: ${rejected.stackDir}).\n\n`);
    return { stackDir: rejected.stackDir, gatePassed: false };
  }
}

/** The short local run: returns whether it finished with nothing lost (hot store and archive) or double-counted. */
async function runLocal(options: StartOptions, stackDir: string): Promise<boolean> {
  const local = await import('../local/run');
  const measurement = await local.runLocalPipeline({
    env: options.env,
    stackDir,
    duration: options.duration,
    burstSeconds: Math.max(2, Math.round(options.duration / 6)),
    ...(options.rate ? { rate: options.rate } : {}),
    ...(options.burst ? { burst: options.burst } : {}),
  });
  process.stdout.write(`${local.formatMeasurement(measurement)}\n`);
  // Not counted is not proven: the archive must have been counted and be complete.
  const archiveComplete = measurement.archived !== null && measurement.archived.missing === 0;
  return !measurement.interrupted && measurement.lost === 0 && measurement.doubleCounted === 0 && archiveComplete;
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === 'number') return parsed;
  let synthResult: { stackDir: string; gatePassed: boolean };
  try {
    synthResult = synthesize(parsed.env);
  } catch (error) {
    if (error instanceof UnknownEnvironmentError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const cliArgs = [synthResult.stackDir, ...(parsed.synthesize ? ['--synthesize'] : [])];
  const verifyExit = runCli(cliArgs);
  if (verifyExit === 2) return 2;
  const passed = verifyExit === 0 && synthResult.gatePassed;
  if (!parsed.local) return passed ? 0 : 1;
  if (!passed) {
    process.stdout.write('\nSkipping the local run: the environment does not pass verification.\n');
    return 1;
  }
  process.stdout.write(`\n── Local run (${parsed.duration} s, the spec measured on this machine; --no-local skips it) ──\n`);
  const completed = await runLocal(parsed, synthResult.stackDir);
  return completed ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
