/**
 * The parts of Terraform's version 4 state format the adoption reads and
 * writes. Everything it does not know (private data, identities, check
 * results) is carried over untouched.
 */

export interface StateInstance {
  /** `count` index or `for_each` key; absent for a single instance. */
  index_key?: string | number;
  schema_version: number;
  attributes: Record<string, unknown>;
  sensitive_attributes?: unknown[];
  private?: string;
  dependencies?: string[];
  create_before_destroy?: boolean;
  /** `tainted` when a failed apply left the object to be replaced. */
  status?: string;
  /** Set on an object `create_before_destroy` left behind. */
  deposed?: string;
  [other: string]: unknown;
}

export interface StateResource {
  /** e.g. `module.ecs_lb`; absent at the root. */
  module?: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  /** Written by old Terraform versions only. */
  each?: "list" | "map";
  provider: string;
  instances: StateInstance[];
}

export interface StateOutput {
  value: unknown;
  type: unknown;
  sensitive?: boolean;
}

export interface StateFile {
  version: number;
  terraform_version: string;
  serial: number;
  lineage: string;
  outputs: Record<string, StateOutput>;
  resources: StateResource[];
  [other: string]: unknown;
}

/** The AWS provider as a state written by Terraform 0.13 and later names it. */
export const AWS_PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]';

/**
 * Parses a state file's text; `where` names it in errors. Version 4 is the
 * format of every Terraform since 0.12.
 */
export function parseState(text: string, where: string): StateFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not a Terraform state (${(error as Error).message}); give the state file itself, as terraform state pull prints it.`);
  }
  const state = parsed as Partial<StateFile>;
  if (state === null || typeof state !== "object" || typeof state.version !== "number") {
    throw new Error(`${where}: not a Terraform state (no "version"); give the state file itself, as terraform state pull prints it.`);
  }
  if (state.version !== 4) {
    throw new Error(
      `${where}: version ${state.version} state; this tool reads version 4 (Terraform 0.12 and later): ` +
        "run terraform state pull with the legacy configuration and a recent Terraform, and give its output.",
    );
  }
  if (!Array.isArray(state.resources) || typeof state.lineage !== "string") {
    throw new Error(`${where}: a version 4 state needs "resources" and "lineage"; the file is damaged.`);
  }
  return { outputs: {}, ...state } as StateFile;
}

/** Terraform's address of a resource, all its instances: `module.ecs_lb.aws_lb_target_group.tgs`, `data.` for data sources. */
export function resourceAddress(resource: StateResource): string {
  return `${resource.module ? `${resource.module}.` : ""}${resource.mode === "data" ? "data." : ""}${resource.type}.${resource.name}`;
}

/** Terraform's address of one instance: `module.ecs_lb.aws_lb_target_group.tgs["x"]`, `data.` for data sources. */
export function instanceAddress(resource: StateResource, instance: StateInstance): string {
  const key = instance.index_key;
  const index = key === undefined ? "" : typeof key === "number" ? `[${key}]` : `[${JSON.stringify(key)}]`;
  return `${resourceAddress(resource)}${index}`;
}

/** Managed instances of a state with their addresses. */
export function managedInstances(state: StateFile): { address: string; resource: StateResource; instance: StateInstance }[] {
  return state.resources
    .filter((resource) => resource.mode === "managed")
    .flatMap((resource) => resource.instances.map((instance) => ({ address: instanceAddress(resource, instance), resource, instance })));
}

/** The cloud ID of an instance (its `id` attribute), the identity adoption checks by. */
export function cloudId(instance: StateInstance): string | undefined {
  const id = instance.attributes?.id;
  return typeof id === "string" ? id : undefined;
}

/** State text as Terraform writes it. */
export function formatState(state: StateFile): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}
