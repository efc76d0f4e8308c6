/**
 * A state for a stack that has none: what the base's plan says the stack would hold once
 * applied, in Terraform's own state format, so that Terraform plans the change under review
 * against it and its own diff decides what is replaced and what is updated in place.
 *
 * Planned from an empty state, every resource is a create and a renamed target group is just
 * another create. Against this state, the same rename is a replacement forced by `name`, and
 * the listener rule forwarding to it an update of its action, as against the deployed state.
 *
 * Values known only after apply (IDs, ARNs, ...) get placeholders: deterministic, of the
 * attribute's type in the provider's schema, and unique per resource and attribute path, so
 * that a reference to them in another resource stays equal until the referenced resource is
 * replaced (when Terraform makes it unknown again).
 */
import { spawn } from "child_process";
import { createHash } from "crypto";
import * as path from "path";
import { deterministicUuid, findTerraform, Json, PlanJson, PlanResourceChange, terraformEnv, TerraformState } from "../terraform";
import { canonicalJson } from "./plan-changes";

/** A cty type as `terraform providers schema -json` writes it: `"string"`, `["list", "string"]`, `["object", {...}]`. */
export type CtyType = string | [string, unknown] | [string, unknown, unknown];

interface SchemaAttribute {
  readonly type?: CtyType;
  /** Attributes with nested attributes (protocol 6 providers). */
  readonly nested_type?: { readonly attributes: Readonly<Record<string, SchemaAttribute>>; readonly nesting_mode: NestingMode };
}

type NestingMode = "single" | "group" | "list" | "set" | "map";

export interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, SchemaAttribute>>;
  readonly block_types?: Readonly<Record<string, { readonly nesting_mode: NestingMode; readonly block: SchemaBlock }>>;
}

export interface ResourceSchema {
  /** The schema version a state of this resource type records (`schema_version`). */
  readonly version: number;
  readonly block: SchemaBlock;
}

/** The parts of `terraform providers schema -json` used here. */
export interface ProviderSchemas {
  readonly provider_schemas?: Readonly<Record<string, { readonly resource_schemas?: Readonly<Record<string, ResourceSchema>> }>>;
}

/** Schemas fetched in this process, by the providers a configuration requires: the aws provider's is 13 MB and takes seconds. */
const schemaCache = new Map<string, Promise<ProviderSchemas>>();

/**
 * The cache key of the schemas a plan needs: the providers its resources use (without `plan`:
 * none, which is enough for configurations that require every provider they use) and the
 * configuration's `required_providers`, which this app pins to exact versions.
 */
export function providersKey(config: { readonly terraform?: { readonly required_providers?: unknown } }, plan?: PlanJson): string {
  const used = [...new Set((plan?.resource_changes ?? []).filter((rc) => rc.mode === "managed").map((rc) => rc.provider_name))].sort();
  return canonicalJson({ required: config.terraform?.required_providers ?? {}, used });
}

/** Whether a plan has managed resources, whose schemas a synthetic state needs. */
export function needsSchemas(plan: PlanJson): boolean {
  return (plan.resource_changes ?? []).some((rc) => rc.mode === "managed");
}

/** The schemas cached for `key`, or undefined. */
export function cachedProviderSchemas(key: string): Promise<ProviderSchemas> | undefined {
  return schemaCache.get(key);
}

/**
 * `terraform providers schema -json` in an initialized `TerraformWorkdir` (its `terraform.tfrc`
 * points Terraform at the same mirror and plugin cache), cached under `key` for the process.
 */
export function providerSchemas(key: string, workdir: string): Promise<ProviderSchemas> {
  let schemas = schemaCache.get(key);
  if (schemas === undefined) {
    schemas = readSchemas(workdir);
    schemaCache.set(key, schemas);
    // A failed read is not cached: the next stack tries again and reports its own error.
    schemas.catch(() => schemaCache.delete(key));
  }
  return schemas;
}

function readSchemas(workdir: string): Promise<ProviderSchemas> {
  const terraform = findTerraform();
  if (terraform === undefined) return Promise.reject(new Error("terraform binary not found on PATH or in TERRAFORM_BIN"));
  const env = terraformEnv(path.join(workdir, "terraform.tfrc"));
  return new Promise((resolve, reject) => {
    const child = spawn(terraform, ["providers", "schema", "-json"], { cwd: workdir, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`terraform providers schema -json in ${workdir} exited with ${code}: ${Buffer.concat(err).toString().trim()}`));
      else resolve(JSON.parse(Buffer.concat(out).toString()) as ProviderSchemas);
    });
  });
}


/**
 * The placeholder for a string known only after apply, e.g.
 * `synthetic:aws_lb_target_group.load_balancer_element.arn_suffix`. Where the attribute's
 * name says it holds ARNs (`arn`, `*_arn`, `*_arns`) it is shaped as one,
 * `arn:aws:synthetic::000000000000:<address>/<path>`: the aws provider validates ARNs at plan
 * time, in the resources that reference them.
 */
export function syntheticPlaceholder(address: string, attributePath: string): string {
  const name = /([A-Za-z0-9_]+)(\[[^\]]*\])*$/.exec(attributePath)?.[1] ?? "";
  if (name === "arn" || name.endsWith("_arn") || name.endsWith("_arns")) {
    return `arn:aws:synthetic::000000000000:${address}/${attributePath}`;
  }
  const idPrefix = attributePath === "id" ? AWS_ID_PREFIXES[resourceType(address)] : undefined;
  if (idPrefix !== undefined) {
    // 17 hex digits, as EC2 and EFS IDs have them, derived from the address: the same base gives the same state.
    return `${idPrefix}-${createHash("sha256").update(address).digest("hex").slice(0, 17)}`;
  }
  return `synthetic:${address}.${attributePath}`;
}

/**
 * ID prefixes of the resource types whose IDs the aws provider validates at plan time where
 * another resource references them (an Auto Scaling group's `launch_template.id` must start
 * with `lt-`), or that reviewers recognise at a glance.
 */
const AWS_ID_PREFIXES: Readonly<Record<string, string>> = {
  aws_launch_template: "lt",
  aws_security_group: "sg",
  aws_subnet: "subnet",
  aws_vpc: "vpc",
  aws_efs_file_system: "fs",
  aws_efs_mount_target: "fsmt",
};

/** `aws_lb.main` or `module.x.aws_lb.main[0]`: the resource type, the part before the resource name. */
function resourceType(address: string): string {
  const parts = address.replace(/\[[^\]]*\]/g, "").split(".");
  return parts.length >= 2 ? parts[parts.length - 2] : "";
}

/**
 * The state the base's plan (`terraform show -json`, planned from an empty state) leaves once
 * applied: each managed resource it creates, with its planned values; `config` is the stack's
 * synthesized JSON, whose expressions give what an apply would put where the plan says
 * "known after apply" (see `SyntheticStateBuilder`). Data sources are left out: Terraform
 * reads them again in every plan. Same plan, schemas and config, byte-identical state.
 */
export function syntheticState(plan: PlanJson, schemas: ProviderSchemas, config: Json = {}): TerraformState {
  return new SyntheticStateBuilder(plan, schemas, config).state();
}

/**
 * Where the base's plan has a value known only after apply, an apply leaves:
 * - for an argument the configuration sets from other resources (`"${aws_ecs_cluster.cluster.arn}"`),
 *   what those resources hold in this state, so that the reference plans as unchanged;
 * - for a computed attribute that is the resource's `id` or that some expression of the stack
 *   reads (an `arn`, a `name`), a placeholder of its type, unique to resource and path;
 * - for any other computed attribute, the zero value of its type (`""`, 0, false, an empty
 *   collection), which is what the aws provider (plugin SDK v2) records for an attribute AWS
 *   leaves unset, and which its plan leaves alone: a made-up value there (a `protocol_version`
 *   that is not `HTTP1`, say) plans as a replacement no real state would see, and null as an
 *   update from null to `""` or to "known after apply".
 * An expression this cannot evaluate (a function call, a template directive) gets a placeholder.
 * What Terraform still plans against this state for the base itself, the review lists as
 * "already planned at base", apart from the change.
 */
class SyntheticStateBuilder {
  private readonly changes = new Map<string, PlanResourceChange>();
  private readonly filled = new Map<string, Json>();
  private readonly filling = new Set<string>();
  /** `type.name.attribute` of every resource attribute an expression of the stack reads. */
  private readonly referenced = new Set<string>();

  constructor(
    private readonly plan: PlanJson,
    private readonly schemas: ProviderSchemas,
    private readonly config: Json,
  ) {
    for (const rc of plan.resource_changes ?? []) {
      if (rc.mode !== "managed") continue;
      if (rc.change.actions.join(",") !== "create") {
        throw new Error(
          `${rc.address}: a synthetic state is built from a plan from an empty state, where every resource is a create; this one plans [${rc.change.actions.join(", ")}].`,
        );
      }
      this.changes.set(rc.address, rc);
    }
    collectReferences(config, this.referenced);
  }

  state(): TerraformState {
    const resources = new Map<string, Json>();
    for (const rc of this.changes.values()) {
      const key = `${rc.module_address ?? ""}|${rc.type}.${rc.name}`;
      let resource = resources.get(key);
      if (resource === undefined) {
        resource = {
          ...(rc.module_address ? { module: rc.module_address } : {}),
          mode: "managed",
          type: rc.type,
          name: rc.name,
          provider: providerAddress(this.plan, rc),
          instances: [],
        };
        resources.set(key, resource);
      }
      resource.instances.push({
        ...(rc.index !== undefined ? { index_key: rc.index } : {}),
        schema_version: this.schema(rc).version,
        attributes: this.attributes(rc.address),
        sensitive_attributes: [],
      });
    }
    const sorted = [...resources.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, resource]) => resource);
    return {
      version: 4,
      // The Terraform that planned the base, so never newer than the one that plans against it.
      terraform_version: this.plan.terraform_version,
      serial: 1,
      lineage: deterministicUuid(canonicalJson(sorted)),
      outputs: {},
      resources: sorted,
    };
  }

  private schema(rc: PlanResourceChange): ResourceSchema {
    const schema = this.schemas.provider_schemas?.[rc.provider_name]?.resource_schemas?.[rc.type];
    if (schema === undefined) {
      throw new Error(`${rc.address}: the schemas of ${Object.keys(this.schemas.provider_schemas ?? {}).join(", ") || "no provider"} have no resource type ${rc.type} of ${rc.provider_name}.`);
    }
    return schema;
  }

  /** The attributes of a resource in the state, filled on first use (a reference fills the resource it reads first). */
  private attributes(address: string): Json {
    const done = this.filled.get(address);
    if (done !== undefined) return done;
    const rc = this.changes.get(address)!;
    this.filling.add(address);
    try {
      const raw = rc.module_address || rc.index !== undefined ? undefined : this.config.resource?.[rc.type]?.[rc.name];
      const context: FillContext = { address, resource: `${rc.type}.${rc.name}`, builder: this };
      const attributes = this.fillBlock(this.schema(rc).block, rc.change.after, rc.change.after_unknown, raw, context, "");
      this.filled.set(address, attributes);
      return attributes;
    } finally {
      this.filling.delete(address);
    }
  }

  /** What `${<traversal>}` reads in this state, or undefined when it reads something else or a value this state leaves null. */
  resolve(traversal: string): unknown {
    const match = /^([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)((?:\[\d+\])?)((?:\.[A-Za-z0-9_-]+|\[\d+\])+)$/.exec(traversal);
    if (match === null || NOT_RESOURCES.has(match[1])) return undefined;
    const [, type, name, index, rest] = match;
    const address = `${type}.${name}${index}`;
    if (!this.changes.has(address) || this.filling.has(address)) return undefined;
    let value: unknown = this.attributes(address);
    for (const step of rest.match(/\.[A-Za-z0-9_-]+|\[\d+\]/g) ?? []) {
      if (value === null || typeof value !== "object") return undefined;
      value = step.startsWith("[") ? (value as unknown[])[Number(step.slice(1, -1))] : (value as Json)[step.slice(1)];
    }
    return value ?? undefined;
  }

  isReferenced(resource: string, attribute: string): boolean {
    return this.referenced.has(`${resource}.${attribute}`);
  }

  private fillBlock(block: SchemaBlock, value: unknown, unknown: unknown, raw: unknown, context: FillContext, where: string): Json {
    const values = asObject(value);
    const unknowns = asObject(unknown);
    const raws = asObject(raw);
    const out: Json = {};
    for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
      out[name] = this.fillAttribute(attribute, values[name], unknowns[name], raws[name], context, join(where, name));
    }
    for (const [name, nested] of Object.entries(block.block_types ?? {})) {
      const at = join(where, name);
      if (unknowns[name] === true) {
        // A whole block unknown (computed, or a dynamic block over unknown values): none, as after an apply that made none.
        out[name] = nested.nesting_mode === "single" ? null : nested.nesting_mode === "map" ? {} : nested.nesting_mode === "group" ? this.fillBlock(nested.block, {}, {}, undefined, context, at) : [];
        continue;
      }
      out[name] = this.fillNested(nested.nesting_mode, values[name], unknowns[name], raws[name], (v, u, r, i) => this.fillBlock(nested.block, v, u, r, context, `${at}${i}`));
    }
    return out;
  }

  private fillAttribute(attribute: SchemaAttribute, value: unknown, unknown: unknown, raw: unknown, context: FillContext, where: string): unknown {
    if (attribute.nested_type !== undefined) {
      const { attributes, nesting_mode } = attribute.nested_type;
      const block: SchemaBlock = { attributes };
      if (unknown === true) return nesting_mode === "single" ? null : nesting_mode === "map" ? {} : [];
      if (value === null || value === undefined) return null;
      return this.fillNested(nesting_mode, value, unknown, raw, (v, u, r, i) => this.fillBlock(block, v, u, r, context, `${where}${i}`));
    }
    return this.fillValue(attribute.type ?? "dynamic", value, unknown, raw, context, where, true);
  }

  /**
   * A value of cty type `type` from the plan's `after` and `after_unknown`. `topLevel`: a
   * `dynamic` attribute is stored in state with its type (`{"value": ..., "type": ...}`),
   * a dynamic value nested in a typed one is not.
   */
  private fillValue(type: CtyType, value: unknown, unknown: unknown, raw: unknown, context: FillContext, where: string, topLevel: boolean): unknown {
    if (type === "dynamic") {
      const filled = unknown === true ? this.afterApply(type, raw, context, where) : value;
      if (filled === null || filled === undefined) return null;
      return topLevel ? { value: filled, type: impliedType(filled) } : filled;
    }
    if (unknown === true) return this.afterApply(type, raw, context, where);
    if (value === null || value === undefined) return null;
    if (typeof type === "string") return value;
    const [kind, element] = type;
    const raws = Array.isArray(raw) ? raw : [];
    switch (kind) {
      case "list":
      case "set": {
        const aligned = kind === "set" ? this.alignSet(value as unknown[], unknown, raws) : raws;
        return (value as unknown[]).map((v, i) => this.fillValue(element as CtyType, v, Array.isArray(unknown) ? unknown[i] : undefined, aligned[i], context, `${where}[${i}]`, false));
      }
      case "map":
        return Object.fromEntries(
          Object.entries(value as Json).map(([k, v]) => [k, this.fillValue(element as CtyType, v, asObject(unknown)[k], asObject(raw)[k], context, `${where}[${JSON.stringify(k)}]`, false)]),
        );
      case "tuple":
        return (element as CtyType[]).map((t, i) => this.fillValue(t, (value as unknown[])[i], Array.isArray(unknown) ? unknown[i] : undefined, raws[i], context, `${where}[${i}]`, false));
      case "object":
        return Object.fromEntries(
          Object.entries(element as Record<string, CtyType>).map(([k, t]) => [
            k,
            this.fillValue(t, (value as Json)[k], asObject(unknown)[k], asObject(raw)[k], context, join(where, k), false),
          ]),
        );
      default:
        throw new Error(`${context.address}.${where}: unknown cty type ${JSON.stringify(type)}`);
    }
  }

  /** What an apply leaves for a value the plan knows only after apply (see the class comment). */
  private afterApply(type: CtyType, raw: unknown, context: FillContext, where: string): unknown {
    if (raw !== undefined && raw !== null) {
      const evaluated = coerce(evaluate(raw, this), type);
      return evaluated !== undefined ? evaluated : placeholder(type, context.address, where);
    }
    const attribute = /^[A-Za-z0-9_-]+/.exec(where)?.[0] ?? where;
    return where === "id" || (where === attribute && this.isReferenced(context.resource, attribute)) ? placeholder(type, context.address, where) : zeroValue(type);
  }

  /**
   * The configuration's elements of a set, in the order of the plan's: Terraform orders set
   * elements by their value, the configuration as written. An element with values known only
   * after apply is matched to the configured element that agrees with all it knows.
   */
  alignSet(values: readonly unknown[], unknowns: unknown, raws: readonly unknown[]): unknown[] {
    if (raws.length !== values.length) return [];
    const unknownAt = (i: number) => (Array.isArray(unknowns) ? unknowns[i] : undefined);
    const evaluated = raws.map((raw) => ({ raw, value: evaluate(raw, this) ?? raw }));
    const unused = new Set(evaluated.keys());
    return values.map((value, i) => {
      const match = [...unused].find((j) => agrees(value, unknownAt(i), evaluated[j].value));
      if (match === undefined) return undefined;
      unused.delete(match);
      return evaluated[match].raw;
    });
  }

  /** Blocks as the plan lists them; the synthesized JSON writes a single block of a list as an object. */
  private fillNested(
    mode: NestingMode,
    value: unknown,
    unknown: unknown,
    raw: unknown,
    fill: (value: unknown, unknown: unknown, raw: unknown, index: string) => Json,
  ): unknown {
    const raws = Array.isArray(raw) ? raw : raw !== null && raw !== undefined ? [raw] : [];
    const aligned = mode === "set" && Array.isArray(value) ? this.alignSet(value, unknown, raws) : raws;
    switch (mode) {
      case "single":
      case "group":
        return value === null || value === undefined ? (mode === "group" ? fill({}, {}, undefined, "") : null) : fill(value, unknown, raws[0], "");
      case "list":
      case "set":
        return (Array.isArray(value) ? value : []).map((v, i) => fill(v, Array.isArray(unknown) ? unknown[i] : undefined, aligned[i], `[${i}]`));
      case "map":
        return Object.fromEntries(Object.entries(asObject(value)).map(([k, v]) => [k, fill(v, asObject(unknown)[k], asObject(raw)[k], `[${JSON.stringify(k)}]`)]));
    }
  }
}

interface FillContext {
  /** The resource instance's address, for placeholders and errors. */
  readonly address: string;
  /** `type.name`, as expressions reference it. */
  readonly resource: string;
  readonly builder: SyntheticStateBuilder;
}

/** First words of traversals that do not read a managed resource of the stack. */
const NOT_RESOURCES = new Set(["data", "var", "local", "module", "path", "terraform", "count", "each", "self"]);

/** `type.name.attribute` of every `${...}` traversal in the synthesized JSON. */
function collectReferences(value: unknown, into: Set<string>): void {
  if (typeof value === "string") {
    for (const expression of value.match(/\$\{[^}]*\}/g) ?? []) {
      for (const m of expression.matchAll(/(?<![\w.\]"-])([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)(?:\[\d+\])?\.([A-Za-z0-9_]+)/g)) {
        if (!NOT_RESOURCES.has(m[1])) into.add(`${m[1]}.${m[2]}.${m[3]}`);
      }
    }
  } else if (Array.isArray(value)) value.forEach((v) => collectReferences(v, into));
  else if (value !== null && typeof value === "object") Object.values(value).forEach((v) => collectReferences(v, into));
}

/**
 * A configuration value with its references read from the state being built: a string that is
 * one `${traversal}` is the value it reads, a template of traversals their text joined, arrays
 * and objects element by element. Undefined for anything else (functions, directives).
 */
function evaluate(raw: unknown, builder: SyntheticStateBuilder): unknown {
  if (typeof raw === "string") {
    if (raw.includes("%{") || raw.includes("$${")) return undefined;
    const whole = /^\$\{([^{}]+)\}$/.exec(raw);
    if (whole) return builder.resolve(whole[1].trim());
    let failed = false;
    const text = raw.replace(/\$\{([^{}]*)\}/g, (_, expression: string) => {
      const value = builder.resolve(expression.trim());
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
      failed = true;
      return "";
    });
    return failed ? undefined : text;
  }
  if (Array.isArray(raw)) {
    const values = raw.map((v) => evaluate(v, builder));
    return values.some((v) => v === undefined) ? undefined : values;
  }
  if (raw !== null && typeof raw === "object") {
    const entries = Object.entries(raw).filter(([k]) => k !== "//").map(([k, v]) => [k, evaluate(v, builder)] as const);
    return entries.some(([, v]) => v === undefined) ? undefined : Object.fromEntries(entries);
  }
  return raw;
}

/** `value` as cty type `type` holds it, as far as JSON tells; undefined when it cannot be. */
function coerce(value: unknown, type: CtyType): unknown {
  if (value === undefined || value === null) return undefined;
  if (type === "dynamic") return value;
  if (typeof type === "string") {
    if (type === "string") return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
    if (type === "number") return typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)) ? Number(value) : undefined;
    if (type === "bool") return typeof value === "boolean" ? value : value === "true" ? true : value === "false" ? false : undefined;
    return undefined;
  }
  const [kind, element] = type;
  if ((kind === "list" || kind === "set") && Array.isArray(value)) {
    const items = value.map((v) => coerce(v, element as CtyType));
    return items.some((v) => v === undefined) ? undefined : items;
  }
  if (kind === "map" && value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value).map(([k, v]) => [k, coerce(v, element as CtyType)] as const);
    return entries.some(([, v]) => v === undefined) ? undefined : Object.fromEntries(entries);
  }
  return undefined;
}

/** `provider["registry.terraform.io/hashicorp/aws"]`, with `.<alias>` for a resource of an aliased provider block. */
function providerAddress(plan: PlanJson, rc: PlanResourceChange): string {
  const configuration = plan.configuration as
    | { provider_config?: Record<string, { alias?: string }>; root_module?: { resources?: Array<{ address: string; provider_config_key?: string }> } }
    | undefined;
  const configAddress = rc.index === undefined ? rc.address : rc.address.slice(0, rc.address.lastIndexOf("["));
  const configKey = rc.module_address ? undefined : configuration?.root_module?.resources?.find((r) => r.address === configAddress)?.provider_config_key;
  const alias = configKey === undefined ? undefined : configuration?.provider_config?.[configKey]?.alias;
  return `provider[${JSON.stringify(rc.provider_name)}]${alias ? `.${alias}` : ""}`;
}

/**
 * Whether a configured value (references evaluated where they could be) can be what the plan
 * holds: equal where the plan knows the value, anything where it does not. An attribute the
 * configuration leaves out agrees with an empty value; a block written as an object with a
 * list of one.
 */
function agrees(value: unknown, unknown: unknown, raw: unknown): boolean {
  if (unknown === true) return true;
  if (raw === undefined || raw === null) return isEmpty(value);
  if (typeof raw === "string" && raw.includes("${")) return true;
  if (Array.isArray(value)) {
    const raws = Array.isArray(raw) ? raw : [raw];
    if (raws.length !== value.length) return false;
    const unknownAt = (i: number) => (Array.isArray(unknown) ? unknown[i] : undefined);
    // Nested sets are ordered by value too: each element agrees with one of the configured ones.
    return value.every((v, i) => raws.some((r) => agrees(v, unknownAt(i), r)));
  }
  if (value !== null && typeof value === "object") {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return false;
    const unknowns = asObject(unknown);
    const raws = raw as Json;
    return Object.entries(value).every(([k, v]) => agrees(v, unknowns[k], raws[k])) && Object.keys(raws).every((k) => k === "//" || k in value || k in unknowns);
  }
  return value !== null && value !== undefined && String(value) === String(raw);
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === "" || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.values(value).every(isEmpty);
  return false;
}

/**
 * A value of `type` built from its leaves: collections empty, tuples and objects element by
 * element, each scalar (`string`, `number`, `bool`, `dynamic`) from `scalar`, given its path.
 */
function valueOfType(type: CtyType, where: string, scalar: (type: string, where: string) => unknown, collectionsHoldOne = false): unknown {
  if (typeof type === "string") return scalar(type, where);
  const [kind, element] = type;
  switch (kind) {
    case "list":
    case "set":
      return collectionsHoldOne ? [valueOfType(element as CtyType, `${where}[0]`, scalar, true)] : [];
    case "map":
      return {};
    case "tuple":
      return (element as CtyType[]).map((t, i) => valueOfType(t, `${where}[${i}]`, scalar, collectionsHoldOne));
    case "object":
      return Object.fromEntries(Object.entries(element as Record<string, CtyType>).map(([k, t]) => [k, valueOfType(t, join(where, k), scalar, collectionsHoldOne)]));
    default:
      // A kind Terraform does not write: the leaf function decides (null, or an error naming it).
      return scalar(JSON.stringify(type), where);
  }
}

/** What the aws provider records for an attribute AWS leaves unset: `""`, 0, false, an empty collection. */
function zeroValue(type: CtyType): unknown {
  return valueOfType(type, "", (scalar) => (scalar === "string" ? "" : scalar === "number" ? 0 : scalar === "bool" ? false : null));
}

/**
 * A value of its type where an apply would leave one: a string unique to the resource and path, 0, false, and a
 * collection of one such element, since the stack reads it (`master_user_secret[0].secret_arn`): AWS fills what
 * a configuration indexes.
 */
function placeholder(type: CtyType, address: string, where: string): unknown {
  return valueOfType(
    type,
    where,
    (scalar, at) => {
    switch (scalar) {
      case "string":
      case "dynamic":
        return syntheticPlaceholder(address, at);
      case "number":
        return 0;
      case "bool":
        return false;
      default:
        throw new Error(`${address}.${at}: no placeholder for cty type ${scalar}`);
    }
    },
    true,
  );
}

/** The type Terraform gives a JSON value in configuration: arrays are tuples, objects objects. */
function impliedType(value: unknown): unknown {
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
      return "number";
    case "boolean":
      return "bool";
  }
  if (Array.isArray(value)) return ["tuple", value.map(impliedType)];
  if (value !== null && typeof value === "object") return ["object", Object.fromEntries(Object.entries(value).map(([k, v]) => [k, impliedType(v)]))];
  return "dynamic";
}

function join(where: string, name: string): string {
  return where === "" ? name : `${where}.${name}`;
}

function asObject(value: unknown): Json {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
}
