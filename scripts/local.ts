/**
 * `npm run local`: the pipeline on this machine at the spec's rates, measured.
 *
 *   npm run local -- --duration 60 --rate 10000 --burst 50000 --json local-run.json
 *
 * Exit codes: 0 every measured spec item passed, 1 some failed, 2 bad usage (one line),
 * 3 the run could not complete (a service or emulator did not start; one line), 130
 * interrupted. Ctrl-C, SIGTERM or SIGHUP (to the process group, to npm or to this process),
 * or npm/tsx going away, stops the fleet, reports and stops everything it started; a second
 * one (at least a second later) kills what is left at once. See local/run/interrupt.ts.
 */
import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { emergencyStop, formatMeasurement, runLocalPipeline, RunOptionsError } from '../local/run';
import { installInterruptHandling } from '../local/run/interrupt';

process.env.METADATA_SERVER_DETECTION ??= 'none';
process.env.CHECKPOINT_DISABLE ??= '1';

const num = (name: string) => (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`--${name} must be a number`);
  return n;
};

const program = new Command('npm run local --')
  .description('run the whole pipeline locally (emulators, services, a device fleet) and measure it against the spec')
  .option('--env <name>', 'environment to synthesize and provision', 'prod')
  .option('--devices <n>', 'simulated devices (default 200)', num('devices'))
  .option('--rate <eps>', 'sustained events/s (default: the spec workload)', num('rate'))
  .option('--burst <eps>', 'burst events/s, 0 for none (default: the spec workload)', num('burst'))
  .option('--burst-seconds <s>', 'burst length at the end of the run (default 10)', num('burst-seconds'))
  .option('--event-size <bytes>', 'serialized event size (default: the spec workload)', num('event-size'))
  .option('--invalid-share <fraction>', 'share of events invalid on purpose (default 0.01)', num('invalid-share'))
  .option('--duration <s>', 'seconds the fleet sends (default 60)', num('duration'))
  .option('--events-per-request <n>', 'events per HTTP request (default: the spec workload)', num('events-per-request'))
  .option('--events-per-message <n>', 'events per Pub/Sub message (default 50 locally: the emulator delivers a few thousand messages/s)', num('events-per-message'))
  .option('--json <file>', 'write the measurement as JSON')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

async function main(): Promise<number> {
  try {
    program.parse(process.argv.filter((a, i) => !(i >= 2 && a === '--')));
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2;
  }
  const o = program.opts();
  // SIGINT, SIGTERM and SIGHUP, or the launcher (npm, tsx) going away, stop the run the same way.
  const interrupts = installInterruptHandling({
    onInterrupt: (why) => {
      process.stderr.write(`\nstopping (${why}): the fleet stops, the run reports what it measured and stops what it started (Ctrl-C again to kill at once)\n`);
    },
    onForce: () => {
      emergencyStop();
      process.exit(130);
    },
  });
  try {
    const m = await runLocalPipeline({
      env: o.env,
      devices: o.devices,
      rate: o.rate,
      burst: o.burst,
      burstSeconds: o.burstSeconds,
      eventSize: o.eventSize,
      invalidShare: o.invalidShare,
      duration: o.duration,
      eventsPerRequest: o.eventsPerRequest,
      eventsPerMessage: o.eventsPerMessage,
      json: o.json,
      signal: interrupts.signal,
    });
    process.stdout.write(`\n${formatMeasurement(m)}\n`);
    if (o.json && existsSync(o.json)) process.stdout.write(`measurement written to ${o.json}\n`);
    if (m.interrupted || interrupts.signal.aborted) return 130;
    return m.checks.some((c) => c.status === 'fail') ? 1 : 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof RunOptionsError) {
      process.stderr.write(`npm run local: ${message.split('\n')[0]}\n`);
      return 2;
    }
    process.stderr.write(`npm run local: run failed: ${message.split('\n')[0]}\n`);
    return 3;
  }
}

main().then((code) => {
  process.exitCode = code;
  // Interrupted: whatever still holds the event loop (a socket of a stopped service) must not
  // keep an orphaned run alive.
  if (code === 130) setTimeout(() => process.exit(130), 2000).unref();
});
