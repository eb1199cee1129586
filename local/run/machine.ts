/**
 * The machine a measurement ran on, recorded beside every benchmark and local-run figure:
 * a rate means little without the cores, memory and runtime that produced it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface MachineDetails {
  os: string;
  arch: string;
  cpuModel: string;
  cpuCount: number;
  memoryGiB: number;
  node: string;
  date: string;
}

export function machineDetails(now: Date = new Date()): MachineDetails {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    date: now.toISOString(),
  };
}

/** Writes `{ name, machine, ...figures }` as pretty JSON (a benchmark's or a run's record). */
export function writeRecord(file: string, name: string, figures: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ name, machine: machineDetails(), ...figures }, null, 2)}\n`);
}
