import { PlanJson, PlanResourceChange } from "../terraform";

/** What a plan does to one resource, in the words a reviewer reads. */
export type ChangeKind = "destroy" | "replace" | "forget" | "create" | "update" | "move" | "import" | "no-op";

/** Destroys and replacements first: they are what a reviewer must not miss. */
export const CHANGE_KINDS: readonly ChangeKind[] = ["destroy", "replace", "forget", "create", "update", "move", "import", "no-op"];

/** Kinds that delete a real resource. */
export const DESTRUCTIVE_KINDS: ReadonlySet<ChangeKind> = new Set(["destroy", "replace"]);

export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** The address a `moved` block renames the resource from. */
  readonly previousAddress?: string;
  /** The plan imports the resource (an `import` block). */
  readonly importing: boolean;
  /** Attribute paths whose change forces a replacement, e.g. `name`. */
  readonly replacePaths: readonly string[];
  /**
   * Top-level attributes whose value changes or becomes unknown. Names only:
   * values may be sensitive and a review summary is posted in public places.
   */
  readonly changedAttributes: readonly string[];
  /** Terraform's `action_reason`, e.g. `replace_because_cannot_update`. */
  readonly reason?: string;
  /**
   * Why AWS would refuse this change at apply though the plan accepts it (`failsAtApply`); names and reasons
   * only, never values.
   */
  readonly failsAtApply?: string;
  /** Canonical text of the planned change, equal for equal changes in two plans. */
  readonly fingerprint: string;
  /** Planned values, for comparing two plans; never printed (they may hold secrets). */
  readonly after: unknown;
  readonly afterUnknown: unknown;
}

/** The managed resources of a plan (`terraform show -json`) as reviewable changes. Data sources are reads, not changes. */
export function plannedChanges(plan: PlanJson): PlannedChange[] {
  return (plan.resource_changes ?? []).filter((rc) => rc.mode === "managed").map(toPlannedChange);
}

function toPlannedChange(rc: PlanResourceChange): PlannedChange {
  const kind = changeKind(rc);
  return {
    address: rc.address,
    type: rc.type,
    kind,
    previousAddress: rc.previous_address,
    importing: rc.change.importing !== undefined,
    replacePaths: (rc.change.replace_paths ?? []).map(formatPath),
    changedAttributes: kind === "create" || kind === "destroy" ? [] : changedAttributes(rc.change.before, rc.change.after, rc.change.after_unknown),
    reason: rc.action_reason,
    failsAtApply: failsAtApply(rc),
    fingerprint: canonicalJson({
      actions: rc.change.actions,
      previous: rc.previous_address ?? null,
      importing: rc.change.importing !== undefined,
      after: rc.change.after ?? null,
      unknown: rc.change.after_unknown ?? null,
    }),
    after: rc.change.after ?? null,
    afterUnknown: rc.change.after_unknown ?? null,
  };
}

/** Arguments whose change the AWS provider sends to SSM as a PutParameter, though tags it sends apart. */
const TAG_ARGUMENTS = new Set(["tags", "tags_all", "overwrite"]);

/**
 * What the plan cannot see but AWS refuses at apply. One case so far: an in-place update of a write-only SSM
 * parameter (`value_wo`) that changes anything but its tags while `value_wo_version` stays. The AWS provider
 * (5.100.0, `internal/service/ssm/parameter.go`, `resourceParameterUpdate`) then reads `value_wo` not at all and
 * sends the stored `value`, which is empty for a write-only parameter, and SSM refuses a PutParameter with an empty
 * value (docs/aws-wiring.md, "Write-only parameters"). test/terraform/secret-parameter-updates.test.ts runs that
 * path against the real provider.
 */
export function failsAtApply(rc: PlanResourceChange): string | undefined {
  if (rc.type !== "aws_ssm_parameter" || rc.change.actions.join(",") !== "update") return undefined;
  const before = asObject(rc.change.before);
  const after = asObject(rc.change.after);
  const writeOnly = before.has_value_wo === true || (before.value_wo_version !== null && before.value_wo_version !== undefined);
  if (!writeOnly || canonicalJson(before.value_wo_version ?? null) !== canonicalJson(after.value_wo_version ?? null)) return undefined;
  const changed = changedAttributes(rc.change.before, rc.change.after, rc.change.after_unknown).filter(
    (name) => !TAG_ARGUMENTS.has(name) && name !== "version" && name !== "has_value_wo",
  );
  if (changed.length === 0) return undefined;
  return (
    `updates ${changed.join(", ")} of a write-only parameter at the same value_wo_version, so the AWS provider sends an ` +
    "empty value and SSM refuses the update; raise the secret's version in the environment's secretVersions in the " +
    "same change (a rotation: README, \"Rotating a password\"), or undo the change"
  );
}

function changeKind(rc: PlanResourceChange): ChangeKind {
  const actions = rc.change.actions.join(",");
  switch (actions) {
    case "delete,create":
    case "create,delete":
      return "replace";
    case "delete":
      return "destroy";
    case "create":
    case "update":
    case "forget":
      return actions;
    case "no-op":
      if (rc.change.importing !== undefined) return "import";
      return rc.previous_address ? "move" : "no-op";
    default:
      throw new Error(`${rc.address}: unknown plan actions [${actions}]; this review knows ${CHANGE_KINDS.join(", ")}.`);
  }
}

/** `["ingress", 0, "cidr_blocks"]` as `ingress[0].cidr_blocks`. */
function formatPath(path: Array<string | number>): string {
  return path.map((step, i) => (typeof step === "number" ? `[${step}]` : i === 0 ? step : `.${step}`)).join("");
}

/** Top-level attributes that differ between `before` and `after`, or become unknown (`afterUnknown`). */
export function changedAttributes(before: unknown, after: unknown, afterUnknown: unknown): string[] {
  const b = asObject(before);
  const a = asObject(after);
  const u = asObject(afterUnknown);
  const names = new Set([...Object.keys(b), ...Object.keys(a), ...Object.keys(u)]);
  return [...names]
    .filter((name) => {
      // A value that becomes unknown changes; an attribute unknown before and after (computed, unset) does not.
      if (containsTrue(u[name])) return b[name] !== null && b[name] !== undefined;
      return canonicalJson(b[name] ?? null) !== canonicalJson(a[name] ?? null);
    })
    .sort();
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function containsTrue(value: unknown): boolean {
  if (value === true) return true;
  if (Array.isArray(value)) return value.some(containsTrue);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsTrue);
  return false;
}

/** JSON with object keys sorted, so that equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}
