import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ScalingMode } from "./autoscaling-capacity";
import { CpuScalingOptions, CpuScalingPolicies } from "./cpu-scaling-policies";
import { CapacityProviderStrategyItem, EcsCapacityProvider, ManagedScalingOptions } from "./ecs-capacity-provider";

/** The group to scale, as `AutoscalingCapacity` exposes it. */
export interface ScaledGroup {
  readonly autoScalingGroupName: string;
  readonly autoScalingGroupArn: string;
  /** How the group was built to be scaled; must equal the mode. */
  readonly scaling?: ScalingMode;
}

export interface CapacityScalingProps {
  /**
   * - `"cpu"`: step scaling policies on the group's average CPU (out above 75 %, in below 25 %).
   *   Capacity follows load that tasks do not reserve, such as the JVBs of `JvbDaemon`. ECS
   *   managed termination protection is not available (AWS: it needs managed scaling), so the
   *   stack adds a `StatefulInstanceProtection` for the instances running Synapse, PostgreSQL
   *   and prosody; managed draining moves tasks off any instance that goes.
   * - `"ecs-managed"`: the capacity provider's managed scaling sizes the group for the tasks
   *   that need room, and managed termination protection lets only instances without tasks go:
   *   the stateful services' instance is never scaled in. Daemon tasks (the JVBs) neither
   *   trigger a scale-out nor keep an instance.
   */
  readonly mode: ScalingMode;
  readonly clusterName: string;
  /** The group, built with `scaling` equal to `mode` (an `AutoscalingCapacity`). */
  readonly group: ScaledGroup;
  /**
   * Name of the ECS capacity provider.
   * @default - the group's name
   */
  readonly capacityProviderName?: string;
  /**
   * Thresholds and periods of the CPU policies; only with mode `"cpu"`.
   * @default - out above 75 % for 5 minutes, in below 25 % for 15 minutes, 300 s warmup
   */
  readonly cpu?: CpuScalingOptions;
  /**
   * Settings of ECS managed scaling; only with mode `"ecs-managed"`.
   * @default - target capacity 100 %, one instance per step, 300 s warmup
   */
  readonly managedScaling?: ManagedScalingOptions;
  /**
   * Let ECS drain an instance before the group terminates it.
   * @default true
   */
  readonly managedDraining?: boolean;
}

/**
 * Scaling of the container instances, in one of two modes that AWS warns must not
 * be mixed (managed scaling's target tracking would scale in the instances CPU
 * policies add, since they run only daemon tasks). Both modes create an ECS
 * capacity provider for the group and associate it with the cluster. In mode
 * `"ecs-managed"` the services must run on the provider (`capacityProviderStrategy`) for
 * managed scaling to see tasks waiting for room; with `launch_type = "EC2"` they never
 * wait in PROVISIONING and the group never scales out (switching an existing service
 * from a launch type to a strategy replaces it).
 */
export class CapacityScaling extends Construct {
  public readonly capacityProviderName: string;
  /** `capacity_provider_strategy` of a service that should run on the provider. */
  public readonly capacityProviderStrategy: readonly CapacityProviderStrategyItem[];
  /** What a service on the provider must depend on: the provider's association with the cluster. */
  public readonly capacityProviderAssociation: ITerraformDependable;

  constructor(scope: Construct, id: string, props: CapacityScalingProps) {
    super(scope, id);
    const { mode } = props;
    if (mode !== "cpu" && mode !== "ecs-managed") {
      throw new Error(`mode: ${JSON.stringify(mode)} is not a scaling mode; use "cpu" or "ecs-managed".`);
    }
    if (props.group.scaling !== mode) {
      throw new Error(
        `group.scaling: ${JSON.stringify(props.group.scaling ?? "none")} does not match mode ${JSON.stringify(mode)}; ` +
          `build the AutoscalingCapacity with scaling: ${JSON.stringify(mode)} so that Terraform leaves its size to the scaling` +
          (mode === "ecs-managed" ? " and new instances start protected from scale-in." : "."),
      );
    }
    const mixing =
      "AWS warns against combining ECS managed scaling with scaling policies of your own: its target tracking scales in " +
      "the instances the CPU policies add";
    if (mode === "cpu" && props.managedScaling !== undefined) {
      throw new Error(`managedScaling: set with mode "cpu"; ${mixing}. Remove managedScaling, or use mode "ecs-managed" without cpu.`);
    }
    if (mode === "ecs-managed" && props.cpu !== undefined) {
      throw new Error(`cpu: set with mode "ecs-managed"; ${mixing}. Remove cpu, or use mode "cpu" without managedScaling.`);
    }

    if (mode === "cpu") {
      new CpuScalingPolicies(this, "cpu", { autoScalingGroupName: props.group.autoScalingGroupName, ...props.cpu });
    }
    const provider = new EcsCapacityProvider(this, "provider", {
      name: props.capacityProviderName ?? props.group.autoScalingGroupName,
      clusterName: props.clusterName,
      autoScalingGroupArn: props.group.autoScalingGroupArn,
      managedScaling: mode === "ecs-managed" ? (props.managedScaling ?? {}) : undefined,
      managedTerminationProtection: mode === "ecs-managed",
      managedDraining: props.managedDraining,
    });
    this.capacityProviderName = provider.capacityProviderName;
    this.capacityProviderStrategy = provider.strategy;
    this.capacityProviderAssociation = provider.clusterAssociation;
  }
}
