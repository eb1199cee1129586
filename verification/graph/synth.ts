/**
 * Synth output (`cdk.tf.json`, one or several stacks) to graph parts. References are
 * `${...}` interpolations; cross-stack references (CDKTF writes them as a
 * `terraform_remote_state` data source in the consumer and an output in the producer)
 * are followed to the producer's resource.
 */
import { parseSteps, formatKey, type AddressStep } from './address';
import { normaliseSynthValue, isPlainObject, type NormaliseContext } from './normalise';
import { referencesInTemplate, isResourceType } from './references';
import { expectObject, optionalObject, type Json } from './shape';
import type { AttrValue, Edge, ProviderRef, Resource } from './types';
import { resolveRegion } from './region';
import { asString } from './values';
import { expandBlock, instanceAddress, type Expansion, type InstanceBinding, type InstanceSpec } from './instances';

export interface SynthStackInput {
  /** Stack name from manifest.json (undefined for a lone cdk.tf.json). */
  name?: string;
  /** The stack's construct path (what CDKTF uses in cross-stack data source names). */
  constructPath?: string;
  doc: unknown;
  file: string;
}

export interface GraphParts {
  resources: Resource[];
  removed: Resource[];
  edges: Edge[];
  providers: ProviderRef[];
  warnings: string[];
}

const META_KEYS = new Set(['//', 'provider', 'depends_on', 'count', 'for_each', 'lifecycle', 'provisioner', 'connection']);
const REMOTE_STATE = 'terraform_remote_state';
const CROSS_STACK_INPUT = 'cross-stack-reference-input-';

interface StackState {
  input: SynthStackInput;
  doc: Json;
  /** Local instance address (`google_x.y`, `google_x.y[0]`, `data.google_x.y["k"]`) -> graph address. */
  local: Map<string, string>;
  /** Local block address (no instance key) -> graph addresses of its instances (none for count = 0). */
  blocks: Map<string, string[]>;
  /** count / for_each expansion per local block address. */
  expansions: Map<string, Expansion>;
  providers: Map<string, ProviderRef>;
}

export function buildSynthParts(stacks: SynthStackInput[]): GraphParts {
  const warnings: string[] = [];
  const states = stacks.map((input) => checkShape(input));
  assignAddresses(states, warnings);
  const allAddresses = new Set<string>();
  for (const s of states) for (const a of s.local.values()) allAddresses.add(a);
  const resources: Resource[] = [];
  const edges: Edge[] = [];
  const providers: ProviderRef[] = [];
  const edgeKeys = new Set<string>();
  const warned = new Set<string>();
  const warnOnce = (m: string) => {
    if (!warned.has(m)) {
      warned.add(m);
      warnings.push(m);
    }
  };

  const byConstructPath = new Map<string, StackState>();
  for (const s of states) {
    if (s.input.constructPath) byConstructPath.set(s.input.constructPath, s);
    if (s.input.name) byConstructPath.set(s.input.name, s);
  }

  /** Top-level resolutions per stack: the same expression recurs across resources. */
  const resolvedCache = new Map<StackState, Map<string, string[]>>();
  const resolveTop = (state: StackState, raw: string): string[] => {
    let cache = resolvedCache.get(state);
    if (!cache) {
      cache = new Map();
      resolvedCache.set(state, cache);
    }
    let hit = cache.get(raw);
    if (!hit) {
      hit = resolveIn(state, raw, new Set());
      cache.set(raw, hit);
    }
    return hit;
  };

  /** Raw traversal -> addresses, following locals and cross-stack outputs. */
  const resolveIn = (state: StackState, raw: string, seen: Set<string>): string[] => {
    const key = `${state.input.file}|${raw}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const steps = parseSteps(raw);
    if (!steps || steps.length < 2) return [raw];
    const root = steps[0].name;
    if (root === 'var') return [`var.${steps[1].name}`];
    if (root === 'module') return [`module.${steps[1].name}`];
    if (root === 'local') {
      const locals = isPlainObject(state.doc.locals) ? state.doc.locals : {};
      const value = locals[steps[1].name];
      if (value === undefined) return [raw];
      return collectTemplateRefs(value, 0).flatMap((r) => resolveIn(state, r, seen));
    }
    if (root === 'data') {
      if (steps.length < 3) return [raw];
      if (steps[1].name === REMOTE_STATE) return followRemoteState(state, steps, seen);
      return lookup(state, `data.${steps[1].name}.${stepText(steps[2])}`, `data.${steps[1].name}.${steps[2].name}`, raw);
    }
    if (isResourceType(root)) return lookup(state, `${root}.${stepText(steps[1])}`, `${root}.${steps[1].name}`, raw);
    return [raw];
  };

  /** One instance when the reference names its key, else every instance of the block. */
  const lookup = (state: StackState, withKey: string, withoutKey: string, raw: string): string[] => {
    const found = state.local.get(withKey);
    if (found) return [found];
    const block = state.blocks.get(withoutKey);
    if (block) return block;
    warnOnce(`${state.input.file}: reference ${raw} names nothing in the input`);
    return [withoutKey];
  };

  const followRemoteState = (state: StackState, steps: AddressStep[], seen: Set<string>): string[] => {
    const dataName = steps[2].name;
    const outputName = steps[3]?.name === 'outputs' ? steps[4]?.name : undefined;
    const raw = steps.map(stepText).join('.');
    const producer = producerOf(state, dataName);
    if (!producer || !outputName) {
      warnOnce(`${state.input.file}: cross-stack reference ${raw} has no producing stack in the input`);
      return [`data.${REMOTE_STATE}.${dataName}`];
    }
    const outputs = isPlainObject(producer.doc.output) ? producer.doc.output : {};
    const output = outputs[outputName];
    const value = isPlainObject(output) ? output.value : undefined;
    if (value === undefined) {
      warnOnce(`${state.input.file}: cross-stack reference ${raw}: stack ${producer.input.name ?? producer.input.file} has no output ${outputName}`);
      return [`data.${REMOTE_STATE}.${dataName}`];
    }
    return collectTemplateRefs(value, 0).flatMap((r) => resolveIn(producer, r, seen));
  };

  const producerOf = (state: StackState, dataName: string): StackState | undefined => {
    if (dataName.startsWith(CROSS_STACK_INPUT)) {
      const found = byConstructPath.get(dataName.slice(CROSS_STACK_INPUT.length));
      if (found) return found;
    }
    const data = isPlainObject(state.doc.data) ? state.doc.data : {};
    const remote = isPlainObject(data[REMOTE_STATE]) ? data[REMOTE_STATE] : {};
    const body = remote[dataName];
    const config = isPlainObject(body) && isPlainObject(body.config) ? body.config : {};
    const statePath = asString(config.path as AttrValue);
    const m = statePath ? /terraform\.(.+)\.tfstate$/.exec(statePath) : null;
    if (m) return byConstructPath.get(m[1]);
    const workspaces = isPlainObject(config.workspaces) ? config.workspaces : {};
    const ws = asString(workspaces.name as AttrValue);
    return ws ? byConstructPath.get(ws) : undefined;
  };

  for (const state of states) {
    const stackName = state.input.name;
    const file = state.input.file;
    // Providers first: resources point at them.
    const providerBlock = optionalObject(state.doc.provider, file, 'provider') ?? {};
    for (const [providerName, raw] of Object.entries(providerBlock)) {
      const configs = Array.isArray(raw) ? raw : [raw];
      configs.forEach((config, i) => {
        const body = expectObject(config, file, `provider.${providerName}[${i}]`);
        const ctx = makeCtx(state, `provider.${providerName}`, null);
        const alias = typeof body.alias === 'string' && body.alias !== '' ? body.alias : undefined;
        const localKey = alias ? `${providerName}.${alias}` : providerName;
        const ref: ProviderRef = {
          key: states.length > 1 && stackName ? `${stackName}:${localKey}` : localKey,
          name: providerName,
        };
        if (alias) ref.alias = alias;
        if (body.region !== undefined) ref.region = normaliseSynthValue(body.region, ctx, 'region');
        if (body.project !== undefined) ref.project = normaliseSynthValue(body.project, ctx, 'project');
        state.providers.set(localKey, ref);
        providers.push(ref);
      });
    }

    for (const mode of ['resource', 'data'] as const) {
      const block = optionalObject(state.doc[mode], file, mode) ?? {};
      for (const [type, byName] of Object.entries(block)) {
        if (mode === 'data' && type === REMOTE_STATE) continue; // plumbing, followed above
        const named = expectObject(byName, file, `${mode}.${type}`);
        for (const [name, rawBody] of Object.entries(named)) {
          const body = expectObject(rawBody, file, `${mode}.${type}.${name}`);
          const localAddress = `${mode === 'data' ? 'data.' : ''}${type}.${name}`;
          const expansion = state.expansions.get(localAddress)!;
          if ('pending' in expansion) {
            const { argument, expression } = expansion.pending;
            warnings.push(`${file}: ${localAddress}: ${argument} is ${expression}, known only at apply, so the number of its instances is unknown`);
            resources.push(buildResource(state, mode, type, name, state.local.get(localAddress)!, body, {}, true));
            continue;
          }
          for (const spec of expansion.instances) {
            const address = state.local.get(instanceAddress(localAddress, spec.key))!;
            resources.push(buildResource(state, mode, type, name, address, body, spec, false));
          }
        }
      }
    }

    const modules = optionalObject(state.doc.module, file, 'module') ?? {};
    for (const [name, body] of Object.entries(modules)) {
      const source = isPlainObject(body) && typeof body.source === 'string' ? ` (${body.source})` : '';
      warnings.push(`${file}: module.${name}${source} is not expanded in synth output; its resources are not in the graph (verify a plan to include them)`);
    }
  }

  function makeCtx(state: StackState, where: string, from: string | null, instance?: InstanceBinding): NormaliseContext {
    return {
      ...(instance ? { instance } : {}),
      where: `${state.input.name ? `${state.input.name}/` : ''}${where}`,
      warn: (m) => warnings.push(m),
      resolve: (raw, path) => {
        const out: string[] = [];
        for (const r of raw) {
          for (const target of resolveTop(state, r)) {
            if (!out.includes(target)) out.push(target);
            if (from && target !== from && allAddresses.has(target)) {
              const k = `${from}\u0000${target}\u0000${path}`;
              if (!edgeKeys.has(k)) {
                edgeKeys.add(k);
                edges.push({ from, to: target, attribute: path });
              }
            }
          }
        }
        return out;
      },
    };
  }

  function buildResource(
    state: StackState,
    mode: 'managed' | 'data' | 'resource',
    type: string,
    name: string,
    address: string,
    body: Json,
    instance: InstanceSpec,
    instancesPending: boolean,
  ): Resource {
    const ctx = makeCtx(state, address, address, instance.binding);
    const values: Record<string, AttrValue> = {};
    for (const key of Object.keys(body)) {
      if (META_KEYS.has(key)) continue;
      values[key] = normaliseSynthValue(body[key], ctx, key);
    }
    const providerKey = typeof body.provider === 'string' ? body.provider.replace(/^\$\{(.*)\}$/, '$1') : type.split('_')[0];
    const provider = state.providers.get(providerKey);
    if (typeof body.provider === 'string' && !provider) {
      warnings.push(`${state.input.file}: ${address} uses provider ${body.provider}, which has no configuration in the input`);
    }
    const resource: Resource = {
      address,
      mode: mode === 'data' ? 'data' : 'managed',
      type,
      name,
      modulePath: [],
      values,
      sensitivePaths: [],
    };
    if (instance.key !== undefined) resource.index = instance.key;
    if (instancesPending) resource.instancesPending = true;
    if (state.input.name) resource.stack = state.input.name;
    if (provider) resource.provider = provider;
    const meta = body['//'];
    const constructPath = isPlainObject(meta) && isPlainObject(meta.metadata) ? meta.metadata.path : undefined;
    if (typeof constructPath === 'string') resource.constructPath = constructPath;
    const metaArgs: NonNullable<Resource['meta']> = {};
    if (body.count !== undefined) metaArgs.count = normaliseSynthValue(body.count, ctx, 'count');
    if (body.for_each !== undefined) metaArgs.forEach = normaliseSynthValue(body.for_each, ctx, 'for_each');
    if (body.lifecycle !== undefined) metaArgs.lifecycle = normaliseSynthValue(body.lifecycle, ctx, 'lifecycle');
    if (Array.isArray(body.depends_on)) {
      const deps = body.depends_on.filter((d): d is string => typeof d === 'string');
      metaArgs.dependsOn = ctx.resolve(deps.map((d) => d.replace(/^\$\{(.*)\}$/, '$1')), 'depends_on');
    }
    if (Object.keys(metaArgs).length > 0) resource.meta = metaArgs;
    Object.assign(resource, resolveRegion(type, values, provider));
    return resource;
  }

  return { resources, removed: [], edges, providers, warnings };
}

function stepText(step: AddressStep): string {
  return step.key === undefined ? step.name : `${step.name}${formatKey(step.key)}`;
}

/** Every `${...}` reference in any string inside a value (locals and outputs are arbitrary values). */
function collectTemplateRefs(v: unknown, depth: number): string[] {
  if (depth > 64) return [];
  if (typeof v === 'string') return referencesInTemplate(v);
  if (Array.isArray(v)) return v.flatMap((x) => collectTemplateRefs(x, depth + 1));
  if (isPlainObject(v)) return Object.values(v).flatMap((x) => collectTemplateRefs(x, depth + 1));
  return [];
}

function checkShape(input: SynthStackInput): StackState {
  const doc = expectObject(input.doc, input.file, 'the document');
  for (const key of ['resource', 'data', 'output', 'locals', 'variable', 'module', 'terraform', 'provider']) {
    optionalObject(doc[key], input.file, key);
  }
  return { input, doc, local: new Map(), blocks: new Map(), expansions: new Map(), providers: new Map() };
}

/** Graph addresses: the Terraform address, prefixed by the stack only where two stacks collide. */
function assignAddresses(states: StackState[], warnings: string[]): void {
  const owners = new Map<string, number>();
  /** Per stack: [block address, its instances' local addresses]. */
  const perStack: [string, string[]][][] = states.map((s) => {
    const list: [string, string[]][] = [];
    const locals = isPlainObject(s.doc.locals) ? s.doc.locals : {};
    for (const mode of ['resource', 'data'] as const) {
      const block = isPlainObject(s.doc[mode]) ? s.doc[mode] : {};
      for (const [type, byName] of Object.entries(block)) {
        if (mode === 'data' && type === REMOTE_STATE) continue;
        const named = expectObject(byName, s.input.file, `${mode}.${type}`);
        for (const [name, body] of Object.entries(named)) {
          const blockAddress = `${mode === 'data' ? 'data.' : ''}${type}.${name}`;
          const expansion = expandBlock(expectObject(body, s.input.file, `${mode}.${type}.${name}`), locals, s.input.file, blockAddress);
          s.expansions.set(blockAddress, expansion);
          const keys = 'pending' in expansion ? [undefined] : expansion.instances.map((x) => x.key);
          list.push([blockAddress, keys.map((k) => instanceAddress(blockAddress, k))]);
        }
      }
    }
    for (const [, instances] of list) for (const a of instances) owners.set(a, (owners.get(a) ?? 0) + 1);
    return list;
  });
  states.forEach((s, i) => {
    for (const [blockAddress, instances] of perStack[i]) {
      const addresses = instances.map((a) => ((owners.get(a) ?? 0) > 1 ? `${s.input.name ?? i}/${a}` : a));
      instances.forEach((a, j) => s.local.set(a, addresses[j]));
      s.blocks.set(blockAddress, addresses);
    }
  });
  const collided = [...owners].filter(([, n]) => n > 1).map(([a]) => a);
  if (collided.length > 0) {
    warnings.push(`${collided.length} address(es) appear in several stacks and are prefixed with the stack name: ${collided.slice(0, 5).join(', ')}`);
  }
}
