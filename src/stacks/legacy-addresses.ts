/**
 * Where each resource of the legacy HCL deployment sits in its state, and
 * where it belongs in this project's stacks. The one place that knows the
 * legacy addresses: the `moved` blocks of `jitsi-matrix-<env>` and the
 * adoption tool (`npm run adopt`) are both derived from here.
 *
 * Legacy addresses carry environment values (CIDRs, target group names, host
 * names), so every function takes the environment.
 */
import { Environment } from "../environments/environment";
import { constructKey } from "../modules/construct-key";

/** A resource instance address, split the way a version 4 state file records it. */
export interface ResourceAddress {
  /** Module path, e.g. `module.ecs_lb` or `module.route53_cname_record["jitsi.example.org"]`; absent at the root. */
  readonly module?: string;
  readonly type: string;
  readonly name: string;
  /** `count` index or `for_each` key; absent for a single instance. */
  readonly key?: string | number;
}

/** A legacy instance and the address it takes in one of the new stacks. */
export interface LegacyMove {
  readonly from: ResourceAddress;
  readonly to: ResourceAddress;
  /**
   * Present only when the legacy deployment declared the instance for one
   * position of its PostgreSQL upgrade switch (`postgresql_upgrade`).
   * @default - declared in both positions
   */
  readonly postgresUpgrade?: boolean;
}

/** Terraform's string form of an address: `module.ecs_lb.aws_lb_target_group.tgs["jitsi-http-target-staging"]`. */
export function formatAddress(address: ResourceAddress): string {
  const resource = `${address.type}.${address.name}`;
  const key =
    address.key === undefined ? "" : typeof address.key === "number" ? `[${address.key}]` : `[${JSON.stringify(address.key)}]`;
  return `${address.module ? `${address.module}.` : ""}${resource}${key}`;
}

/** A root resource of one of the new stacks. */
function root(type: string, name: string): ResourceAddress {
  return { type, name };
}

/** `[<key>]` of a module call with `for_each`, as Terraform writes it. */
function moduleInstance(call: string, key: string | number): string {
  return `module.${call}[${JSON.stringify(key)}]`;
}

/**
 * The legacy EFS mount targets were counted over subnet IDs (`[0]`, `[1]`, in
 * ascending order of IDs only the legacy state knows). The adoption tool
 * re-keys them by their subnet's CIDR to this address first, so that the
 * `moved` blocks, which are static, can name them for any order of IDs.
 */
export function legacyMountTargetByCidr(cidr: string): ResourceAddress {
  return { ...LEGACY_MOUNT_TARGETS, key: cidr };
}

/** The mount targets as the legacy state holds them: one `count` instance per subnet. */
export const LEGACY_MOUNT_TARGETS = {
  module: "module.efs_mount_targets",
  type: "aws_efs_mount_target",
  name: "efs_mount_targets",
} as const;

/** Whether `address` (any key) is the legacy mount targets' resource. */
export function isLegacyMountTargets(address: { readonly module?: string; readonly type: string; readonly name: string }): boolean {
  return address.module === LEGACY_MOUNT_TARGETS.module && address.type === LEGACY_MOUNT_TARGETS.type && address.name === LEGACY_MOUNT_TARGETS.name;
}

/** The legacy subnets (`module.networking`), moving to the state of `networking-<env>`. */
export function networkingMoves(environment: Environment): LegacyMove[] {
  return environment.network.subnets.map((subnet) => ({
    from: { module: "module.networking", type: "aws_subnet", name: "subnet", key: subnet.cidrBlock },
    to: root("aws_subnet", `subnet_${constructKey(subnet.cidrBlock)}`),
  }));
}

type Role = "jitsi" | "element" | "synapse";

/**
 * Every other legacy instance, with its address in `jitsi-matrix-<env>`. The
 * mount targets appear under their CIDR-keyed address (`legacyMountTargetByCidr`).
 */
export function jitsiMatrixMoves(environment: Environment): LegacyMove[] {
  const targetGroups = environment.loadBalancer.targetGroupNames;
  const roles: readonly Role[] = ["jitsi", "element", "synapse"];
  const rules: readonly Role[] = ["element", "synapse"];
  const hosts = environment.dns.hosts;
  const securityGroup = (legacyModule: string, name: string): LegacyMove => ({
    from: { module: `module.${legacyModule}`, type: "aws_security_group", name: "sg" },
    to: root("aws_security_group", name),
  });
  const service = (legacyModule: string, name: string, postgresUpgrade?: boolean): LegacyMove[] => [
    {
      from: { module: legacyModule, type: "aws_ecs_task_definition", name: "ecs_task_definition" },
      to: root("aws_ecs_task_definition", `${name}_task_definition`),
      postgresUpgrade,
    },
    {
      from: { module: legacyModule, type: "aws_ecs_service", name: "worker" },
      to: root("aws_ecs_service", `${name}_service`),
      postgresUpgrade,
    },
  ];
  return [
    securityGroup("alb_sg", "alb_sg"),
    securityGroup("ec2_sg", "instance_sg"),
    securityGroup("efs_sg", "efs_sg"),
    ...environment.network.subnets.map((subnet) => ({
      from: legacyMountTargetByCidr(subnet.cidrBlock),
      to: root("aws_efs_mount_target", `efs_mount_target_${constructKey(subnet.cidrBlock)}`),
    })),
    {
      from: { module: "module.ecs_iam", type: "aws_iam_role", name: "ecs_agent" },
      to: root("aws_iam_role", "ecs_instance_role"),
    },
    {
      from: { module: "module.ecs_iam", type: "aws_iam_role_policy_attachment", name: "ecs_agent" },
      to: root("aws_iam_role_policy_attachment", "ecs_instance_role_ecs_for_ec2"),
    },
    {
      from: { module: "module.ecs_iam", type: "aws_iam_instance_profile", name: "ecs_agent" },
      to: root("aws_iam_instance_profile", "ecs_instance_role_profile"),
    },
    {
      from: { module: "module.ecs_ec2", type: "aws_launch_configuration", name: "ecs_launch_config" },
      to: root("aws_launch_configuration", "capacity_launch_configuration"),
    },
    {
      from: { module: "module.ecs_ec2", type: "aws_autoscaling_group", name: "ecs_asg" },
      to: root("aws_autoscaling_group", "capacity_group"),
    },
    { from: { module: "module.ecs_lb", type: "aws_lb", name: "elb" }, to: root("aws_lb", "load_balancer") },
    ...roles.map((role) => ({
      from: { module: "module.ecs_lb", type: "aws_lb_target_group", name: "tgs", key: targetGroups[role] },
      to: root("aws_lb_target_group", `load_balancer_${role}`),
    })),
    {
      from: { module: "module.ecs_lb", type: "aws_lb_listener", name: "front_end", key: "80" },
      to: root("aws_lb_listener", "load_balancer_http"),
    },
    {
      from: { module: "module.ecs_lb", type: "aws_lb_listener", name: "front_end", key: "443" },
      to: root("aws_lb_listener", "load_balancer_https"),
    },
    ...rules.map((role) => ({
      from: { module: "module.ecs_lb", type: "aws_lb_listener_rule", name: "forwarding_rules", key: targetGroups[role] },
      to: root("aws_lb_listener_rule", `load_balancer_rule_${role}`),
    })),
    { from: { module: "module.ecs_cluster", type: "aws_ecs_cluster", name: "ecs" }, to: root("aws_ecs_cluster", "cluster") },
    ...service("module.ecs_task_definitions_jitsi", "jitsi"),
    ...service("module.ecs_task_definitions_matrix[0]", "matrix", false),
    ...service("module.ecs_task_definitions_postgres_upgrade[0]", "postgres_upgrade", true),
    ...(["jitsi", "matrix", "element", "synapse"] as const).map((role) => ({
      from: { module: moduleInstance("route53_cname_record", hosts[role]), type: "aws_route53_record", name: "cname_record" },
      to: root("aws_route53_record", `dns_${role}`),
    })),
  ];
}

/** A `moved` block as Terraform's JSON syntax writes it. */
export interface MovedBlock {
  readonly from: string;
  readonly to: string;
}

/**
 * The `moved` blocks of `jitsi-matrix-<env>`: one per legacy instance that
 * lands in the stack, for both positions of the PostgreSQL upgrade switch, so
 * a state taken in either position adopts under either synth (a move to a
 * resource the synth does not declare is followed by its planned removal,
 * exactly what flipping the legacy switch did).
 */
export function jitsiMatrixMovedBlocks(environment: Environment): MovedBlock[] {
  return jitsiMatrixMoves(environment).map((move) => ({ from: formatAddress(move.from), to: formatAddress(move.to) }));
}
