import { mkdirSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { staging } from "../../src/environments/staging";
import { PROJECT_ROOT } from "../../src/synthesize";

/** The legacy staging state shipped beside the project. */
export const LEGACY_STAGING_STATE = path.join(PROJECT_ROOT, "..", "shared", "legacy", "staging.tfstate");

interface LegacyResource {
  module?: string;
  mode: string;
  type: string;
  name: string;
  provider: string;
  instances: Array<{ index_key?: string | number; attributes: Record<string, any>; dependencies?: string[]; [key: string]: unknown }>;
}

const dashed = (cidr: string) => cidr.replace(/[./]/g, "-");

/**
 * The legacy staging state split the way the new stacks hold it, every resource already at
 * its new address (as after the adoption and an apply of the moves): the subnets for
 * `networking-staging`, the rest for `jitsi-matrix-staging`. A state holding real-looking
 * resources, so that a plan can show replacements and in-place updates.
 */
export function adoptedStagingStates(dir: string): { networking: string; jitsiMatrix: string } {
  const legacy = JSON.parse(readFileSync(LEGACY_STAGING_STATE, "utf8")) as { lineage: string; resources: LegacyResource[] };
  const subnetCidrById = new Map<string, string>();
  for (const r of legacy.resources) {
    if (r.type === "aws_subnet") for (const i of r.instances) subnetCidrById.set(i.attributes.id, i.attributes.cidr_block);
  }
  const hostNames = Object.fromEntries(Object.entries(staging.dns.hosts).map(([role, host]) => [host, role]));
  const service = (module: string) => (module.includes("jitsi") ? "jitsi" : module.includes("postgres_upgrade") ? "postgres_upgrade" : "matrix");

  const newName = (r: LegacyResource, instance: LegacyResource["instances"][number]): string => {
    const module = r.module ?? "";
    const key = String(instance.index_key);
    switch (r.type) {
      case "aws_subnet":
        return `subnet_${dashed(key)}`;
      case "aws_security_group":
        return { "module.alb_sg": "alb_sg", "module.ec2_sg": "instance_sg", "module.efs_sg": "efs_sg" }[module]!;
      case "aws_efs_mount_target":
        // Legacy mount targets are counted over sorted subnet IDs; the new ones are keyed by the subnet's CIDR.
        return `efs_mount_target_${dashed(subnetCidrById.get(instance.attributes.subnet_id)!)}`;
      case "aws_iam_role":
        return "ecs_instance_role";
      case "aws_iam_role_policy_attachment":
        return "ecs_instance_role_ecs_for_ec2";
      case "aws_iam_instance_profile":
        return "ecs_instance_role_profile";
      case "aws_launch_configuration":
        return "capacity_launch_configuration";
      case "aws_autoscaling_group":
        return "capacity_group";
      case "aws_lb":
        return "load_balancer";
      case "aws_lb_target_group":
        return `load_balancer_${key.split("-")[0]}`;
      case "aws_lb_listener":
        return key === "80" ? "load_balancer_http" : "load_balancer_https";
      case "aws_lb_listener_rule":
        return `load_balancer_rule_${key.split("-")[0]}`;
      case "aws_ecs_cluster":
        return "cluster";
      case "aws_ecs_task_definition":
        return `${service(module)}_task_definition`;
      case "aws_ecs_service":
        return `${service(module)}_service`;
      case "aws_route53_record":
        return `dns_${hostNames[/\["(.+)"\]/.exec(module)![1]]}`;
    }
    throw new Error(`legacy resource ${module}.${r.type}.${r.name} has no new address here; extend adoptedStagingStates.`);
  };

  const split: Record<"networking" | "jitsiMatrix", LegacyResource[]> = { networking: [], jitsiMatrix: [] };
  for (const r of legacy.resources) {
    for (const instance of r.instances) {
      const { index_key: _key, dependencies: _dependencies, ...rest } = instance;
      split[r.type === "aws_subnet" ? "networking" : "jitsiMatrix"].push({
        mode: r.mode,
        type: r.type,
        name: newName(r, instance),
        provider: r.provider,
        instances: [{ ...rest, dependencies: [] }],
      });
    }
  }
  mkdirSync(dir, { recursive: true });
  const write = (which: "networking" | "jitsiMatrix"): string => {
    const file = path.join(dir, `${which}.tfstate`);
    writeFileSync(file, JSON.stringify({ ...legacy, lineage: `${legacy.lineage.slice(0, -4)}${which === "networking" ? "0001" : "0002"}`, serial: 1, resources: split[which] }, null, 2));
    return file;
  };
  return { networking: write("networking"), jitsiMatrix: write("jitsiMatrix") };
}
