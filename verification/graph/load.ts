/**
 * The loader's one entry: a path to a synth output folder, one `cdk.tf.json`, or
 * `terraform show -json` output; or an in-memory Terraform JSON document.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { InputError } from '../engine/errors';
import { SPEC_FILE_NAME, type Spec } from '../spec/spec';
import { assertDepth, readJsonFile } from './json-input';
import { buildPlanParts, isPlanDocument, isStateDocument } from './plan';
import { expectObject } from './shape';
import { readSpecFile } from './spec-file';
import { buildSynthParts, type GraphParts, type SynthStackInput } from './synth';
import type { Graph, InputKind, Resource } from './types';
import { isPlainObject } from './normalise';

export interface LoadOptions {
  /** Environment to pick when a synth folder holds stacks of several. */
  env?: string;
}

/** A loaded graph and the spec found beside it (if any). */
export interface LoadedInput {
  graph: Graph;
  spec?: Spec;
}

const SYNTH_KEYS = ['resource', 'data', 'provider', 'terraform', 'output', 'variable', 'locals', 'module', '//'];

export function loadInput(path: string, options: LoadOptions = {}): Graph {
  return loadInputWithSpec(path, options).graph;
}

export function loadInputWithSpec(path: string, options: LoadOptions = {}): LoadedInput {
  if (typeof path !== 'string' || path.trim() === '') throw new InputError('no input path given');
  if (!existsSync(path)) throw new InputError(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) return loadFolder(path, options);
  if (basename(path) === 'manifest.json') return loadFolder(dirname(path), options);
  const doc = readJsonFile(path, 'Terraform');
  const kind = detectKind(doc, path);
  const graph = assemble(kind === 'cdk-tf-json' ? buildSynthParts([{ doc, file: path }]) : buildPlanParts(doc, path), kind, path);
  graph.files = { '': path };
  const specPath = join(dirname(path), SPEC_FILE_NAME);
  if (existsSync(specPath)) {
    const spec = readSpecFile(specPath);
    graph.specPath = specPath;
    return { graph, spec };
  }
  return { graph };
}

/** An in-memory document (the synth gate passes `stack.toTerraform()`). */
export function loadTerraformJson(doc: unknown, sourcePath = '<in-memory>'): Graph {
  try {
    const kind = detectKind(doc, sourcePath);
    if (kind !== 'cdk-tf-json') {
      assertDepth(doc, sourcePath);
      return assemble(buildPlanParts(doc, sourcePath), kind, sourcePath);
    }
    // Reading synth output checks its depth as it goes (see synth.ts).
    return assemble(buildSynthParts([{ doc, file: sourcePath }]), kind, sourcePath);
  } catch (e) {
    // A document nested too deeply is refused as such, whatever else the walk met first.
    assertDepth(doc, sourcePath);
    throw e;
  }
}

export function detectKind(doc: unknown, path: string): InputKind {
  const obj = expectObject(doc, path, 'the document');
  if (isPlanDocument(obj)) return 'plan';
  if (isStateDocument(obj)) return 'state';
  if (SYNTH_KEYS.some((k) => k in obj)) return 'cdk-tf-json';
  const keys = Object.keys(obj).slice(0, 5).join(', ') || 'no keys';
  throw new InputError(
    `${path}: not Terraform JSON (found ${keys}; expected cdk.tf.json keys such as "resource", or plan keys such as "planned_values")`,
  );
}

interface StackEntry {
  name: string;
  constructPath?: string;
  file: string;
  specPath?: string;
  spec?: Spec;
}

function loadFolder(folder: string, options: LoadOptions): LoadedInput {
  const manifestPath = join(folder, 'manifest.json');
  let stacks: StackEntry[];
  if (existsSync(manifestPath)) {
    stacks = readManifest(manifestPath, folder);
  } else if (existsSync(join(folder, 'cdk.tf.json'))) {
    return loadInputWithSpec(join(folder, 'cdk.tf.json'), options);
  } else if (existsSync(join(folder, 'stacks')) && statSync(join(folder, 'stacks')).isDirectory()) {
    stacks = readdirSync(join(folder, 'stacks'))
      .filter((d) => existsSync(join(folder, 'stacks', d, 'cdk.tf.json')))
      .sort()
      .map((d) => ({ name: d, file: join(folder, 'stacks', d, 'cdk.tf.json') }));
    if (stacks.length === 0) throw new InputError(`${folder}: no manifest.json and no stacks/*/cdk.tf.json`);
  } else {
    throw new InputError(`${folder}: not a synth output folder (no manifest.json or cdk.tf.json)`);
  }
  for (const s of stacks) {
    const specPath = join(dirname(s.file), SPEC_FILE_NAME);
    if (existsSync(specPath)) {
      s.specPath = specPath;
      s.spec = readSpecFile(specPath);
    }
  }
  const chosen = chooseStacks(stacks, options.env, folder);
  const inputs: SynthStackInput[] = chosen.map((s) => {
    const input: SynthStackInput = { name: s.name, doc: readJsonFile(s.file, 'cdk.tf.json'), file: s.file };
    if (s.constructPath) input.constructPath = s.constructPath;
    return input;
  });
  const graph = assemble(buildSynthParts(inputs), 'synth-folder', folder);
  graph.files = Object.fromEntries(chosen.map((s) => [s.name, s.file]));
  const withSpec = chosen.filter((s) => s.spec);
  if (withSpec.length === 0) return { graph };
  const first = withSpec[0];
  const differing = withSpec.filter((s) => JSON.stringify(s.spec) !== JSON.stringify(first.spec));
  if (differing.length > 0) {
    graph.warnings.push(`stacks ${differing.map((s) => s.name).join(', ')} carry a spec different from ${first.name}'s; using ${first.name}'s`);
  }
  graph.specPath = first.specPath;
  return { graph, spec: first.spec };
}

function readManifest(manifestPath: string, folder: string): StackEntry[] {
  const manifest = expectObject(readJsonFile(manifestPath, 'manifest'), manifestPath, 'the manifest');
  const stacks = expectObject(manifest.stacks, manifestPath, 'stacks');
  const entries = Object.entries(stacks).map(([key, raw]) => {
    const s = expectObject(raw, manifestPath, `stacks.${key}`);
    const rel = typeof s.synthesizedStackPath === 'string' ? s.synthesizedStackPath : join('stacks', key, 'cdk.tf.json');
    const file = resolve(folder, rel);
    // A synth folder is self-contained: a manifest naming a file outside it is not one (and
    // its error would quote that file's first bytes).
    const inside = relative(resolve(folder), file);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw new InputError(`${manifestPath}: stack ${key}: ${rel} is outside the synth folder`);
    if (!existsSync(file)) throw new InputError(`${manifestPath}: stack ${key}: ${rel} does not exist`);
    if (file.endsWith('.tf')) throw new InputError(`${manifestPath}: stack ${key} was synthesized as HCL (${rel}); synthesize JSON`);
    const entry: StackEntry = { name: typeof s.name === 'string' ? s.name : key, file };
    if (typeof s.constructPath === 'string') entry.constructPath = s.constructPath;
    return entry;
  });
  if (entries.length === 0) throw new InputError(`${manifestPath}: lists no stacks`);
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

function chooseStacks(stacks: StackEntry[], env: string | undefined, folder: string): StackEntry[] {
  const envOf = (s: StackEntry) => s.spec?.environment;
  if (env) {
    const byName = (s: StackEntry) => {
      const parts = s.name.split(/[-_/]/);
      return s.name === env || s.name.startsWith(`${env}-`) || s.name.endsWith(`-${env}`) || (parts.includes(env) && !env.includes('-'));
    };
    const chosen = stacks.filter((s) => (envOf(s) !== undefined ? envOf(s) === env : byName(s)));
    if (chosen.length === 0) {
      throw new InputError(`${folder}: no stack for environment ${env} (stacks: ${stacks.map((s) => s.name).join(', ')})`);
    }
    return chosen;
  }
  const envs = [...new Set(stacks.map(envOf).filter((e): e is string => e !== undefined))];
  if (envs.length > 1) {
    throw new InputError(`${folder}: holds stacks of environments ${envs.join(', ')}; choose one with --env`);
  }
  return stacks;
}

function assemble(parts: GraphParts, kind: InputKind, path: string): Graph {
  const byAddress = new Map<string, Resource>();
  for (const r of parts.resources) byAddress.set(r.address, r);
  return {
    source: { kind, path },
    resources: parts.resources,
    removed: parts.removed,
    byAddress,
    edges: parts.edges,
    providers: parts.providers,
    warnings: parts.warnings,
  };
}

