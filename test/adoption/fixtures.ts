/**
 * Legacy states for the adoption tests: the staging state of test/fixtures/legacy
 * and variants derived from it the way the legacy configuration would have
 * written them for other inputs. Built at test time, never committed: they
 * hold the fixture passwords.
 */
import { createHash } from "crypto";
import { readFileSync } from "fs";
import * as path from "path";
import { Environment } from "../../src/environments/environment";
import { StateFile, StateResource } from "../../tools/adoption/state-file";
import { LEGACY_FIXTURES } from "../support/legacy-fixtures";

export const LEGACY_DIR = LEGACY_FIXTURES;

/** A fresh copy of `test/fixtures/legacy/staging.tfstate`. */
export function stagingLegacyState(): StateFile {
  return JSON.parse(readFileSync(path.join(LEGACY_DIR, "staging.tfstate"), "utf8")) as StateFile;
}

/** The legacy input variables of each environment, as `test/fixtures/legacy/environments.json` records them. */
type LegacyVariables = Record<string, unknown> & {
  readonly ecs_asg_desired_capacity: number;
  readonly ecs_asg_min_size: number;
  readonly ecs_asg_max_size: number;
  readonly ecs_cluster_name: string;
  readonly ecs_task_values_jitsi: { readonly container_definitions_path: string };
  readonly ecs_task_values_matrix: { readonly container_definitions_path: string };
};

/** The legacy variables of `environment`, independent of `src/environments/`. */
export function legacyVariables(environment: string): LegacyVariables {
  const all = JSON.parse(readFileSync(path.join(LEGACY_DIR, "environments.json"), "utf8")) as Record<string, LegacyVariables>;
  const found = all[environment];
  if (found === undefined) throw new Error(`fixture: environments.json has no ${environment}`);
  return found;
}

/** Numeric variables the derivation sets in the state itself; any other numeric difference would go unnoticed. */
const NUMERIC_VARIABLES = ["ecs_asg_desired_capacity", "ecs_asg_min_size", "ecs_asg_max_size"];

/** Parallel leaves of two environments' legacy variables that differ; the container files are read, not rewritten. */
function differingLeaves(from: unknown, to: unknown, key = ""): { key: string; from: unknown; to: unknown }[] {
  if (key === "container_definitions_path") return [];
  if (from !== null && typeof from === "object" && to !== null && typeof to === "object") {
    return Object.keys(from).flatMap((k) => differingLeaves((from as Record<string, unknown>)[k], (to as Record<string, unknown>)[k], k));
  }
  return from !== to ? [{ key, from, to }] : [];
}

/** Replaces every occurrence of each `from` by its `to` in one pass, longest first, in every string of `value`. */
function rewriteStrings(value: unknown, pairs: [string, string][]): unknown {
  const sorted = [...pairs].sort((a, b) => b[0].length - a[0].length);
  const map = new Map(sorted);
  const pattern = new RegExp(sorted.map(([from]) => from.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|"), "g");
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return v.replace(pattern, (match) => map.get(match)!);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, inner]) => [walk(k) as string, walk(inner)]));
    return v;
  };
  return walk(value);
}

/** Container definitions of a legacy file as the state records them, with the looked-up JVB address filled in. */
function legacyContainerDefinitions(file: string): string {
  const text = readFileSync(path.join(LEGACY_DIR, "container-definitions", file), "utf8").replace(/\$\{docker_host_address\}/g, "54.0.0.10");
  return JSON.stringify(JSON.parse(text));
}

function resource(state: StateFile, module: string, type: string): StateResource {
  const found = state.resources.find((r) => r.module === module && r.type === type);
  if (!found) throw new Error(`fixture: no ${module}.${type}`);
  return found;
}

/**
 * The state the legacy configuration would hold for the environment `to`,
 * derived from one it holds for `from` and the two environments' legacy
 * variables (`environments.json`), never from `src/environments/`, so that a
 * value `src/environments/<to>.ts` gets wrong shows in the plan: names, CIDRs,
 * hosts, zone, EFS, certificate and tags rewritten, sizes and the launch
 * configuration's user data hash recomputed, the container definitions read
 * from the files the variables name.
 */
export function deriveLegacyState(base: StateFile, from: string, to: string): StateFile {
  const fromVariables = legacyVariables(from);
  const toVariables = legacyVariables(to);
  const leaves = differingLeaves(fromVariables, toVariables);
  const unhandled = leaves.filter((l) => typeof l.from !== "string" && !NUMERIC_VARIABLES.includes(l.key));
  if (unhandled.length > 0 || leaves.some((l) => typeof l.from === "string" && typeof l.to !== "string")) {
    throw new Error(`fixture: ${from} and ${to} differ in ${leaves.map((l) => l.key).join(", ")}, which deriveLegacyState does not carry over`);
  }
  const pairs = leaves.filter((l) => typeof l.from === "string").map((l): [string, string] => [l.from as string, l.to as string]);
  const state = rewriteStrings(base, pairs) as StateFile;
  state.lineage = "00000000-0000-4000-8000-000000000002";
  const asg = resource(state, "module.ecs_ec2", "aws_autoscaling_group").instances[0].attributes;
  Object.assign(asg, {
    desired_capacity: toVariables.ecs_asg_desired_capacity,
    min_size: toVariables.ecs_asg_min_size,
    max_size: toVariables.ecs_asg_max_size,
  });
  // The provider records a launch configuration's user data as its SHA-1.
  const userData = `#!/bin/bash\necho ECS_CLUSTER=${toVariables.ecs_cluster_name} >> /etc/ecs/ecs.config`;
  resource(state, "module.ecs_ec2", "aws_launch_configuration").instances[0].attributes.user_data = createHash("sha1").update(userData).digest("hex");
  resource(state, "module.ecs_task_definitions_jitsi", "aws_ecs_task_definition").instances[0].attributes.container_definitions =
    legacyContainerDefinitions(toVariables.ecs_task_values_jitsi.container_definitions_path);
  resource(state, "module.ecs_task_definitions_matrix[0]", "aws_ecs_task_definition").instances[0].attributes.container_definitions =
    legacyContainerDefinitions(toVariables.ecs_task_values_matrix.container_definitions_path);
  // Container definitions come from the files (which name e.g. LETSENCRYPT_USE_STAGING); everything else must be rewritten.
  const rest = JSON.stringify(state, (key, value) => (key === "container_definitions" ? undefined : value));
  const left = rest.match(new RegExp(`[^"]*${from}[^"]*`, "i"));
  if (left) throw new Error(`fixture: the state derived for ${to} still names ${from} in "${left[0]}": a value of ${from} is missing from environments.json`);
  return state;
}

/**
 * The state of an environment taken with the legacy PostgreSQL upgrade switch
 * on: the matrix module instance replaced by the postgres-upgrade one (one
 * container, the data volume only, no load balancer).
 */
export function withPostgresUpgrade(base: StateFile, environment: Environment): StateFile {
  const state = JSON.parse(JSON.stringify(base)) as StateFile;
  const family = environment.postgresUpgrade.taskFamily ?? "postgres-upgrade-task";
  const serviceName = environment.postgresUpgrade.serviceName ?? "postgres-upgrade-service";
  const task = resource(state, "module.ecs_task_definitions_matrix[0]", "aws_ecs_task_definition");
  const service = resource(state, "module.ecs_task_definitions_matrix[0]", "aws_ecs_service");
  const taskAttributes = task.instances[0].attributes;
  const taskArn = `${String(taskAttributes.arn_without_revision).replace(/[^/]+$/, family)}`;
  Object.assign(taskAttributes, {
    family,
    id: family,
    arn: `${taskArn}:1`,
    arn_without_revision: taskArn,
    container_definitions: legacyContainerDefinitions("postgres_upgrade.json"),
    volume: (taskAttributes.volume as { name: string }[]).filter((volume) => volume.name === "matrix-postres-data"),
  });
  const serviceAttributes = service.instances[0].attributes;
  Object.assign(serviceAttributes, {
    name: serviceName,
    id: String(serviceAttributes.id).replace(/[^/]+$/, serviceName),
    load_balancer: [],
    task_definition: `${taskArn}:1`,
  });
  for (const r of [task, service]) r.module = "module.ecs_task_definitions_postgres_upgrade[0]";
  state.lineage = "00000000-0000-4000-8000-000000000003";
  return state;
}

/**
 * The same environment with the subnet IDs in the other order, so that the
 * mount target `[0]`, which the legacy configuration put in the subnet with
 * the lowest ID, is in the other subnet.
 */
export function withSwappedSubnetIds(base: StateFile): StateFile {
  const subnets = resource(base, "module.networking", "aws_subnet").instances.map((i) => String(i.attributes.id));
  if (subnets.length !== 2) throw new Error("fixture: the swap needs two subnets");
  const [a, b] = subnets;
  const swapped = rewriteStrings(base, [
    [a, b],
    [b, a],
  ]) as StateFile;
  const mountTargets = resource(swapped, "module.efs_mount_targets", "aws_efs_mount_target");
  const ordered = [...subnets].sort();
  for (const instance of mountTargets.instances) instance.index_key = ordered.indexOf(String(instance.attributes.subnet_id));
  swapped.lineage = "00000000-0000-4000-8000-000000000004";
  return swapped;
}

/**
 * Every literal password of the legacy task definitions, found independently
 * of the code under test: environment variables whose name says PASSWORD.
 */
export function literalPasswords(state: StateFile): Map<string, string> {
  const passwords = new Map<string, string>();
  for (const r of state.resources.filter((r) => r.type === "aws_ecs_task_definition")) {
    for (const instance of r.instances) {
      for (const container of JSON.parse(String(instance.attributes.container_definitions)) as { environment?: { name: string; value: string }[] }[]) {
        for (const variable of container.environment ?? []) {
          if (/PASSWORD/.test(variable.name) && variable.value) passwords.set(variable.name, variable.value);
        }
      }
    }
  }
  return passwords;
}
