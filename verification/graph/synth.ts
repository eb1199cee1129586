/**
 * Synth output (`cdk.tf.json`, one or several stacks) to graph parts. References are
 * `${...}` interpolations; cross-stack references (CDKTF writes them as a
 * `terraform_remote_state` data source in the consumer and an output in the producer)
 * are followed to the producer's resource.
 *
 * Reading is one walk over the document, which is also its depth check (`assertDepth`):
 * values are checked as they are normalised, and every part the walk skips (metadata,
 * outputs, locals, meta-arguments it does not read) is checked where it is skipped.
 */
import { parseSteps, formatKey, type AddressStep } from './address';
import { SynthValueNormaliser, isPlainObject, type AttributePosition, type SynthReferences } from './normalise';
import { referencesInTemplate, visitTemplateReferences, isResourceType, type ReferenceVisitor } from './references';
import { hasEdgeSince } from './edges';
import { expectObject, optionalObject, type Json } from './shape';
import { assertPartDepth } from './json-input';
import type { AttrValue, Edge, ProviderRef, Resource } from './types';
import { assignRegion } from './region';
import { asString } from './values';
import { expandBlock, instanceAddress, type Expansion, type InstanceSpec } from './instances';

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

/** Keys of a block body that are not attributes. A switch, not a Set: it is asked for every key of every body. */
function isMetaKey(key: string): boolean {
  switch (key) {
    case '//':
    case 'provider':
    case 'depends_on':
    case 'count':
    case 'for_each':
    case 'lifecycle':
    case 'provisioner':
    case 'connection':
      return true;
    default:
      return false;
  }
}
/** Top-level sections the walk reads value by value; the others are only depth-checked. */
const WALKED_SECTIONS = new Set(['resource', 'data', 'provider']);
/** Depth of a block body in the document (the document itself is 0): `resource.<type>.<name>`. */
const BODY_DEPTH = 3;
const REMOTE_STATE = 'terraform_remote_state';
const CROSS_STACK_INPUT = 'cross-stack-reference-input-';

/**
 * A block body's metadata (`"//"`) and meta-arguments, read in one pass over its keys: bodies
 * come in many shapes, and a named lookup of each (mostly absent) key on each costs more.
 */
interface BlockMeta {
  metadata: unknown;
  provider: unknown;
  depends_on: unknown;
  count: unknown;
  for_each: unknown;
  lifecycle: unknown;
}

/** One resource or data block of a stack, with the graph addresses of its instances. */
interface Block {
  mode: 'resource' | 'data';
  type: string;
  name: string;
  body: Json;
  meta: BlockMeta;
  /** `google_x.y` or `data.google_x.y`. */
  localAddress: string;
  expansion: Expansion;
  /** Graph address per instance, in expansion order (the one keyless entry when the count is pending). */
  addresses: string[];
}

interface StackState {
  input: SynthStackInput;
  doc: Json;
  /** `name/` when the stack is named (for warnings), else empty. */
  wherePrefix: string;
  /** Resource and data blocks in document order. */
  blockList: Block[];
  /** Local instance address (`google_x.y`, `google_x.y[0]`, `data.google_x.y["k"]`) -> graph address. */
  local: Map<string, string>;
  /**
   * Local address of a count / for_each block (no instance key) -> graph addresses of its
   * instances (none for count = 0). A block without them is in `local` alone.
   */
  blocks: Map<string, string[]>;
  providers: Map<string, ProviderRef>;
  /** This load's resolutions: a raw traversal -> what it refers to (the same reference recurs across resources). */
  resolvedReferences: Map<string, Resolved>;
}

/** What a reference (or a template, or a `depends_on` list) refers to. */
interface Resolved {
  /** Addresses, without duplicates; references that name nothing in the input are kept raw. */
  targets: string[];
  /** Those that are resources of the graph, where edges go (often `targets` itself). */
  inGraph: readonly string[];
}

export function buildSynthParts(stacks: SynthStackInput[]): GraphParts {
  return new SynthGraphBuilder(stacks).build();
}

/** Written into `depends_on` edges. */
const DEPENDS_ON: AttributePosition = { path: () => 'depends_on' };

/** One load: walks the stacks once, resolving references and recording edges as values are normalised. */
class SynthGraphBuilder implements SynthReferences, ReferenceVisitor {
  private readonly warnings: string[] = [];
  private readonly resources: Resource[] = [];
  private readonly edges: Edge[] = [];
  private readonly providers: ProviderRef[] = [];
  private readonly warned = new Set<string>();
  private readonly states: StackState[];
  private readonly allAddresses = new Set<string>();
  private readonly byConstructPath = new Map<string, StackState>();
  private readonly normaliser = new SynthValueNormaliser(this);
  /** The stack being read. */
  private state!: StackState;
  /** The resource whose values are being normalised (edges start there); undefined for provider configs. */
  private from: string | undefined;
  /** Index in `edges` of the current resource's first edge. */
  private fromEdges = 0;
  /** What a template without references refers to. */
  private readonly nothing: Resolved = { targets: [], inGraph: [] };
  /** What the template being read refers to: its first reference's resolution (shared) ... */
  private templateFirst: Resolved | undefined;
  /** ... and, once a later reference adds targets, their union (this template's own list). */
  private templateTargets: string[] | undefined;

  constructor(stacks: SynthStackInput[]) {
    this.states = stacks.map((input) => checkShape(input));
    assignAddresses(this.states, this.warnings);
    for (const s of this.states) {
      for (let b = 0; b < s.blockList.length; b++) {
        const { addresses } = s.blockList[b];
        for (let i = 0; i < addresses.length; i++) this.allAddresses.add(addresses[i]);
      }
      if (s.input.constructPath) this.byConstructPath.set(s.input.constructPath, s);
      if (s.input.name) this.byConstructPath.set(s.input.name, s);
    }
  }

  build(): GraphParts {
    for (const state of this.states) {
      this.state = state;
      this.normaliser.file = state.input.file;
      this.readProviders(state);
      for (let b = 0; b < state.blockList.length; b++) {
        const block = state.blockList[b];
        const { expansion, localAddress } = block;
        if ('pending' in expansion) {
          const { argument, expression } = expansion.pending;
          this.warnings.push(`${state.input.file}: ${localAddress}: ${argument} is ${expression}, known only at apply, so the number of its instances is unknown`);
          this.resources.push(this.buildResource(block, block.addresses[0], NO_INSTANCE, true));
          continue;
        }
        const { instances } = expansion;
        for (let i = 0; i < instances.length; i++) this.resources.push(this.buildResource(block, block.addresses[i], instances[i], false));
      }
      const file = state.input.file;
      const modules = optionalObject(state.doc.module, file, 'module') ?? {};
      for (const [name, body] of Object.entries(modules)) {
        const source = isPlainObject(body) && typeof body.source === 'string' ? ` (${body.source})` : '';
        this.warnings.push(`${file}: module.${name}${source} is not expanded in synth output; its resources are not in the graph (verify a plan to include them)`);
      }
    }
    return { resources: this.resources, removed: [], edges: this.edges, providers: this.providers, warnings: this.warnings };
  }

  // ------------------------------------------------------------------ providers and resources

  private readProviders(state: StackState): void {
    const file = state.input.file;
    const stackName = state.input.name;
    const providerBlock = optionalObject(state.doc.provider, file, 'provider') ?? {};
    for (const [providerName, raw] of Object.entries(providerBlock)) {
      const configs = Array.isArray(raw) ? raw : [raw];
      const depth = Array.isArray(raw) ? 3 : 2;
      configs.forEach((config, i) => {
        const body = expectObject(config, file, `provider.${providerName}[${i}]`);
        for (const key in body) if (key !== 'region' && key !== 'project') assertPartDepth(body[key], depth + 1, file);
        this.startValues(`${state.wherePrefix}provider.${providerName}`, undefined, undefined);
        const alias = typeof body.alias === 'string' && body.alias !== '' ? body.alias : undefined;
        const localKey = alias ? `${providerName}.${alias}` : providerName;
        const ref: ProviderRef = {
          key: this.states.length > 1 && stackName ? `${stackName}:${localKey}` : localKey,
          name: providerName,
        };
        if (alias) ref.alias = alias;
        if (body.region !== undefined) ref.region = this.normaliser.attribute('region', body.region, depth + 1);
        if (body.project !== undefined) ref.project = this.normaliser.attribute('project', body.project, depth + 1);
        state.providers.set(localKey, ref);
        this.providers.push(ref);
      });
    }
  }

  /** Points the normaliser (and edge recording) at the values about to be read. */
  private startValues(where: string, from: string | undefined, instance: InstanceSpec['binding']): void {
    this.normaliser.where = where;
    this.normaliser.instance = instance;
    this.from = from;
    this.fromEdges = this.edges.length;
  }

  private buildResource(block: Block, address: string, instance: InstanceSpec, instancesPending: boolean): Resource {
    const { state } = this;
    const { body, mode, type, name } = block;
    this.startValues(state.wherePrefix + address, address, instance.binding);
    const values: Record<string, AttrValue> = {};
    for (const key in body) {
      if (isMetaKey(key) || !Object.hasOwn(body, key)) continue;
      values[key] = this.normaliser.attribute(key, body[key], BODY_DEPTH + 1);
    }
    const { meta } = block;
    const providerKey = typeof meta.provider === 'string' ? meta.provider.replace(/^\$\{(.*)\}$/, '$1') : providerPrefix(type);
    const provider = state.providers.get(providerKey);
    if (typeof meta.provider === 'string' && !provider) {
      this.warnings.push(`${state.input.file}: ${address} uses provider ${meta.provider}, which has no configuration in the input`);
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
    const { metadata } = meta;
    const constructPath = isPlainObject(metadata) && isPlainObject(metadata.metadata) ? metadata.metadata.path : undefined;
    if (typeof constructPath === 'string') resource.constructPath = constructPath;
    const metaArgs = this.metaArguments(meta);
    if (metaArgs) resource.meta = metaArgs;
    assignRegion(resource, provider);
    return resource;
  }

  private metaArguments(meta: BlockMeta): Resource['meta'] | undefined {
    const hasDependsOn = Array.isArray(meta.depends_on);
    if (meta.count === undefined && meta.for_each === undefined && meta.lifecycle === undefined && !hasDependsOn) return undefined;
    const metaArgs: NonNullable<Resource['meta']> = {};
    if (meta.count !== undefined) metaArgs.count = this.normaliser.attribute('count', meta.count, BODY_DEPTH + 1);
    if (meta.for_each !== undefined) metaArgs.forEach = this.normaliser.attribute('for_each', meta.for_each, BODY_DEPTH + 1);
    if (meta.lifecycle !== undefined) metaArgs.lifecycle = this.normaliser.attribute('lifecycle', meta.lifecycle, BODY_DEPTH + 1);
    if (hasDependsOn) {
      const raws: string[] = [];
      for (const d of meta.depends_on as unknown[]) if (typeof d === 'string') raws.push(d.replace(/^\$\{(.*)\}$/, '$1'));
      const resolved = this.resolveAll(this.state, raws);
      this.recordEdges(resolved.inGraph, DEPENDS_ON);
      metaArgs.dependsOn = resolved.targets;
    }
    return metaArgs;
  }

  // ------------------------------------------------------------------ references and edges

  warn(message: string): void {
    this.warnings.push(message);
  }

  /**
   * Templates are scanned where they occur (cheaper than keying a cache on whole templates,
   * which would hash every character of every one); their references are resolved once per load.
   */
  resolveTemplate(template: string, at: AttributePosition): readonly string[] {
    this.templateFirst = undefined;
    this.templateTargets = undefined;
    visitTemplateReferences(template, this);
    const targets = this.templateTargets;
    const resolved = targets ? { targets, inGraph: this.inGraph(targets) } : (this.templateFirst ?? this.nothing);
    this.recordEdges(resolved.inGraph, at);
    return resolved.targets;
  }

  /** One reference of the template being read (see `resolveTemplate`); most templates have one. */
  reference(raw: string): void {
    const resolved = this.resolveReference(this.state, raw);
    const first = this.templateFirst;
    if (first === undefined) {
      this.templateFirst = resolved;
    } else if (this.templateTargets) {
      addNew(this.templateTargets, resolved.targets);
    } else if (resolved !== first && !includesAll(first.targets, resolved.targets)) {
      this.templateTargets = first.targets.slice();
      addNew(this.templateTargets, resolved.targets);
    }
  }

  /** What a list of raw references resolves to, together. */
  private resolveAll(state: StackState, raws: readonly string[]): Resolved {
    if (raws.length === 1) return this.resolveReference(state, raws[0]);
    const targets: string[] = [];
    for (let i = 0; i < raws.length; i++) addNew(targets, this.resolveReference(state, raws[i]).targets);
    return { targets, inGraph: this.inGraph(targets) };
  }

  /** The targets that are resources of the graph: the list itself when all are. */
  private inGraph(targets: string[]): readonly string[] {
    for (let i = 0; i < targets.length; i++) {
      if (!this.allAddresses.has(targets[i])) return targets.filter((t) => this.allAddresses.has(t));
    }
    return targets;
  }

  /** Edges from the current resource to each of `inGraph`, once per target and attribute path. */
  private recordEdges(inGraph: readonly string[], at: AttributePosition): void {
    const from = this.from;
    if (from === undefined) return;
    let attribute: string | undefined;
    for (let i = 0; i < inGraph.length; i++) {
      const to = inGraph[i];
      if (to === from) continue;
      attribute ??= at.path();
      if (!hasEdgeSince(this.edges, this.fromEdges, to, attribute)) this.edges.push({ from, to, attribute });
    }
  }

  private warnOnce(message: string): void {
    if (!this.warned.has(message)) {
      this.warned.add(message);
      this.warnings.push(message);
    }
  }

  /** Raw traversal -> what it refers to, once per stack and load. */
  private resolveReference(state: StackState, raw: string): Resolved {
    let hit = state.resolvedReferences.get(raw);
    if (!hit) {
      const targets = withoutDuplicates(this.resolveIn(state, raw, undefined));
      hit = { targets, inGraph: this.inGraph(targets) };
      state.resolvedReferences.set(raw, hit);
    }
    return hit;
  }

  /**
   * Raw traversal -> addresses, following locals and cross-stack outputs. `seen` holds the
   * traversals met on the way through locals and outputs (none yet at the top), so a cycle
   * ends; each is followed once, as the results are merged without duplicates anyway.
   */
  private resolveIn(state: StackState, raw: string, seen: Set<string> | undefined): string[] {
    if (seen) {
      const key = visitKey(state, raw);
      if (seen.has(key)) return [];
      seen.add(key);
    }
    const steps = parseSteps(raw);
    if (!steps || steps.length < 2) return [raw];
    const root = steps[0].name;
    if (root === 'var') return [`var.${steps[1].name}`];
    if (root === 'module') return [`module.${steps[1].name}`];
    if (root === 'local') {
      const locals = isPlainObject(state.doc.locals) ? state.doc.locals : {};
      const value = locals[steps[1].name];
      if (value === undefined) return [raw];
      const visited = seen ?? new Set([visitKey(state, raw)]);
      return collectTemplateRefs(value, 0).flatMap((r) => this.resolveIn(state, r, visited));
    }
    if (root === 'data') {
      if (steps.length < 3) return [raw];
      if (steps[1].name === REMOTE_STATE) return this.followRemoteState(state, steps, seen ?? new Set([visitKey(state, raw)]));
      return this.lookup(state, steps[2], `data.${steps[1].name}.${steps[2].name}`, raw);
    }
    // The block's local address: a slice of `raw` when it starts with it (no key on the type step).
    const name = steps[1].name;
    if (isResourceType(root)) return this.lookup(state, steps[1], steps[0].key === undefined ? raw.slice(0, root.length + 1 + name.length) : `${root}.${name}`, raw);
    return [raw];
  }

  /** One instance when the reference names its key, else every instance of the block. */
  private lookup(state: StackState, step: AddressStep, withoutKey: string, raw: string): string[] {
    const withKey = step.key === undefined ? withoutKey : `${withoutKey}${formatKey(step.key)}`;
    const found = state.local.get(withKey);
    if (found) return [found];
    const block = state.blocks.get(withoutKey);
    if (block) return block;
    // A key on a block without count / for_each: its one instance.
    const only = withKey === withoutKey ? undefined : state.local.get(withoutKey);
    if (only) return [only];
    this.warnOnce(`${state.input.file}: reference ${raw} names nothing in the input`);
    return [withoutKey];
  }

  private followRemoteState(state: StackState, steps: AddressStep[], seen: Set<string>): string[] {
    const dataName = steps[2].name;
    const outputName = steps[3]?.name === 'outputs' ? steps[4]?.name : undefined;
    const raw = steps.map(stepText).join('.');
    const producer = this.producerOf(state, dataName);
    if (!producer || !outputName) {
      this.warnOnce(`${state.input.file}: cross-stack reference ${raw} has no producing stack in the input`);
      return [`data.${REMOTE_STATE}.${dataName}`];
    }
    const outputs = isPlainObject(producer.doc.output) ? producer.doc.output : {};
    const output = outputs[outputName];
    const value = isPlainObject(output) ? output.value : undefined;
    if (value === undefined) {
      this.warnOnce(`${state.input.file}: cross-stack reference ${raw}: stack ${producer.input.name ?? producer.input.file} has no output ${outputName}`);
      return [`data.${REMOTE_STATE}.${dataName}`];
    }
    return collectTemplateRefs(value, 0).flatMap((r) => this.resolveIn(producer, r, seen));
  }

  private producerOf(state: StackState, dataName: string): StackState | undefined {
    if (dataName.startsWith(CROSS_STACK_INPUT)) {
      const found = this.byConstructPath.get(dataName.slice(CROSS_STACK_INPUT.length));
      if (found) return found;
    }
    const data = isPlainObject(state.doc.data) ? state.doc.data : {};
    const remote = isPlainObject(data[REMOTE_STATE]) ? data[REMOTE_STATE] : {};
    const body = remote[dataName];
    const config = isPlainObject(body) && isPlainObject(body.config) ? body.config : {};
    const statePath = asString(config.path as AttrValue);
    const m = statePath ? /terraform\.(.+)\.tfstate$/.exec(statePath) : null;
    if (m) return this.byConstructPath.get(m[1]);
    const workspaces = isPlainObject(config.workspaces) ? config.workspaces : {};
    const ws = asString(workspaces.name as AttrValue);
    return ws ? this.byConstructPath.get(ws) : undefined;
  }
}

const NO_INSTANCE: InstanceSpec = {};

function includesAll(list: readonly string[], items: readonly string[]): boolean {
  for (let i = 0; i < items.length; i++) if (!list.includes(items[i])) return false;
  return true;
}

/** The list itself when it has no duplicates (resolutions are shared, never changed), else a copy without them. */
function withoutDuplicates(list: string[]): string[] {
  for (let i = 1; i < list.length; i++) {
    if (list.lastIndexOf(list[i], i - 1) !== -1) {
      const out: string[] = [];
      addNew(out, list);
      return out;
    }
  }
  return list;
}

/** Appends the items `list` does not hold yet, in order. */
function addNew(list: string[], items: readonly string[]): void {
  for (let i = 0; i < items.length; i++) if (!list.includes(items[i])) list.push(items[i]);
}

/** `google` for `google_pubsub_topic`: the provider a resource uses when it names none. */
function providerPrefix(type: string): string {
  const end = type.indexOf('_');
  return end === -1 ? type : type.slice(0, end);
}

function visitKey(state: StackState, raw: string): string {
  return `${state.input.file}|${raw}`;
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
  for (const key in doc) if (!WALKED_SECTIONS.has(key)) assertPartDepth(doc[key], 1, input.file);
  return {
    input,
    doc,
    wherePrefix: input.name ? `${input.name}/` : '',
    blockList: [],
    local: new Map(),
    blocks: new Map(),
    providers: new Map(),
    resolvedReferences: new Map(),
  };
}

/** Local addresses of a block's instances: the block's own address alone when their number is pending. */
function instanceAddresses(localAddress: string, expansion: Expansion): string[] {
  if ('pending' in expansion) return [localAddress];
  if (expansion.instances.length === 1) return [instanceAddress(localAddress, expansion.instances[0].key)];
  const out: string[] = [];
  for (let i = 0; i < expansion.instances.length; i++) out.push(instanceAddress(localAddress, expansion.instances[i].key));
  return out;
}

/** The body's meta keys; those normalising never reads (all but count, for_each and lifecycle) are depth-checked here. */
function readMeta(body: Json, file: string): BlockMeta {
  const meta: BlockMeta = { metadata: undefined, provider: undefined, depends_on: undefined, count: undefined, for_each: undefined, lifecycle: undefined };
  for (const key in body) {
    if (!isMetaKey(key) || !Object.hasOwn(body, key)) continue;
    const value = body[key];
    switch (key) {
      case 'count':
        meta.count = value;
        continue;
      case 'for_each':
        meta.for_each = value;
        continue;
      case 'lifecycle':
        meta.lifecycle = value;
        continue;
      case '//':
        meta.metadata = value;
        break;
      case 'provider':
        meta.provider = value;
        break;
      case 'depends_on':
        meta.depends_on = value;
        break;
    }
    assertPartDepth(value, BODY_DEPTH + 1, file);
  }
  return meta;
}

/** Graph addresses: the Terraform address, prefixed by the stack only where two stacks collide. */
function assignAddresses(states: StackState[], warnings: string[]): void {
  let collisions = false;
  for (const s of states) {
    const file = s.input.file;
    const locals = isPlainObject(s.doc.locals) ? s.doc.locals : {};
    for (const mode of ['resource', 'data'] as const) {
      const byType = isPlainObject(s.doc[mode]) ? s.doc[mode] : {};
      for (const type of Object.keys(byType)) {
        if (mode === 'data' && type === REMOTE_STATE) {
          assertPartDepth(byType[type], 2, file);
          continue;
        }
        const named = expectObject(byType[type], file, `${mode}.${type}`);
        for (const name of Object.keys(named)) {
          const localAddress = `${mode === 'data' ? 'data.' : ''}${type}.${name}`;
          const body = expectObject(named[name], file, `${mode}.${type}.${name}`);
          const meta = readMeta(body, file);
          const expansion = expandBlock(meta, locals, file, localAddress);
          const addresses = instanceAddresses(localAddress, expansion);
          // With no instances nothing of the body is normalised: check it whole.
          if (addresses.length === 0) assertPartDepth(body, BODY_DEPTH, file);
          for (let j = 0; j < addresses.length; j++) {
            const a = addresses[j];
            if (!collisions) collisions = metBefore(states, a);
            s.local.set(a, a);
          }
          // A block without count / for_each is found in `local` under its own address.
          if (!(addresses.length === 1 && addresses[0] === localAddress)) s.blocks.set(localAddress, addresses);
          s.blockList.push({ mode, type, name, body, meta, localAddress, expansion, addresses });
        }
      }
    }
  }
  if (collisions) prefixCollidedAddresses(states, warnings);
}

/** Whether a stack (this one included) already has the local address; later stacks' maps are still empty. */
function metBefore(states: StackState[], address: string): boolean {
  for (const s of states) if (s.local.has(address)) return true;
  return false;
}

/** Where addresses collide (rare): every instance with such an address gets its stack's name in front. */
function prefixCollidedAddresses(states: StackState[], warnings: string[]): void {
  /** Local instance address -> how many instances (in any stack) have it. */
  const owners = new Map<string, number>();
  for (const s of states) for (const block of s.blockList) for (const a of block.addresses) owners.set(a, (owners.get(a) ?? 0) + 1);
  states.forEach((s, i) => {
    for (const block of s.blockList) {
      const locals = block.addresses;
      block.addresses = locals.map((a) => (owners.get(a)! > 1 ? `${s.input.name ?? i}/${a}` : a));
      locals.forEach((a, j) => s.local.set(a, block.addresses[j]));
      if (s.blocks.has(block.localAddress)) s.blocks.set(block.localAddress, block.addresses);
    }
  });
  const collided: string[] = [];
  for (const [a, n] of owners) if (n > 1) collided.push(a);
  warnings.push(`${collided.length} address(es) appear in several stacks and are prefixed with the stack name: ${collided.slice(0, 5).join(', ')}`);
}
