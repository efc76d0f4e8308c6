/**
 * Legacy states for the adoption tests: the staging state of ../shared/legacy
 * and variants derived from it the way the legacy configuration would have
 * written them for other inputs. Built at test time, never committed: they
 * hold the fixture passwords.
 */
import { createHash } from "crypto";
import { readFileSync } from "fs";
import * as path from "path";
import { Environment } from "../../src/environments/environment";
import { StateFile, StateResource } from "../../src/adoption/state-file";
import { PROJECT_ROOT } from "../../src/synthesize";

export const LEGACY_DIR = path.join(PROJECT_ROOT, "..", "shared", "legacy");

/** A fresh copy of `../shared/legacy/staging.tfstate`. */
export function stagingLegacyState(): StateFile {
  return JSON.parse(readFileSync(path.join(LEGACY_DIR, "staging.tfstate"), "utf8")) as StateFile;
}

/** Parallel string leaves of two environments that differ, except image tags and container settings (carried by container definitions). */
function differingStrings(from: unknown, to: unknown, key = ""): [string, string][] {
  if (["imageTag", "imageTags", "memory", "environment", "volumes"].includes(key)) return [];
  if (typeof from === "string" && typeof to === "string") return from !== to ? [[from, to]] : [];
  if (from !== null && typeof from === "object" && to !== null && typeof to === "object") {
    return Object.keys(from).flatMap((k) => differingStrings((from as Record<string, unknown>)[k], (to as Record<string, unknown>)[k], k));
  }
  return [];
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
 * The state the legacy configuration would hold for `to`, derived from one
 * it holds for `from`: names, CIDRs, hosts, zone, EFS, certificate and tags
 * rewritten, sizes and the launch configuration's user data hash recomputed,
 * the container definitions taken from `containerFiles`.
 */
export function deriveLegacyState(
  base: StateFile,
  from: Environment,
  to: Environment,
  containerFiles: { readonly jitsi: string; readonly matrix: string },
): StateFile {
  const state = rewriteStrings(base, differingStrings(from, to)) as StateFile;
  state.lineage = "00000000-0000-4000-8000-000000000002";
  const asg = resource(state, "module.ecs_ec2", "aws_autoscaling_group").instances[0].attributes;
  Object.assign(asg, {
    desired_capacity: to.capacity.desiredCapacity,
    min_size: to.capacity.minSize,
    max_size: to.capacity.maxSize,
  });
  // The provider records a launch configuration's user data as its SHA-1.
  const userData = `#!/bin/bash\necho ECS_CLUSTER=${to.cluster.name} >> /etc/ecs/ecs.config`;
  resource(state, "module.ecs_ec2", "aws_launch_configuration").instances[0].attributes.user_data = createHash("sha1").update(userData).digest("hex");
  resource(state, "module.ecs_task_definitions_jitsi", "aws_ecs_task_definition").instances[0].attributes.container_definitions =
    legacyContainerDefinitions(containerFiles.jitsi);
  resource(state, "module.ecs_task_definitions_matrix[0]", "aws_ecs_task_definition").instances[0].attributes.container_definitions =
    legacyContainerDefinitions(containerFiles.matrix);
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
