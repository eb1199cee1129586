/**
 * `terraform show -json` output (a plan, or applied state) to graph parts.
 *
 * Values come from `planned_values` (nested `child_modules`) merged with
 * `resource_changes[].change.after_unknown` (pending) and the sensitive maps (redacted);
 * pure deletes exist only in `resource_changes` and go to `removed`. Edges come from
 * `configuration` expression references, followed through module variables and outputs.
 * An errored plan is refused; changes in `deferred_changes` are judged like the others.
 */
import { InputError } from '../engine/errors';
import { configAddress, formatKey, parseAddress, parseSteps, type AddressKey, type ParsedAddress } from './address';
import { normalisePlanValue, SynthValueNormaliser, isPlainObject } from './normalise';
import { isResourceType, referencesInTemplate } from './references';
import { hasEdgeSince } from './edges';
import { assignRegion } from './region';
import { expectArray, expectObject, kindOf, optionalArray, optionalObject, optionalString, type Json } from './shape';
import type { GraphParts } from './synth';
import { isPending, type AttrValue, type ChangeAction, type Edge, type ProviderRef, type Resource, type ResourceChange } from './types';
import { pending, readAttr } from './values';

const ACTIONS = new Set<string>(['create', 'update', 'delete', 'no-op', 'read']);

interface Instance {
  address: string;
  parsed: ParsedAddress;
  /** `parsed.modulePath` joined with dots (set once all instances are known). */
  moduleKey: string;
  planned?: Json;
  prior?: Json;
  change?: Json;
  changeJson?: Json;
  /** Terraform's reason when the change is listed in `deferred_changes`. */
  deferred?: string;
}

interface ModuleConfig {
  resources: Map<string, Json>;
  calls: Map<string, Json>;
  outputs: Json;
}

export function isPlanDocument(doc: Json): boolean {
  return 'planned_values' in doc || 'resource_changes' in doc || ('configuration' in doc && 'format_version' in doc);
}

export function isStateDocument(doc: Json): boolean {
  return isPlainObject(doc.values) && 'root_module' in doc.values && 'format_version' in doc;
}

export function buildPlanParts(docIn: unknown, file: string): GraphParts {
  const doc = expectObject(docIn, file, 'the document');
  const warnings: string[] = [];
  const instances = new Map<string, Instance>();

  const instanceFor = (address: string, where: string, partial = false): Instance => {
    let inst = instances.get(address);
    if (!inst) {
      // A deferred change may name instances not yet known: `module.m[*].google_x.y`, `google_x.y[*]`.
      const parsed = parseAddress(partial ? address.replace(/\[\*\]/g, '') : address);
      if (!parsed || parsed.rest.length > 0) throw new InputError(`${file}: ${where}.address ${JSON.stringify(address).slice(0, 120)} is not a Terraform resource address`);
      inst = { address, parsed, moduleKey: '' };
      instances.set(address, inst);
    }
    return inst;
  };

  /** The plan's own `index` field is the key itself, unescaped: it wins over parsing the address. */
  const takeIndex = (inst: Instance, index: unknown) => {
    if ((typeof index === 'string' || (typeof index === 'number' && Number.isInteger(index))) && inst.parsed.index !== undefined) {
      inst.parsed = { ...inst.parsed, index };
    }
  };

  const walkModule = (mod: unknown, where: string, slot: 'planned' | 'prior', depth: number) => {
    if (depth > 64) throw new InputError(`${file}: ${where} nests modules deeper than 64 levels`);
    const m = optionalObject(mod, file, where);
    if (!m) return;
    optionalArray(m.resources, file, `${where}.resources`).forEach((r, i) => {
      const res = expectObject(r, file, `${where}.resources[${i}]`);
      const address = res.address;
      if (typeof address !== 'string') throw new InputError(`${file}: ${where}.resources[${i}].address must be a string`);
      if ('values' in res && res.values !== null) optionalObject(res.values, file, `${where}.resources[${i}].values`);
      const inst = instanceFor(address, `${where}.resources[${i}]`);
      inst[slot] = res;
      takeIndex(inst, res.index);
    });
    optionalArray(m.child_modules, file, `${where}.child_modules`).forEach((c, i) =>
      walkModule(c, `${where}.child_modules[${i}]`, slot, depth + 1),
    );
  };

  let isState = false;
  if (!isPlanDocument(doc) && isStateDocument(doc)) {
    isState = true;
    walkModule((doc.values as Json).root_module, 'values.root_module', 'planned', 0);
  } else {
    const planned = optionalObject(doc.planned_values, file, 'planned_values');
    if (planned) walkModule(planned.root_module, 'planned_values.root_module', 'planned', 0);
    const prior = optionalObject(doc.prior_state, file, 'prior_state');
    const priorValues = prior ? optionalObject(prior.values, file, 'prior_state.values') : undefined;
    if (priorValues) walkModule(priorValues.root_module, 'prior_state.values.root_module', 'prior', 0);
    if (doc.errored === true) {
      throw new InputError(
        `${file}: the plan errored ("errored": true): Terraform stopped planning part way, so the plan is incomplete and cannot be applied; fix the errors terraform plan reported and verify the new plan`,
      );
    }
    const readChange = (rc: unknown, where: string, deferred?: string) => {
      const c = expectObject(rc, file, where);
      if (typeof c.address !== 'string') throw new InputError(`${file}: ${where}.address must be a string`);
      const change = expectObject(c.change, file, `${where}.change`);
      // Terraform writes values as objects (null when absent) and the unknown / sensitive maps as
      // objects or booleans; anything else is a damaged plan, not a value pending until apply.
      for (const key of ['before', 'after'] as const) {
        const v = change[key];
        if (v !== undefined && v !== null && !isPlainObject(v)) throw new InputError(`${file}: ${where}.change.${key} must be an object or null, found ${kindOf(v)}`);
      }
      for (const key of ['after_unknown', 'before_sensitive', 'after_sensitive'] as const) {
        const v = change[key];
        if (v !== undefined && v !== null && typeof v !== 'boolean' && !isPlainObject(v)) {
          throw new InputError(`${file}: ${where}.change.${key} must be an object or a boolean, found ${kindOf(v)}`);
        }
      }
      const actions = expectArray(change.actions, file, `${where}.change.actions`);
      for (const a of actions) {
        if (typeof a !== 'string' || (!ACTIONS.has(a) && a !== 'forget')) {
          throw new InputError(`${file}: ${where}.change.actions holds ${JSON.stringify(a)}, expected create, update, delete, no-op or read`);
        }
      }
      if (c.deposed !== undefined) {
        warnings.push(`${c.address} (deposed object ${String(c.deposed)}): a leftover of an earlier replace, ${actions.join('/')}; not modelled`);
        return;
      }
      const inst = instanceFor(c.address, where, deferred !== undefined);
      takeIndex(inst, c.index);
      inst.change = change;
      inst.changeJson = c;
      if (deferred !== undefined) inst.deferred = deferred;
    };
    optionalArray(doc.resource_changes, file, 'resource_changes').forEach((rc, i) => readChange(rc, `resource_changes[${i}]`));
    // Changes Terraform put off to a later round (deferred actions) are judged for what they show.
    const deferredChanges = optionalArray(doc.deferred_changes, file, 'deferred_changes');
    deferredChanges.forEach((d, i) => {
      const where = `deferred_changes[${i}]`;
      const entry = expectObject(d, file, where);
      const reason = optionalString(entry.reason, file, `${where}.reason`) ?? 'deferred';
      readChange(entry.resource_change, `${where}.resource_change`, reason);
    });
    if (doc.complete === false || deferredChanges.length > 0) {
      warnings.push(
        `${file}: the plan is incomplete ("complete": false${deferredChanges.length > 0 ? `, ${deferredChanges.length} deferred change(s)` : ''}): Terraform needs another plan and apply round after this one; judged on what this plan shows`,
      );
    }
  }

  // -------------------------------------------------------------- configuration index
  const configuration = optionalObject(doc.configuration, file, 'configuration');
  const modules = new Map<string, ModuleConfig>();
  const indexModule = (mod: unknown, key: string, where: string, depth: number) => {
    if (depth > 64) throw new InputError(`${file}: ${where} nests module calls deeper than 64 levels`);
    const m = optionalObject(mod, file, where);
    if (!m) return;
    const cfg: ModuleConfig = { resources: new Map(), calls: new Map(), outputs: optionalObject(m.outputs, file, `${where}.outputs`) ?? {} };
    optionalArray(m.resources, file, `${where}.resources`).forEach((r, i) => {
      const res = expectObject(r, file, `${where}.resources[${i}]`);
      if (typeof res.address === 'string') cfg.resources.set(res.address, res);
    });
    const calls = optionalObject(m.module_calls, file, `${where}.module_calls`) ?? {};
    for (const [name, call] of Object.entries(calls)) {
      const c = expectObject(call, file, `${where}.module_calls.${name}`);
      cfg.calls.set(name, c);
      indexModule(c.module, key === '' ? name : `${key}.${name}`, `${where}.module_calls.${name}.module`, depth + 1);
    }
    modules.set(key, cfg);
  };
  if (configuration) indexModule(configuration.root_module, '', 'configuration.root_module', 0);

  // -------------------------------------------------------------- providers
  const providers = new Map<string, ProviderRef>();
  /** `constant_value`s are Terraform JSON like synth values; their references stay raw. */
  const constants = new SynthValueNormaliser({ resolveTemplate: (template) => referencesInTemplate(template), warn: (m) => warnings.push(m) });
  const providerConfig = configuration ? optionalObject(configuration.provider_config, file, 'configuration.provider_config') ?? {} : {};
  for (const [key, raw] of Object.entries(providerConfig)) {
    const p = expectObject(raw, file, `configuration.provider_config.${key}`);
    const name = optionalString(p.name, file, `configuration.provider_config.${key}.name`) ?? key.replace(/^.*:/, '').split('.')[0];
    const ref: ProviderRef = { key, name };
    const alias = optionalString(p.alias, file, `configuration.provider_config.${key}.alias`);
    if (alias) ref.alias = alias;
    const expressions = optionalObject(p.expressions, file, `configuration.provider_config.${key}.expressions`) ?? {};
    const moduleAddress = typeof p.module_address === 'string' ? p.module_address : '';
    for (const attr of ['region', 'project'] as const) {
      const e = expressions[attr];
      if (!isPlainObject(e)) continue;
      const value = expressionValue(e, `provider ${key}`, attr, moduleAddress);
      if (value !== undefined) ref[attr] = value;
    }
    providers.set(key, ref);
  }

  function expressionValue(e: Json, where: string, attr: string, moduleAddress: string): AttrValue | undefined {
    if ('constant_value' in e) {
      constants.where = where;
      // configuration.provider_config.<key>.expressions.<attr>.constant_value (the plan is depth-checked already)
      return constants.attribute(attr, e.constant_value, 6);
    }
    if (Array.isArray(e.references)) {
      const refs = e.references.filter((r): r is string => typeof r === 'string');
      const ctxPath = moduleAddress === '' ? [] : modulePathOf(moduleAddress);
      const ctxKey = ctxPath.join('.');
      return pending('expression', unique(refs.flatMap((r) => resolveRef(r, ctxPath, ctxKey, undefined))));
    }
    return undefined;
  }

  // -------------------------------------------------------------- reference resolution
  /** `${modulePath}|${configAddress}` -> instance addresses. */
  const byConfig = new Map<string, Instance[]>();
  const moduleInstances = new Set<string>();
  for (const inst of instances.values()) {
    const { modulePath } = inst.parsed;
    inst.moduleKey = modulePath.join('.');
    const k = `${inst.moduleKey}|${configAddress(inst.parsed)}`;
    const list = byConfig.get(k);
    if (list) list.push(inst);
    else byConfig.set(k, [inst]);
    for (let i = 1; i < modulePath.length; i++) moduleInstances.add(modulePath.slice(0, i).join('.'));
    if (modulePath.length > 0) moduleInstances.add(inst.moduleKey);
  }

  function modulePathOf(moduleAddress: string): string[] {
    const parsed = parseAddress(`${moduleAddress}.x_x.x`);
    return parsed ? parsed.modulePath : [];
  }

  const moduleConfigFor = (modulePath: string[]): ModuleConfig | undefined =>
    modules.get(modulePath.map((m) => /^module\.([^[]+)/.exec(m)?.[1] ?? m).join('.'));

  /** The configuration of a module instance, looked up once per instance key (`module.a["k"].module.b`). */
  const configByModuleKey = new Map<string, ModuleConfig | undefined>();
  const moduleConfigAt = (modulePath: string[], moduleKey: string): ModuleConfig | undefined => {
    if (!configByModuleKey.has(moduleKey)) configByModuleKey.set(moduleKey, moduleConfigFor(modulePath));
    return configByModuleKey.get(moduleKey);
  };

  /**
   * Raw reference in module instance `ctx` (`ctxKey` is it joined with dots) -> addresses,
   * memoised per load. `seen` holds the references met on the way through module variables
   * and outputs (none yet at the top), so a cycle ends.
   */
  const memo = new Map<string, string[]>();
  function resolveRef(raw: string, ctx: string[], ctxKey: string, seen: Set<string> | undefined): string[] {
    const memoKey = `${ctxKey}|${raw}`;
    const cached = memo.get(memoKey);
    if (cached) return cached;
    if (seen?.has(memoKey)) return [];
    const visiting = seen ?? new Set<string>();
    visiting.add(memoKey);
    const result = resolveUncached(raw, ctx, ctxKey, visiting);
    memo.set(memoKey, result);
    return result;
  }

  function resolveUncached(raw: string, ctx: string[], ctxKey: string, seen: Set<string>): string[] {
    const steps = parseSteps(raw);
    if (!steps || steps.length < 2) return [];
    const root = steps[0].name;
    if (root === 'var') {
      if (ctx.length === 0) return [`var.${steps[1].name}`];
      const parent = ctx.slice(0, -1);
      const last = ctx[ctx.length - 1];
      // ctxKey without its last module call (and the dot before it).
      const parentKey = ctxKey.slice(0, Math.max(0, ctxKey.length - last.length - 1));
      const parentCfg = moduleConfigAt(parent, parentKey);
      const callName = /^module\.([^[]+)/.exec(last)?.[1] ?? '';
      const call = parentCfg?.calls.get(callName);
      const exprs = call && isPlainObject(call.expressions) ? call.expressions : {};
      const e = exprs[steps[1].name];
      if (!isPlainObject(e) || !Array.isArray(e.references)) return [];
      return unique(e.references.filter((r): r is string => typeof r === 'string').flatMap((r) => resolveRef(r, parent, parentKey, seen)));
    }
    if (root === 'module') {
      const call = steps[1];
      const outputName = steps[2]?.name;
      const prefix = ctx.length === 0 ? '' : `${ctx.join('.')}.`;
      const children = [...moduleInstances].filter((m) => {
        if (!m.startsWith(`${prefix}module.${call.name}`)) return false;
        const rest = m.slice(`${prefix}module.${call.name}`.length);
        const own = /^(\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?$/.exec(rest);
        if (!own) return false;
        return call.key === undefined || rest === formatKey(call.key);
      });
      const childCfg = moduleConfigFor([...ctx, `module.${call.name}`]);
      const output = outputName && childCfg ? childCfg.outputs[outputName] : undefined;
      const expr = isPlainObject(output) && isPlainObject(output.expression) ? output.expression : undefined;
      if (!expr || !Array.isArray(expr.references)) return [];
      const refs = expr.references.filter((r): r is string => typeof r === 'string');
      return unique(children.flatMap((child) => {
        const childPath = parseChildPath(child);
        const childKey = childPath.join('.');
        return refs.flatMap((r) => resolveRef(r, childPath, childKey, seen));
      }));
    }
    let type: string;
    let name: string;
    let key: AddressKey | undefined;
    let mode: 'managed' | 'data' = 'managed';
    if (root === 'data') {
      if (steps.length < 3) return [];
      mode = 'data';
      type = steps[1].name;
      name = steps[2].name;
      key = steps[2].key;
    } else if (isResourceType(root)) {
      type = root;
      name = steps[1].name;
      key = steps[1].key;
    } else if (root === 'local') {
      // Plan JSON holds no locals: the reference is kept by name (never an edge) and reported
      // where it leaves a value pending.
      return [`${ctx.length > 0 ? `${ctxKey}.` : ''}local.${steps[1].name}`];
    } else {
      return []; // each.*, count.*, path.*: not resources
    }
    const found = byConfig.get(`${ctxKey}|${configAddress({ mode, type, name })}`) ?? [];
    const picked = key === undefined ? found : found.filter((i) => i.parsed.index === key);
    return picked.map((i) => i.address);
  }

  function parseChildPath(modulePathText: string): string[] {
    return modulePathOf(modulePathText);
  }

  // -------------------------------------------------------------- resources
  const resources: Resource[] = [];
  const removed: Resource[] = [];
  const edges: Edge[] = [];
  /** What `normalisePlanValue` reads, pointed at each instance in turn (one object, not closures per instance). */
  const valueContext = {
    resolvedByPath: EMPTY_REFS,
    sensitivePaths: [] as string[],
    where: '',
    referencesAt(path: string): string[] {
      return this.resolvedByPath.get(path) ?? [];
    },
    warn: (m: string) => warnings.push(m),
  };

  for (const inst of instances.values()) {
    const { modulePath } = inst.parsed;
    const cfg = moduleConfigAt(modulePath, inst.moduleKey)?.resources.get(configAddress(inst.parsed));
    const refsByPath = cfg ? expressionRefsOf(cfg) : EMPTY_REFS;
    const resolvedByPath = refsByPath.size === 0 ? EMPTY_REFS : new Map<string, string[]>();
    const firstEdge = edges.length;
    for (const [path, raws] of refsByPath) {
      const targets = raws.length === 1 ? resolveRef(raws[0], modulePath, inst.moduleKey, undefined) : unique(raws.flatMap((r) => resolveRef(r, modulePath, inst.moduleKey, undefined)));
      (resolvedByPath as Map<string, string[]>).set(path, targets);
      for (const to of targets) {
        if (to === inst.address || !instances.has(to) || hasEdgeSince(edges, firstEdge, to, path)) continue;
        edges.push({ from: inst.address, to, attribute: path });
      }
    }

    const change = inst.change;
    const actions = change ? (change.actions as string[]).map((a) => (a === 'forget' ? 'no-op' : a)) as ChangeAction[] : undefined;
    const isPureDelete = actions !== undefined && actions.includes('delete') && !actions.includes('create');
    const sensitivePaths: string[] = [];
    const ctx = valueContext;
    ctx.resolvedByPath = resolvedByPath;
    ctx.sensitivePaths = sensitivePaths;
    ctx.where = inst.address;

    let raw: unknown;
    let unknown: unknown;
    let sensitive: unknown;
    let valuesPending = false;
    if (isPureDelete) {
      raw = change!.before;
      sensitive = change!.before_sensitive;
    } else if (inst.planned && isPlainObject(inst.planned.values)) {
      raw = inst.planned.values;
      unknown = change?.after_unknown;
      sensitive = mergeSensitive(inst.planned.sensitive_values, change?.after_sensitive);
    } else if (change && isPlainObject(change.after)) {
      raw = change.after;
      unknown = change.after_unknown;
      sensitive = change.after_sensitive;
    } else if (change && change.after_unknown === true) {
      valuesPending = true;
    } else if (change && actions!.includes('read')) {
      valuesPending = true;
      unknown = change.after_unknown;
    } else if (inst.prior && isPlainObject(inst.prior.values)) {
      raw = inst.prior.values;
      sensitive = inst.prior.sensitive_values;
    } else {
      valuesPending = true;
    }
    // A `read` in the plan is a data source deferred to apply: whatever `after` omits is computed then.
    if (actions?.includes('read') && inst.parsed.mode === 'data') valuesPending = true;
    if (raw !== undefined && raw !== null && !isPlainObject(raw)) {
      throw new InputError(`${file}: values of ${inst.address} must be an object`);
    }
    const normalised = normalisePlanValue(raw ?? {}, unknown, sensitive, ctx, '');
    const values = isPlainObject(normalised) ? (normalised as Record<string, AttrValue>) : {};
    for (const [path, targets] of resolvedByPath) {
      if (!targets.some(isLocalReference) || targets.some((t) => instances.has(t))) continue;
      const locals = targets.filter(isLocalReference);
      const v = readAttr({ values, valuesPending }, path);
      if (v !== undefined && isPending(v)) {
        warnings.push(`${inst.address}: ${path} comes from ${locals.join(', ')}, which plan JSON does not define, and is known only at apply: what it refers to is unknown`);
      }
    }

    const providerKey = typeof cfg?.provider_config_key === 'string' ? cfg.provider_config_key : undefined;
    const provider = (providerKey ? providers.get(providerKey) : undefined) ?? defaultProvider(inst, providers);

    const resource: Resource = {
      address: inst.address,
      mode: inst.parsed.mode,
      type: inst.parsed.type,
      name: inst.parsed.name,
      modulePath: inst.parsed.modulePath,
      values,
      sensitivePaths: unique(sensitivePaths),
    };
    if (inst.parsed.index !== undefined) resource.index = inst.parsed.index;
    if (inst.deferred !== undefined && (inst.deferred === 'instance_count_unknown' || inst.address.includes('[*]'))) resource.instancesPending = true;
    if (provider) resource.provider = provider;
    if (valuesPending) resource.valuesPending = true;
    if (actions) {
      const rc: ResourceChange = { actions, replace: actions.includes('delete') && actions.includes('create') };
      const reason = inst.changeJson?.action_reason;
      if (typeof reason === 'string') rc.actionReason = reason;
      if (inst.deferred !== undefined) rc.deferred = inst.deferred;
      if (Array.isArray(change!.replace_paths)) {
        rc.replacePaths = change!.replace_paths.filter(Array.isArray).map((p) => (p as unknown[]).filter((s): s is string | number => typeof s === 'string' || typeof s === 'number'));
      }
      resource.change = rc;
    } else if (isState) {
      resource.change = { actions: ['no-op'], replace: false };
    }
    const deps = cfg && Array.isArray(cfg.depends_on) ? cfg.depends_on.filter((d): d is string => typeof d === 'string') : [];
    if (deps.length > 0) {
      const dependsOn = unique(deps.flatMap((d) => resolveRef(d, modulePath, inst.moduleKey, undefined)));
      resource.meta = { dependsOn };
      for (const to of dependsOn) {
        if (instances.has(to) && to !== inst.address) edges.push({ from: inst.address, to, attribute: 'depends_on' });
      }
    }
    assignRegion(resource, provider);
    (isPureDelete ? removed : resources).push(resource);
  }

  if (instances.size === 0 && !configuration) {
    warnings.push(`${file}: the plan lists no resources`);
  }
  return { resources, removed, edges, providers: [...providers.values()], warnings };
}

const LOCAL_REFERENCE = /(^|\.)local\.[^.]+$/;

/** `local.x` or `module.m.local.x`: a local, which plan JSON does not define. */
function isLocalReference(target: string): boolean {
  return target.includes('local.') && LOCAL_REFERENCE.test(target);
}

function defaultProvider(inst: Instance, providers: Map<string, ProviderRef>): ProviderRef | undefined {
  const providerName = (inst.planned?.provider_name ?? inst.changeJson?.provider_name) as unknown;
  const short = typeof providerName === 'string' ? providerName.split('/').pop()! : inst.parsed.type.split('_')[0];
  const moduleKey = inst.parsed.modulePath.length > 0 ? `${inst.moduleKey}:${short}` : undefined;
  return (moduleKey ? providers.get(moduleKey) : undefined) ?? providers.get(short);
}

const EMPTY_REFS: ReadonlyMap<string, string[]> = new Map();
/** Per configuration resource, shared by all its instances (count / for_each). */
const expressionRefsCache = new WeakMap<Json, Map<string, string[]>>();

function expressionRefsOf(cfg: Json): ReadonlyMap<string, string[]> {
  let refs = expressionRefsCache.get(cfg);
  if (!refs) {
    refs = new Map();
    if (isPlainObject(cfg.expressions)) collectExpressionRefs(cfg.expressions, '', refs, 0);
    expressionRefsCache.set(cfg, refs);
  }
  return refs;
}

/** Config expressions -> attribute path -> raw references (block lists of one collapse like values do). */
function collectExpressionRefs(exprs: Json, path: string, out: Map<string, string[]>, depth: number): void {
  if (depth > 32) return;
  for (const [key, e] of Object.entries(exprs)) {
    const p = path === '' ? key : `${path}.${key}`;
    if (Array.isArray(e)) {
      e.forEach((block, i) => {
        if (isPlainObject(block)) collectExpressionRefs(block, e.length === 1 ? p : `${p}.${i}`, out, depth + 1);
      });
    } else if (isPlainObject(e)) {
      if (Array.isArray(e.references)) {
        out.set(p, e.references.filter((r): r is string => typeof r === 'string'));
      } else if (!('constant_value' in e)) {
        collectExpressionRefs(e, p, out, depth + 1);
      }
    }
  }
}

/** A path is sensitive when either map says so. */
function mergeSensitive(a: unknown, b: unknown): unknown {
  if (a === true || b === true) return true;
  if (a === undefined || a === null || a === false) return b;
  if (b === undefined || b === null || b === false) return a;
  if (Array.isArray(a) || Array.isArray(b)) {
    const la = Array.isArray(a) ? a : [];
    const lb = Array.isArray(b) ? b : [];
    return Array.from({ length: Math.max(la.length, lb.length) }, (_, i) => mergeSensitive(la[i], lb[i]));
  }
  if (isPlainObject(a) || isPlainObject(b)) {
    const oa = isPlainObject(a) ? a : {};
    const ob = isPlainObject(b) ? b : {};
    const out: Json = {};
    for (const k of new Set([...Object.keys(oa), ...Object.keys(ob)])) out[k] = mergeSensitive(oa[k], ob[k]);
    return out;
  }
  return false;
}

function unique(list: string[]): string[] {
  return list.length < 2 ? list : [...new Set(list)];
}
