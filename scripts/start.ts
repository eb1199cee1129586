/**
 * `npm start`: the main job. Synthesizes an environment (prod by default) through the
 * verification gate, prints the whole verification story (spec, architecture, verdicts,
 * performance, cost, patterns, recommendations, the cheapest compliant sizing), then runs the
 * pipeline locally for a short while and prints what it measured beside the prediction.
 *
 * Exit codes: 0 when the environment passes verification (and the local run, when it runs,
 * completes), 1 when it does not, 2 on bad usage (one line).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ENVIRONMENT_NAMES, UnknownEnvironmentError } from '../stacks/config';
import { synthesizeEnvironment, VerificationFailedError } from '../stacks/synth-environment';
import { runCli } from '../verification/cli/run';
import { handleClosedOutput } from '../verification/cli/closed-pipe';
import { RunOptionsError, validateRunOptions } from '../local/run/options';

process.env['CHECKPOINT_DISABLE'] ??= '1';
process.env['METADATA_SERVER_DETECTION'] ??= 'none';

interface StartOptions {
  env: string;
  local: boolean;
  duration: number;
  rate?: number;
  burst?: number;
  synthesize: boolean;
  adviceEvaluations?: string;
  adviceSeconds?: string;
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
    // Passed to the verifier as they are (it checks them): the advice budget the report names.
    .option('--advice-evaluations <n>', 'advice budget: re-verifications the what-if and sizing searches may run (see npm run verify -- --help)')
    .option('--advice-seconds <s>', 'advice time guard in seconds (default 30 here; 0 = none)')
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
  const options = program.opts<StartOptions>();
  if (options.local) {
    try {
      validateRunOptions(localRunOptions(options));
    } catch (e) {
      if (!(e instanceof RunOptionsError)) throw e;
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
  }
  return options;
}

/** Synthesizes through the gate; a rejected environment is re-synthesized without the gate into a scratch folder, only so the report can explain it. */
function synthesize(env: string): { stackDir: string; gatePassed: boolean } {
  try {
    return { stackDir: synthesizeEnvironment(env).stackDir, gatePassed: true };
  } catch (error) {
    if (!(error instanceof VerificationFailedError)) throw error;
    // One scratch folder per environment, replaced by the next rejected run (kept until then so
    // the report's paths can be opened; a new temp folder per run piled up in /tmp).
    const scratch = join(tmpdir(), `iot-rejected-${env}`);
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    const rejected = synthesizeEnvironment(env, { outdir: scratch, verification: { skip: true, warn: () => undefined } });
    process.stdout.write(`The verification gate rejected ${env}: nothing was written to cdktf.out. The report below explains why (scratch copy: ${rejected.stackDir}).\n\n`);
    return { stackDir: rejected.stackDir, gatePassed: false };
  }
}

/** The local run's options as npm start passes them (checked before anything starts). */
function localRunOptions(options: StartOptions) {
  return {
    env: options.env,
    duration: options.duration,
    burstSeconds: Math.max(2, Math.round(options.duration / 6)),
    ...(options.rate ? { rate: options.rate } : {}),
    ...(options.burst ? { burst: options.burst } : {}),
  };
}

/**
 * The short local run. It passes when it finished with nothing lost (hot store and archive)
 * and nothing double-counted; throughput and latency on this machine are reported, with the
 * component that limits them, but the cores of one shared machine are not the design.
 */
async function runLocal(options: StartOptions, stackDir: string): Promise<{ passed: boolean; why: string; interrupted?: boolean }> {
  const local = await import('../local/run');
  const { installInterruptHandling } = await import('../local/run/interrupt');
  // As in npm run local: SIGINT, SIGTERM, SIGHUP or npm going away stop the run cleanly.
  const interrupts = installInterruptHandling({
    onInterrupt: (why) => process.stderr.write(`\nstopping the local run (${why}): it reports what it measured and stops what it started (Ctrl-C again to kill at once)\n`),
    onForce: () => {
      local.emergencyStop();
      process.exit(130);
    },
  });
  let measurement;
  try {
    measurement = await local.runLocalPipeline({ ...localRunOptions(options), stackDir, signal: interrupts.signal });
  } catch (error) {
    return { passed: false, why: `the local run could not complete: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}` };
  } finally {
    interrupts.dispose();
  }
  process.stdout.write(`${local.formatMeasurement(measurement)}\n`);
  if (measurement.interrupted) return { passed: false, interrupted: true, why: 'the local run was interrupted' };
  if (measurement.lost > 0) return { passed: false, why: `the local run lost ${measurement.lost} accepted events` };
  if (measurement.doubleCounted > 0) return { passed: false, why: `the local run double-counted ${measurement.doubleCounted} events in aggregates` };
  // Not counted is not proven: the archive must have been counted and be complete.
  if (measurement.archived === null) return { passed: false, why: 'the archive could not be counted' };
  if (measurement.archived.missing > 0) return { passed: false, why: `${measurement.archived.missing} accepted events are missing from the archive` };
  const machineLimited = measurement.checks.filter((c) => c.status === 'fail').map((c) => c.item);
  return {
    passed: true,
    why: `the local run lost nothing (hot store and archive) and double-counted nothing${machineLimited.length ? `; ${machineLimited.join(', ')} fall short on this machine for the reasons named above, which do not change the exit code` : ''}`,
  };
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
  // The sizing search and the what-if search share the advice time guard: give them room
  // (the CLI's 10 s default is for CI gates on large plans; a cut is reported either way).
  const adviceSeconds = parsed.adviceSeconds ?? (parsed.synthesize ? '30' : undefined);
  const cliArgs = [
    synthResult.stackDir,
    ...(parsed.synthesize ? ['--synthesize'] : []),
    ...(adviceSeconds !== undefined ? ['--advice-seconds', adviceSeconds] : []),
    ...(parsed.adviceEvaluations !== undefined ? ['--advice-evaluations', parsed.adviceEvaluations] : []),
  ];
  const verifyExit = runCli(cliArgs);
  if (verifyExit === 2) return 2;
  const passed = verifyExit === 0 && synthResult.gatePassed;
  const verdict = passed
    ? `${parsed.env} passes verification`
    : `${parsed.env} does not pass verification (the advice above lists the re-verified changes${parsed.synthesize ? ' and the sizing to apply' : ''})`;
  if (!parsed.local) {
    process.stdout.write(`\nstart: ${passed ? 'PASS' : 'FAIL'}: ${verdict}\n`);
    return passed ? 0 : 1;
  }
  if (!passed) {
    process.stdout.write(`\nstart: FAIL: ${verdict}; the local run was skipped\n`);
    return 1;
  }
  process.stdout.write(`\n── Local run (${parsed.duration} s, the spec measured on this machine; --no-local skips it) ──\n`);
  const local = await runLocal(parsed, synthResult.stackDir);
  process.stdout.write(`\nstart: ${local.passed ? 'PASS' : 'FAIL'}: ${verdict}; ${local.why}\n`);
  if (local.interrupted) return 130;
  return local.passed ? 0 : 1;
}

// A reader that closed the pipe (`npm start | head`) must not stop a local run midway.
handleClosedOutput('ignore');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
