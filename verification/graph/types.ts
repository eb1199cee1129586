/**
 * The resource graph every analysis reads, whatever the input was (a synth folder, one
 * cdk.tf.json, or `terraform show -json` plan output).
 *
 * Attribute values are normalised so rules read one shape:
 * - nested blocks are objects when the input had a single-element list (plans write
 *   `[ {...} ]`, synth writes `{...}`); lists of several blocks stay lists;
 * - a value not known until apply is a `Pending`, never `undefined`, `null` or "";
 * - `"//"` metadata keys are never attributes.
 */

/** A value that exists but is not known before apply. */
export interface Pending {
  readonly $pending: true;
  /**
   * after_unknown: a plan said the value is computed at apply;
   * expression: a `${...}` interpolation in synth output or a plan expression;
   * token: a CDK token object found where a literal belongs.
   */
  readonly reason: 'after_unknown' | 'expression' | 'token';
  /** The raw expression text when there is one, e.g. `${google_pubsub_topic.dl.id}`. */
  readonly expression?: string;
  /** Addresses of the resources (or data sources, variables, locals) it refers to. */
  readonly references: readonly string[];
}

export type AttrValue =
  | null
  | boolean
  | number
  | string
  | Pending
  | AttrValue[]
  | { [key: string]: AttrValue };

export type ChangeAction = 'create' | 'update' | 'delete' | 'no-op' | 'read';

export interface ResourceChange {
  /** As in the plan: ["create"], ["delete","create"] (replace), ["no-op"], ... */
  actions: ChangeAction[];
  /** True for delete-then-create or create-then-delete. */
  replace: boolean;
  actionReason?: string;
  replacePaths?: (string | number)[][];
  /** Set when the plan lists it in `deferred_changes`: Terraform's reason, e.g. `instance_count_unknown`. */
  deferred?: string;
}

export interface ProviderRef {
  /** Provider config key, e.g. "google" or "google.secondary" or "module.x:google". */
  key: string;
  name: string;
  alias?: string;
  region?: AttrValue;
  project?: AttrValue;
}

export interface Resource {
  /** Full Terraform address: `module.a["k"].google_pubsub_topic.t[0]`. */
  address: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  /** count index or for_each key, exactly as addressed. */
  index?: number | string;
  /** Module call chain, outermost first: ['module.a["k"]', 'module.b']. Empty at root. */
  modulePath: string[];
  /** Synth stack the resource came from, when the input is a synth folder. */
  stack?: string;
  provider?: ProviderRef;
  /** Normalised attributes (see file comment). Sensitive paths are replaced by Pending-free "(sensitive)". */
  values: Record<string, AttrValue>;
  /** Dot paths of attributes that were sensitive in the input; never printed. */
  sensitivePaths: string[];
  /** CDK construct path from `//.metadata.path`, when present. */
  constructPath?: string;
  /** Planned change, for plan input. Absent for synth input (everything is "create"). */
  change?: ResourceChange;
  /**
   * Region the resource lives in: from its own `region` / `location` / `zone` (a zone is
   * reduced to its region; multi-regions such as "US" stay as written), else its provider's.
   * Absent when neither is known (e.g. pending).
   */
  region?: string;
  /** Every region it spans, when more than one (Bigtable clusters); else `[region]`. */
  regions?: string[];
  /**
   * True when the input holds no values at all for it (a data source read at apply: plan
   * action `read` without `values`): every attribute reads as pending, never as missing.
   * Use `readAttr` from `graph/values.ts`, which honours this.
   */
  valuesPending?: boolean;
  /**
   * True when `count` / `for_each` is known only at apply (synth input): this one entry,
   * at the block's keyless address, stands for an unknown number of instances (maybe none).
   */
  instancesPending?: boolean;
  /** Meta-arguments, kept apart from attributes. */
  meta?: {
    count?: AttrValue;
    forEach?: AttrValue;
    dependsOn?: string[];
    lifecycle?: AttrValue;
  };
}

export interface Edge {
  /** The resource whose attribute holds the reference. */
  from: string;
  /** The resource referred to. */
  to: string;
  /** Dot path of the attribute holding the reference. */
  attribute: string;
}

/** `state`: `terraform show -json` of applied state (no plan): judged like a plan with no changes. */
export type InputKind = 'synth-folder' | 'cdk-tf-json' | 'plan' | 'state';

export interface Graph {
  source: { kind: InputKind; path: string };
  /** What exists after apply (for a plan: created, updated, replaced, kept, read). */
  resources: Resource[];
  /**
   * Resources the plan destroys without recreating (pure deletes exist only in
   * `resource_changes`). Not in `resources` nor `byAddress`, so analyses of the planned
   * design never count them; rules about changes read them here.
   */
  removed: Resource[];
  byAddress: ReadonlyMap<string, Resource>;
  edges: Edge[];
  providers: ProviderRef[];
  /** Spec found beside the input (spec.json), if any; validated by the loader. */
  specPath?: string;
  /** Input file per stack (synth folder) or the one input file, for report locations. */
  files?: Record<string, string>;
  /** Problems the loader met but could carry on from (token objects, unresolved refs). */
  warnings: string[];
}

export function isPending(v: unknown): v is Pending {
  return typeof v === 'object' && v !== null && (v as { $pending?: unknown }).$pending === true;
}
