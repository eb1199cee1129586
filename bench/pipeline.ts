/**
 * The whole local pipeline's sustained and burst throughput and processing p99 (the same run
 * as `npm run local`), beside the raw emulator capacity measured on this machine by
 * bench/emulator-capacity.ts (run that first; its figures are copied with their date).
 *
 * Run: `npx tsx bench/pipeline.ts [--duration 60] [--rate 10000] [--burst 50000] [--burst-seconds 10]`
 *   -> bench/results/pipeline.json (the full measurement: bench/results/pipeline-measurement.json)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMeasurement, runLocalPipeline } from '../local/run';
import { writeRecord } from '../local/run/machine';

process.env.METADATA_SERVER_DETECTION ??= 'none';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) {
    process.stderr.write(`--${name} must be a number\n`);
    process.exit(2);
  }
  return v;
}

async function main(): Promise<void> {
  const options = { duration: arg('duration', 60), rate: arg('rate', 10_000), burst: arg('burst', 50_000), burstSeconds: arg('burst-seconds', 10) };
  const capacityFile = join(__dirname, 'results', 'emulator-capacity.json');
  const capacity = existsSync(capacityFile) ? JSON.parse(readFileSync(capacityFile, 'utf8')) : null;
  const m = await runLocalPipeline({ ...options, json: join(__dirname, 'results', 'pipeline-measurement.json') });
  process.stdout.write(`\n${formatMeasurement(m)}\n`);
  const file = join(__dirname, 'results', 'pipeline.json');
  writeRecord(file, 'pipeline', {
    what: 'the local pipeline (gateway -> Pub/Sub emulator -> processor -> Bigtable emulator) driven by the device fleet; sustained phase, then a burst',
    options: m.options,
    pipeline: {
      sustained: m.throughput.sustained,
      burst: m.throughput.burst,
      burstDrainSeconds: m.throughput.drainSeconds,
      processingLatencyMs: { sustained: m.latency.sustained, wholeRun: m.latency.wholeRun },
      lost: m.lost,
      doubleCounted: m.doubleCounted,
      dashboardLagMs: m.dashboardLagMs,
      limits: m.limits,
      cpu: m.cpu,
    },
    predicted: m.predicted,
    emulatorCapacity: capacity ? { measuredAt: capacity.machine?.date, pubsub: capacity.pubsub, bigtable: capacity.bigtable } : 'run bench/emulator-capacity.ts first',
  });
  process.stdout.write(`wrote ${file}\n`);
}

main().catch((err) => {
  process.stderr.write(`pipeline bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
