import { EcsCapacityProvider as AwsEcsCapacityProvider } from "@cdktf/provider-aws/lib/ecs-capacity-provider";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";

/** Managed scaling keeps the instances as full as the tasks need: no spare instance. */
export const DEFAULT_TARGET_CAPACITY_PERCENT = 100;

/** ECS managed scaling ("cluster auto scaling") of a capacity provider's group. */
export interface ManagedScalingOptions {
  /**
   * Percent of the group's instances that tasks should need: 100 keeps no spare instance.
   * @default 100
   */
  readonly targetCapacityPercent?: number;
  /** Fewest instances added in one step. @default 1 */
  readonly minimumScalingStepSize?: number;
  /** Most instances added in one step. @default 1 - the platform grows an instance at a time */
  readonly maximumScalingStepSize?: number;
  /** Seconds before a new instance counts in the group's metrics. @default 300 */
  readonly instanceWarmupSeconds?: number;
}

/** A service's use of a capacity provider, in the shape of `aws_ecs_service.capacity_provider_strategy`. */
export interface CapacityProviderStrategyItem {
  readonly capacityProvider: string;
  readonly weight: number;
  readonly base: number;
}

export interface EcsCapacityProviderProps {
  /** Unique in the account and region; must not start with `aws`, `ecs` or `fargate`. */
  readonly name: string;
  /** The cluster the provider serves; this construct owns the cluster's list of capacity providers. */
  readonly clusterName: string;
  readonly autoScalingGroupArn: string;
  /**
   * Let ECS size the group for the tasks that need room. Do not combine with scaling policies of
   * your own on the same group: ECS's target tracking undoes what they do.
   * @default - off: the group's own policies, or nobody, change its size
   */
  readonly managedScaling?: ManagedScalingOptions;
  /**
   * Let scale-in take only instances that run no tasks but daemon tasks. Needs `managedScaling`
   * (AWS: it does not work without) and a group whose instances start protected from scale-in.
   * @default false
   */
  readonly managedTerminationProtection?: boolean;
  /**
   * Let ECS drain an instance (move its tasks away) before the group terminates it.
   * @default true - what AWS defaults to for a new capacity provider
   */
  readonly managedDraining?: boolean;
}

const RESERVED_PREFIX = /^(aws|ecs|fargate)/i;

function checkRange(field: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`managedScaling.${field}: ${JSON.stringify(value)} is out of range; use a whole number from ${min} to ${max}.`);
  }
}

/**
 * An ECS capacity provider for an Auto Scaling group, associated with the cluster
 * as its only provider and default strategy. Services keep working with
 * `launch_type = "EC2"`; a service that should trigger managed scale-out names the
 * provider in its `capacity_provider_strategy` (`strategy`), which for an existing
 * service means a replacement (docs in README: what scales and what does not).
 */
export class EcsCapacityProvider extends Construct {
  public readonly capacityProviderName: string;
  /** What a service puts in `capacity_provider_strategy` to run on this provider. */
  public readonly strategy: readonly CapacityProviderStrategyItem[];
  /** The provider's association with the cluster, which a service on the provider must depend on: ECS refuses a provider the cluster does not list. */
  public readonly clusterAssociation: ITerraformDependable;

  constructor(scope: Construct, id: string, props: EcsCapacityProviderProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.name) && (RESERVED_PREFIX.test(props.name) || !/^[A-Za-z0-9_-]{1,255}$/.test(props.name))) {
      throw new Error(
        `name: ${JSON.stringify(props.name)} is not a capacity provider name; use up to 255 letters, digits, - and _, ` +
          'not starting with "aws", "ecs" or "fargate" (e.g. "jitsi-matrix-capacity-staging").',
      );
    }
    const terminationProtection = props.managedTerminationProtection ?? false;
    if (terminationProtection && props.managedScaling === undefined) {
      throw new Error(
        "managedTerminationProtection: true without managedScaling; AWS documents that managed termination protection " +
          "does not work without managed scaling: give managedScaling or turn the protection off.",
      );
    }
    const scaling = props.managedScaling;
    checkRange("targetCapacityPercent", scaling?.targetCapacityPercent, 1, 100);
    checkRange("minimumScalingStepSize", scaling?.minimumScalingStepSize, 1, 10000);
    checkRange("maximumScalingStepSize", scaling?.maximumScalingStepSize, 1, 10000);
    checkRange("instanceWarmupSeconds", scaling?.instanceWarmupSeconds, 0, 10000);
    const minStep = scaling?.minimumScalingStepSize ?? 1;
    const maxStep = scaling?.maximumScalingStepSize ?? 1;
    if (!Token.isUnresolved(minStep) && !Token.isUnresolved(maxStep) && minStep > maxStep) {
      throw new Error(
        `managedScaling.minimumScalingStepSize: ${minStep} is above maximumScalingStepSize ${maxStep}; make the minimum at most the maximum.`,
      );
    }

    const enabled = (on: boolean) => (on ? "ENABLED" : "DISABLED");
    const provider = new AwsEcsCapacityProvider(this, "Default", {
      name: props.name,
      autoScalingGroupProvider: {
        autoScalingGroupArn: props.autoScalingGroupArn,
        managedTerminationProtection: enabled(terminationProtection),
        managedDraining: enabled(props.managedDraining ?? true),
        managedScaling: scaling
          ? {
              status: "ENABLED",
              targetCapacity: scaling.targetCapacityPercent ?? DEFAULT_TARGET_CAPACITY_PERCENT,
              minimumScalingStepSize: minStep,
              maximumScalingStepSize: maxStep,
              instanceWarmupPeriod: scaling.instanceWarmupSeconds ?? 300,
            }
          : { status: "DISABLED" },
      },
    });
    this.capacityProviderName = provider.name;
    this.strategy = [{ capacityProvider: provider.name, weight: 1, base: 0 }];

    // Services created without a launch type land on the provider; those with launch_type EC2 are unaffected.
    this.clusterAssociation = new EcsClusterCapacityProviders(this, "cluster", {
      clusterName: props.clusterName,
      capacityProviders: [provider.name],
      defaultCapacityProviderStrategy: this.strategy.map((item) => ({ ...item })),
    });
  }
}
