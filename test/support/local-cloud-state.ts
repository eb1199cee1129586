/**
 * Where the integration global setup records what it started, so test workers can read the
 * endpoints and the teardown stops exactly those processes.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';

export interface LocalCloudState {
  /** Only what this setup started (an externally provided emulator is not ours to stop). */
  started: { name: string; pid: number; logFile: string }[];
  env: Record<string, string>;
  logDir: string;
}

const STATE_FILE = join(tmpdir(), `iot-pipeline-jest-${process.ppid}-${process.pid}.json`);
const POINTER = 'IOT_PIPELINE_LOCAL_CLOUD_STATE';

export function writeState(state: LocalCloudState): void {
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
  process.env[POINTER] = STATE_FILE;
}

export function readState(): LocalCloudState | undefined {
  const file = process.env[POINTER];
  if (!file || !existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as LocalCloudState;
}

export function clearState(): void {
  const file = process.env[POINTER];
  if (file && existsSync(file)) rmSync(file);
}
