/** The parts of `terraform show -json` of a plan that the tools and tests read. */
import { Json } from './files';

export type PlanAction = 'no-op' | 'create' | 'read' | 'update' | 'delete' | 'forget';

export interface PlanChange {
  actions: PlanAction[];
  before: unknown;
  after: unknown;
  after_unknown?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  /** Attribute paths whose change forces the replacement, e.g. `[["name"]]`. */
  replace_paths?: Array<Array<string | number>>;
  /** Set when the plan imports the resource (an `import` block). */
  importing?: { id?: string; identity?: unknown };
}

export interface PlanResourceChange {
  address: string;
  previous_address?: string;
  module_address?: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  index?: string | number;
  provider_name: string;
  action_reason?: string;
  change: PlanChange;
}

/** The parts of `terraform show -json <plan>` tests look at. */
export interface PlanJson {
  format_version: string;
  terraform_version: string;
  /** When the plan was made; a plan from the plan cache keeps the time of the plan that filled the entry. */
  timestamp?: string;
  resource_changes?: PlanResourceChange[];
  output_changes?: Record<string, PlanChange>;
  /** Values after the plan; an output's `value` is absent while it is unknown. */
  planned_values?: { outputs?: Record<string, { sensitive: boolean; value?: unknown; type?: unknown }> };
  configuration?: {
    provider_config?: Record<string, { name: string; alias?: string; expressions?: Json }>;
    root_module?: { resources?: Array<{ address: string; mode: string; type: string; name: string; expressions?: Json }> };
  };
}

export interface ResourceChange {
  address: string;
  /** Set when a `moved` block renamed the resource. */
  previousAddress?: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  actions: PlanAction[];
  before: unknown;
  after: unknown;
  afterUnknown: unknown;
}

export function resourceChanges(plan: PlanJson): ResourceChange[] {
  // Managed resources only: a data source read (the check blocks read theirs on every plan) changes nothing.
  return (plan.resource_changes ?? []).filter((rc) => rc.mode !== "data").map((rc) => ({
    address: rc.address,
    previousAddress: rc.previous_address,
    mode: rc.mode,
    type: rc.type,
    name: rc.name,
    actions: rc.change.actions,
    before: rc.change.before,
    after: rc.change.after,
    afterUnknown: rc.change.after_unknown,
  }));
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  replace: number;
  noop: number;
  read: number;
  forget: number;
  /** Resources with a previous address; they are also counted under their action. */
  move: number;
}

export function summarize(plan: PlanJson): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, delete: 0, replace: 0, noop: 0, read: 0, forget: 0, move: 0 };
  for (const change of resourceChanges(plan)) {
    summary[actionKind(change.actions)]++;
    if (change.previousAddress) summary.move++;
  }
  return summary;
}

function actionKind(actions: PlanAction[]): Exclude<keyof PlanSummary, 'move'> {
  const key = actions.join(',');
  switch (key) {
    case 'create':
    case 'update':
    case 'delete':
    case 'read':
    case 'forget':
      return key;
    case 'no-op':
      return 'noop';
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    default:
      throw new Error(`unknown plan actions [${key}]`);
  }
}
