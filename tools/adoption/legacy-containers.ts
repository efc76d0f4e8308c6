/**
 * How the synthesized container definitions may differ from the legacy ones
 * (`test/fixtures/legacy/container-definitions/*.json`), and the comparison that allows exactly that.
 *
 * `LEGACY_CONTAINER_EXCEPTIONS` is the one list of accepted differences: the container test
 * (test/legacy-containers.test.ts) and the adoption runbook (docs/adopting-an-environment.md)
 * both refer to it. Anything not on it is a difference that `compareContainerDefinitions`
 * reports, naming the task, the container and the field.
 */
import { PLATFORM_SECRETS, secretParameterName } from "../../src/modules/platform-secrets";

/** One accepted difference between a legacy container definition and the synthesized one. */
export interface LegacyContainerException {
  /** Stable key, for references from docs and tests. */
  readonly id: string;
  /** What differs. */
  readonly what: string;
  /** Why that is not a change of behaviour, or why it is wanted. */
  readonly why: string;
}

/** Placeholder the legacy templates filled from the plan-time instance lookup (`docker_host_address`). */
export const LEGACY_DOCKER_HOST_PLACEHOLDER = "${docker_host_address}";

/**
 * Fields the legacy JSON (an ECS API read-back) spells out at ECS's own default; the ECS API
 * stores the same task definition with or without them.
 */
export const ECS_CONTAINER_DEFAULTS: Readonly<Record<string, unknown>> = {
  cpu: 0,
  essential: true,
  command: [],
  entryPoint: [],
  links: [],
  volumesFrom: [],
  dnsServers: [],
  dnsSearchDomains: [],
  dockerSecurityOptions: [],
  linuxParameters: { capabilities: {} },
  privileged: false,
  pseudoTerminal: false,
  readonlyRootFilesystem: false,
  secrets: [],
  environment: [],
};

export const LEGACY_CONTAINER_EXCEPTIONS: readonly LegacyContainerException[] = [
  {
    id: "ecs-defaults",
    what:
      `fields at ECS's default are left out on both sides: ${Object.keys(ECS_CONTAINER_DEFAULTS).join(", ")} at their empty or default value, ` +
      'a mount point\'s readOnly: false, a port mapping\'s protocol "tcp" and a hostPort equal to the containerPort',
    why: "ECS stores the same container definition with or without them",
  },
  {
    id: "empty-variables",
    what: "environment variables whose legacy value is the empty string are dropped",
    why: "the images treat an empty variable and an unset one alike",
  },
  {
    id: "passwords-from-ssm",
    what:
      `the passwords ${PLATFORM_SECRETS.join(", ")} leave \`environment\` and come through \`secrets\`, ` +
      "valueFrom the environment's SSM parameter /jitsi-matrix/<env>/<NAME> (by path or by its ARN)",
    why: "no password in source, synthesized JSON or the jitsi-matrix state; ECS reads them with the task execution role",
  },
  {
    id: "docker-host-address",
    what:
      `DOCKER_HOST_ADDRESS="${LEGACY_DOCKER_HOST_PLACEHOLDER}" is dropped when the environment gives no jitsi.jvbAdvertiseAddress, ` +
      "and is that address when it does",
    why: "the legacy plan-time instance lookup is gone; without an address the JVB finds its own through STUN",
  },
  {
    id: "log-configuration",
    what: "every container has a logConfiguration (the awslogs driver) when the environment's logs option is on, none when it is off",
    why: "the legacy tasks log to the host; legacy environments keep logs off until their operators switch it on",
  },
];

/** What the comparison needs to know of the environment. */
export interface LegacyComparisonContext {
  /** Environment name, for the SSM parameter paths. */
  readonly environmentName: string;
  /** `jitsi.jvbAdvertiseAddress`. @default - none: the placeholder variable is dropped */
  readonly jvbAdvertiseAddress?: string;
  /** Whether the logs option is on. @default false */
  readonly logsEnabled?: boolean;
}

type Json = Record<string, unknown>;

const isDefault = (key: string, value: unknown) => key in ECS_CONTAINER_DEFAULTS && deepEqual(value, ECS_CONTAINER_DEFAULTS[key]);

function withoutDefaults(container: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(container)) {
    if (value === undefined || value === null || isDefault(key, value)) continue;
    out[key] = value;
  }
  if (Array.isArray(out.mountPoints)) {
    out.mountPoints = (out.mountPoints as Json[]).map(({ readOnly, ...mount }) => (readOnly === undefined || readOnly === false ? mount : { ...mount, readOnly }));
  }
  if (Array.isArray(out.portMappings)) {
    out.portMappings = (out.portMappings as Json[]).map(({ protocol, hostPort, ...mapping }) => ({
      ...mapping,
      ...(hostPort !== undefined && hostPort !== mapping.containerPort ? { hostPort } : {}),
      ...(protocol !== undefined && protocol !== "tcp" ? { protocol } : {}),
    }));
  }
  return out;
}

const pairs = (list: unknown, valueKey: string): Record<string, unknown> =>
  Object.fromEntries(((list as Json[] | undefined) ?? []).map((entry) => [entry.name as string, entry[valueKey]]));

/** A legacy container as the synthesized one must look once the exceptions are applied. */
export function normalizeLegacyContainer(container: Json, context: LegacyComparisonContext): Json {
  const environment: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(pairs(container.environment, "value"))) {
    if (value === "") continue;
    if ((PLATFORM_SECRETS as readonly string[]).includes(name)) {
      secrets[name] = secretParameterName(context.environmentName, name as (typeof PLATFORM_SECRETS)[number]);
    } else if (name === "DOCKER_HOST_ADDRESS" && value === LEGACY_DOCKER_HOST_PLACEHOLDER) {
      if (context.jvbAdvertiseAddress !== undefined) environment[name] = context.jvbAdvertiseAddress;
    } else {
      environment[name] = value;
    }
  }
  const { environment: _environment, secrets: _secrets, ...rest } = withoutDefaults(container);
  return { ...rest, environment, secrets };
}

/** A synthesized container, normalized the same way; an SSM ARN in valueFrom counts as its parameter path. */
export function normalizeSynthesizedContainer(container: Json, context: LegacyComparisonContext): Json {
  const { environment: _environment, secrets: _secrets, ...rest } = withoutDefaults(container);
  if (context.logsEnabled) delete rest.logConfiguration;
  const secrets = Object.fromEntries(
    Object.entries(pairs(container.secrets, "valueFrom")).map(([name, from]) => [name, String(from).replace(/^arn:[^:]+:ssm:[^:]+:[^:]*:parameter/, "")]),
  );
  return { ...rest, environment: pairs(container.environment, "value"), secrets };
}

/**
 * Every difference between a task's synthesized containers and its legacy ones that
 * `LEGACY_CONTAINER_EXCEPTIONS` does not allow, one readable line each (empty when they match).
 */
export function compareContainerDefinitions(
  task: string,
  synthesized: readonly Json[],
  legacy: readonly Json[],
  context: LegacyComparisonContext,
): string[] {
  const problems: string[] = [];
  const byName = (list: readonly Json[]) => new Map(list.map((c) => [String(c.name), c]));
  const ours = byName(synthesized);
  const theirs = byName(legacy);
  for (const name of theirs.keys()) if (!ours.has(name)) problems.push(`${task}: container "${name}" of the legacy task is missing`);
  for (const name of ours.keys()) if (!theirs.has(name)) problems.push(`${task}: container "${name}" is not in the legacy task`);
  for (const [name, legacyContainer] of theirs) {
    const ourContainer = ours.get(name);
    if (!ourContainer) continue;
    const expected = normalizeLegacyContainer(legacyContainer, context);
    const actual = normalizeSynthesizedContainer(ourContainer, context);
    if (context.logsEnabled && !ourContainer.logConfiguration) {
      problems.push(`${task}: container "${name}": logConfiguration: missing although the logs option is on`);
    }
    for (const field of [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort()) {
      if (field === "environment" || field === "secrets") {
        const a = actual[field] as Record<string, unknown>;
        const e = expected[field] as Record<string, unknown>;
        for (const key of [...new Set([...Object.keys(e), ...Object.keys(a)])].sort()) {
          if (!deepEqual(a[key], e[key])) problems.push(difference(task, name, `${field}.${key}`, a[key], e[key]));
        }
      } else if (!deepEqual(actual[field], expected[field])) {
        problems.push(difference(task, name, field, actual[field], expected[field]));
      }
    }
  }
  return problems;
}

function difference(task: string, container: string, field: string, actual: unknown, expected: unknown): string {
  const show = (value: unknown) => (value === undefined ? "none" : JSON.stringify(value));
  return `${task}: container "${container}": ${field}: synthesized ${show(actual)}, legacy ${show(expected)}`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a as Json);
  const keysB = Object.keys(b as Json);
  return keysA.length === keysB.length && keysA.every((key) => deepEqual((a as Json)[key], (b as Json)[key]));
}
