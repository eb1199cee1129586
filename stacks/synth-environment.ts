/**
 * Synthesizes one environment: builds the app with its pipeline stack, runs `app.synth()`
 * (which runs the verification gate) and writes the environment's spec.json beside the
 * stack's cdk.tf.json, so the verifier finds the spec by path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from './cdk';
import { getEnvironmentConfig } from './config';
import { PipelineStack, type PipelineStackOptions } from './pipeline-stack';
import { SPEC_FILE_NAME } from '../verification/spec/spec';
import type { VerificationReport } from '../verification/engine/types';

export interface SynthOptions {
  /** @default 'cdktf.out' (or CDKTF_OUTDIR when the cdktf CLI runs the app) */
  outdir?: string;
  verification?: PipelineStackOptions['verification'];
}

export interface SynthResult {
  environment: string;
  stackName: string;
  outdir: string;
  stackDir: string;
  /** Absent when the gate failed: nothing is written for a failing stack. */
  terraformJsonPath: string;
  specPath: string;
  /** The gate's report; undefined when verification was skipped. */
  report: VerificationReport | undefined;
  stack: PipelineStack;
}

/** Thrown when the gate rejects the stack; carries the report for the caller to print. */
export class VerificationFailedError extends Error {
  constructor(
    message: string,
    readonly pipelineStack: PipelineStack,
    readonly report: VerificationReport | undefined,
  ) {
    super(message);
    this.name = 'VerificationFailedError';
  }
}

export function synthesizeEnvironment(environment: string, options: SynthOptions = {}): SynthResult {
  const config = getEnvironmentConfig(environment);
  const outdir = options.outdir ?? process.env['CDKTF_OUTDIR'] ?? 'cdktf.out';
  const app = new App({ outdir });
  const stack = new PipelineStack(app, config, {
    outdir,
    ...(options.verification ? { verification: options.verification } : {}),
  });
  // A failing gate writes nothing for the stack; remove what an earlier synth left there so
  // no stale cdk.tf.json or spec.json can be verified or deployed in its place.
  fs.rmSync(path.join(app.outdir, 'stacks', stack.node.id), { recursive: true, force: true });
  const earlier = readManifestStacks(app.outdir);
  try {
    app.synth();
  } catch (error) {
    keepEarlierStacks(app.outdir, earlier, stack.node.id);
    // The gate's own message: cdktf's wrapper would suggest `skipValidation`, which is not
    // how this project skips verification (IOT_SKIP_VERIFY=1 is).
    if (stack.gate.lastFailure !== undefined) {
      throw new VerificationFailedError(stack.gate.lastFailure, stack, stack.gate.lastReport);
    }
    throw error;
  }
  keepEarlierStacks(app.outdir, earlier, stack.node.id);
  const stackDir = path.join(app.outdir, 'stacks', stack.node.id);
  const specPath = path.join(stackDir, SPEC_FILE_NAME);
  fs.writeFileSync(specPath, `${JSON.stringify(config.spec, null, 2)}\n`);
  return {
    environment,
    stackName: stack.node.id,
    outdir: app.outdir,
    stackDir,
    terraformJsonPath: path.join(stackDir, 'cdk.tf.json'),
    specPath,
    report: stack.gate.lastReport,
    stack,
  };
}

type ManifestStacks = Record<string, { synthesizedStackPath?: string }>;

function readManifestStacks(outdir: string): ManifestStacks {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks?: ManifestStacks };
    return manifest.stacks ?? {};
  } catch {
    return {};
  }
}

/**
 * The app holds one environment, so its manifest lists only that stack; the stacks other
 * environments synthesized into the same folder are still there on disk, so keep listing
 * them (the verifier reads a synth folder through manifest.json, e.g. with --env dev).
 */
function keepEarlierStacks(outdir: string, earlier: ManifestStacks, current: string): void {
  const file = path.join(outdir, 'manifest.json');
  let manifest: { stacks?: ManifestStacks; version?: string };
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    manifest = { stacks: {}, version: undefined };
  }
  const stacks: ManifestStacks = { ...(manifest.stacks ?? {}) };
  for (const [name, entry] of Object.entries(earlier)) {
    if (name === current || stacks[name]) continue;
    if (entry.synthesizedStackPath && fs.existsSync(path.join(outdir, entry.synthesizedStackPath))) stacks[name] = entry;
  }
  if (!fs.existsSync(path.join(outdir, 'stacks', current, 'cdk.tf.json'))) delete stacks[current];
  fs.mkdirSync(outdir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ ...manifest, stacks }, null, 2)}\n`);
}
