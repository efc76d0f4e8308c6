/**
 * What the adoption's replacement of a legacy task definition may change.
 * The containers may differ only as `LEGACY_CONTAINER_EXCEPTIONS`
 * (tools/adoption/legacy-containers.ts) allows; the task itself only as
 * `ADOPTION_TASK_EXCEPTIONS` below. The adoption test compares every legacy
 * task definition of the state with the revision the plan registers for it,
 * so a replacement that changes anything else fails it.
 */
import {
  compareContainerDefinitions,
  LEGACY_CONTAINER_EXCEPTIONS,
  LEGACY_DOCKER_HOST_PLACEHOLDER,
  LegacyComparisonContext,
  LegacyContainerException,
} from "./legacy-containers";

/** Differences of the task definition itself, beyond its containers. */
export const ADOPTION_TASK_EXCEPTIONS: readonly LegacyContainerException[] = [
  {
    id: "execution-role",
    what: "execution_role_arn is set, to the stack's task execution role (the legacy tasks had none)",
    why: "ECS reads a container's `secrets` with the task execution role",
  },
];

/** Every accepted difference between a legacy task definition and its adopted revision. */
export const ADOPTION_EXCEPTIONS: readonly LegacyContainerException[] = [...LEGACY_CONTAINER_EXCEPTIONS, ...ADOPTION_TASK_EXCEPTIONS];

/** Task attributes compared; the others are computed by AWS (arn, revision) or tags, which the tag plan covers. */
const TASK_ATTRIBUTES = [
  "family",
  "network_mode",
  "requires_compatibilities",
  "cpu",
  "memory",
  "task_role_arn",
  "execution_role_arn",
  "pid_mode",
  "ipc_mode",
  "placement_constraints",
  "proxy_configuration",
  "runtime_platform",
  "ephemeral_storage",
  "inference_accelerator",
  "volume",
];

/** Marks a value the plan knows only after apply. */
const UNKNOWN = "(known after apply)";

/**
 * `value` without what the provider records for an unset argument (null,
 * "", false, 0, empty lists and objects), lists of named blocks sorted by
 * name, keys sorted: the state and the plan spell an unset argument, and order keys, differently.
 */
function pruned(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(pruned).filter((item) => item !== undefined);
    const named = items.every((item) => typeof item === "object" && item !== null && typeof (item as { name?: unknown }).name === "string");
    if (named) items.sort((a, b) => String((a as { name: string }).name).localeCompare(String((b as { name: string }).name)));
    return items.length === 0 ? undefined : items;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, inner]) => [key, pruned(inner)] as const)
      .filter(([, inner]) => inner !== undefined);
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  return value === null || value === "" || value === false || value === 0 ? undefined : value;
}

/** `value` with every place `unknown` (a plan's `after_unknown`) marks replaced by UNKNOWN. */
function withUnknowns(value: unknown, unknown: unknown): unknown {
  if (unknown === true) return UNKNOWN;
  if (Array.isArray(value) && Array.isArray(unknown)) return value.map((item, i) => withUnknowns(item, unknown[i]));
  if (value !== null && typeof value === "object" && unknown !== null && typeof unknown === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withUnknowns(inner, (unknown as Record<string, unknown>)[key])]));
  }
  return value;
}

/** A legacy state's container JSON in the form of the legacy template: the looked-up JVB address back as its placeholder. */
function asLegacyTemplate(containers: Record<string, unknown>[]): Record<string, unknown>[] {
  return containers.map((container) => ({
    ...container,
    environment: ((container.environment as { name: string; value: string }[] | undefined) ?? []).map((variable) =>
      variable.name === "DOCKER_HOST_ADDRESS" ? { ...variable, value: LEGACY_DOCKER_HOST_PLACEHOLDER } : variable,
    ),
  }));
}

/** A planned task definition revision: the plan's `after` and `after_unknown`. */
export interface PlannedTaskDefinition {
  readonly after: Record<string, unknown>;
  readonly afterUnknown?: unknown;
}

/**
 * Every difference between a legacy task definition (its state attributes)
 * and the revision planned to replace it that `ADOPTION_EXCEPTIONS` does not
 * allow, one line each; empty when the replacement changes only what they
 * document.
 */
export function unexplainedTaskDefinitionChanges(
  legacy: Readonly<Record<string, unknown>>,
  planned: PlannedTaskDefinition,
  context: LegacyComparisonContext,
): string[] {
  const task = String(legacy.family);
  const after = withUnknowns(planned.after, planned.afterUnknown) as Record<string, unknown>;
  const problems: string[] = [];
  for (const attribute of TASK_ATTRIBUTES) {
    const before = pruned(legacy[attribute]);
    const now = pruned(after[attribute]);
    if (attribute === "execution_role_arn" && before === undefined && now !== undefined) continue;
    if (JSON.stringify(before) !== JSON.stringify(now)) {
      problems.push(`${task}: ${attribute}: planned ${JSON.stringify(now) ?? "none"}, legacy ${JSON.stringify(before) ?? "none"}`);
    }
  }
  if (after.container_definitions === UNKNOWN) {
    problems.push(`${task}: container_definitions: known only after apply, so the replacement cannot be checked`);
    return problems;
  }
  const containers = (text: unknown) => JSON.parse(String(text)) as Record<string, unknown>[];
  return [
    ...problems,
    ...compareContainerDefinitions(task, containers(after.container_definitions), asLegacyTemplate(containers(legacy.container_definitions)), context),
  ];
}
