/** Synthesizes an environment's stack in memory (no gate, nothing written) for assertions. */
import { Testing } from '../../../stacks/cdk';
import { getEnvironmentConfig } from '../../../stacks/config';
import type { EnvironmentConfig } from '../../../stacks/config/types';
import { PipelineStack } from '../../../stacks/pipeline-stack';

export interface SynthesizedResource {
  type: string;
  name: string;
  /**
   * Construct path inside the stack, e.g. "ingestion/telemetry-topic", read from the logical
   * id (`Testing.synth` strips the metadata; logical ids are the path joined by "_" plus a hash).
   */
  path: string;
  body: Record<string, any>;
}

export interface SynthesizedStack {
  json: Record<string, any>;
  resources: SynthesizedResource[];
  data: SynthesizedResource[];
  /** Every resource of a type. */
  ofType(type: string): SynthesizedResource[];
  /** The one resource of a type at a construct path inside the stack, e.g. "ingestion/gateway". */
  at(type: string, path: string): SynthesizedResource;
}

const cache = new Map<string, SynthesizedStack>();

function flatten(block: Record<string, Record<string, any>> | undefined): SynthesizedResource[] {
  return Object.entries(block ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => ({ type, name, path: name.replace(/_[0-9A-F]{8}$/, '').split('_').join('/'), body })),
  );
}

export function synthesizeConfig(config: EnvironmentConfig): SynthesizedStack {
  const app = Testing.app();
  const stack = new PipelineStack(app, config, { outdir: 'cdktf.out' });
  const json = JSON.parse(Testing.synth(stack)) as Record<string, any>;
  const resources = flatten(json['resource']);
  const data = flatten(json['data']);
  return {
    json,
    resources,
    data,
    ofType: (type) => resources.filter((resource) => resource.type === type),
    at(type, suffix) {
      const found = resources.filter((resource) => resource.type === type && resource.path === suffix);
      if (found.length !== 1) throw new Error(`expected one ${type} at */${suffix}, found ${found.length}`);
      return found[0]!;
    },
  };
}

/** Synthesizes a named environment once per test file. */
export function synthesizeEnvironment(name: string): SynthesizedStack {
  let stack = cache.get(name);
  if (!stack) {
    stack = synthesizeConfig(getEnvironmentConfig(name));
    cache.set(name, stack);
  }
  return stack;
}

/** `${google_x.name.attr}` reference to a synthesized resource. */
export function ref(resource: SynthesizedResource, attribute: string): string {
  return `\${${resource.type}.${resource.name}.${attribute}}`;
}
