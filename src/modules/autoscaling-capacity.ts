import { AutoscalingGroup, AutoscalingGroupConfig } from "@cdktf/provider-aws/lib/autoscaling-group";
import { LaunchConfiguration } from "@cdktf/provider-aws/lib/launch-configuration";
import { Construct } from "constructs";
import { EcsLaunchTemplate, EcsRootVolume } from "./ecs-launch-template";
import { ecsUserData } from "./ecs-user-data";

export const DEFAULT_HEALTH_CHECK_GRACE_PERIOD = 300;
export const DEFAULT_HEALTH_CHECK_TYPE = "EC2";

/**
 * What changes the group's size besides Terraform: CPU step scaling policies, or an ECS
 * capacity provider's managed scaling (`CapacityScaling`). They must not be mixed: the
 * capacity provider's target tracking would undo what the CPU policies add.
 */
export type ScalingMode = "cpu" | "ecs-managed";

const TERMINATION_POLICIES = [
  "Default",
  "AllocationStrategy",
  "OldestLaunchTemplate",
  "OldestLaunchConfiguration",
  "ClosestToNextInstanceHour",
  "NewestInstance",
  "OldestInstance",
];

/** The tag ECS puts on a capacity provider's group; declared here so that Terraform does not remove it. */
export const ECS_MANAGED_TAG = "AmazonECSManaged";

export interface AutoscalingCapacityProps {
  /** ECS cluster the instances join. */
  readonly clusterName: string;
  readonly autoScalingGroupName: string;
  /**
   * AMI of the instances; with a launch template also an SSM reference (`resolve:ssm:<parameter>`).
   * @default - a launch template launches the ECS-optimized Amazon Linux 2023 AMI that AWS's public
   *   SSM parameter names at launch; a launch configuration cannot do without an AMI
   */
  readonly imageId?: string;
  readonly instanceType: string;
  /** @default - no key pair */
  readonly keyName?: string;
  readonly instanceProfileName: string;
  readonly securityGroupIds: readonly string[];
  readonly subnetIds: readonly string[];
  readonly desiredCapacity: number;
  readonly minSize: number;
  readonly maxSize: number;
  /** Seconds. @default 300 */
  readonly healthCheckGracePeriod?: number;
  /** @default "EC2" */
  readonly healthCheckType?: "EC2" | "ELB";
  /**
   * Require IMDSv2 session tokens on the instances. `false` leaves
   * `metadata_options` out, as the legacy launch configuration did: adding
   * it to an existing launch configuration replaces it.
   * @default true
   */
  readonly requireImdsv2?: boolean;
  /**
   * Launch the instances from a launch template (`EcsLaunchTemplate`: IMDSv2 required, encrypted
   * gp3 root volume) instead of a launch configuration, which accounts created since 2024-10-01
   * cannot create. For an existing group the switch creates the template, updates the group in
   * place and destroys the launch configuration (docs/launch-template-switch.md).
   * @default false - a launch configuration, as the legacy deployment has it
   */
  readonly launchTemplate?: boolean;
  /**
   * The launch template's root volume (only with `launchTemplate`).
   * @default - gp3, encrypted with the default EBS key, the AMI's size and root device
   */
  readonly rootVolume?: EcsRootVolume;
  /**
   * The environment's tags, for what the provider's `default_tags` do not reach: a `tag` block each
   * on the group, propagated at launch to its instances, and with a launch template also on the
   * instances and volumes it launches.
   * @default - none: the group has no tags of its own, as the legacy group's state has it (`tag: []`)
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * More tags on the instances and volumes the launch template launches (only with `launchTemplate`),
   * over `tags`, e.g. their `Name`.
   * @default - none
   */
  readonly instanceTags?: Readonly<Record<string, string>>;
  /**
   * Replace the running instances when the launch template or configuration changes (an instance
   * refresh: launch the new instance first, then drain and terminate the old one; keep `maxSize`
   * above `desiredCapacity` so there is room). Off, a change reaches only instances launched later,
   * and the operator chooses when to replace the instance that runs Synapse, PostgreSQL and prosody.
   * @default false
   */
  readonly instanceRefresh?: boolean;
  /**
   * What changes the group's size besides Terraform (`CapacityScaling` with the same mode). With
   * either mode Terraform ignores `desired_capacity` after creation and the group carries the
   * `AmazonECSManaged` tag; with `"ecs-managed"` new instances also start protected from scale-in,
   * which ECS managed termination protection needs.
   * @default - none: Terraform owns the size, as in the legacy deployment
   */
  readonly scaling?: ScalingMode;
  /**
   * Order in which scale-in picks instances, e.g. `["NewestInstance"]`, so that the instance
   * holding the stateful services, usually the oldest, goes last.
   * @default - the Auto Scaling default policy
   */
  readonly terminationPolicies?: readonly string[];
}

/** ECS container instances: a launch configuration and the Auto Scaling group that runs it. */
export class AutoscalingCapacity extends Construct {
  public readonly autoScalingGroupName: string;
  public readonly autoScalingGroupArn: string;
  /** What changes the group's size besides Terraform; `undefined` when nothing does. */
  public readonly scaling?: ScalingMode;

  constructor(scope: Construct, id: string, props: AutoscalingCapacityProps) {
    super(scope, id);
    const useTemplate = props.launchTemplate ?? false;
    if (useTemplate && props.requireImdsv2 === false) {
      throw new Error(
        "requireImdsv2: false with launchTemplate: true; the launch template always requires IMDSv2 " +
          "(its reason to exist was the launch configuration, which cannot gain metadata_options in place): remove requireImdsv2.",
      );
    }
    if (!useTemplate) {
      if (props.imageId === undefined) {
        throw new Error("imageId: missing; a launch configuration needs an AMI ID: give imageId, or set launchTemplate: true for the ECS-optimized AMI.");
      }
      for (const field of ["rootVolume", "instanceTags"] as const) {
        if (props[field] !== undefined) {
          throw new Error(`${field}: ${JSON.stringify(props[field])} applies to the launch template only; set launchTemplate: true or remove ${field}.`);
        }
      }
    }
    if (props.tags !== undefined && ECS_MANAGED_TAG in props.tags) {
      throw new Error(`tags: ${JSON.stringify(props.tags)} sets ${ECS_MANAGED_TAG}, which ECS sets on a capacity provider's group; remove it (scaling adds it).`);
    }
    const unknownPolicy = (props.terminationPolicies ?? []).find((p) => !TERMINATION_POLICIES.includes(p) && !p.startsWith("arn:aws:lambda:"));
    if (unknownPolicy !== undefined) {
      throw new Error(`terminationPolicies: ${JSON.stringify(unknownPolicy)} is not a termination policy; use ${TERMINATION_POLICIES.join(", ")} or a Lambda function ARN.`);
    }
    const group = useTemplate ? this.groupOnTemplate(props) : this.groupOnConfiguration(props, props.imageId!);
    this.autoScalingGroupName = group.name;
    this.autoScalingGroupArn = group.arn;
    this.scaling = props.scaling;
  }

  private groupOnTemplate(props: AutoscalingCapacityProps): AutoscalingGroup {
    const template = new EcsLaunchTemplate(this, "launch_template", {
      clusterName: props.clusterName,
      imageId: props.imageId,
      instanceType: props.instanceType,
      keyName: props.keyName,
      instanceProfileName: props.instanceProfileName,
      securityGroupIds: props.securityGroupIds,
      rootVolume: props.rootVolume,
      instanceTags: props.tags === undefined && props.instanceTags === undefined ? undefined : { ...props.tags, ...props.instanceTags },
      namePrefix: `${props.autoScalingGroupName}-`,
    });
    // The latest version, not $Latest: a template change is then a visible in-place update of the group.
    return this.group(props, { launchTemplate: { id: template.launchTemplateId, version: template.latestVersion } });
  }

  private groupOnConfiguration(props: AutoscalingCapacityProps, imageId: string): AutoscalingGroup {
    const launchConfiguration = new LaunchConfiguration(this, "launch_configuration", {
      imageId,
      instanceType: props.instanceType,
      keyName: props.keyName,
      iamInstanceProfile: props.instanceProfileName,
      securityGroups: [...props.securityGroupIds],
      associatePublicIpAddress: true,
      userData: ecsUserData(props.clusterName),
      // IMDSv1 answers any process that can make a GET, e.g. through a server-side request forgery.
      metadataOptions: (props.requireImdsv2 ?? true) ? { httpTokens: "required", httpEndpoint: "enabled" } : undefined,
      // Launch configurations are immutable: a change must create the new one before the group lets go of the old.
      lifecycle: { createBeforeDestroy: true },
    });
    return this.group(props, { launchConfiguration: launchConfiguration.name });
  }

  /** The group; every argument below is left out at its default, so a legacy group synthesizes as before. */
  private group(
    props: AutoscalingCapacityProps,
    launch: Pick<AutoscalingGroupConfig, "launchConfiguration" | "launchTemplate">,
  ): AutoscalingGroup {
    const scaled = props.scaling !== undefined;
    // default_tags skip Auto Scaling groups: the group's own tag blocks are the only way its instances get tagged.
    const tagBlocks = [
      ...Object.entries(props.tags ?? {}).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      ...(scaled ? [{ key: ECS_MANAGED_TAG, value: "true", propagateAtLaunch: true }] : []),
    ];
    return new AutoscalingGroup(this, "group", {
      name: props.autoScalingGroupName,
      ...launch,
      vpcZoneIdentifier: [...props.subnetIds],
      desiredCapacity: props.desiredCapacity,
      minSize: props.minSize,
      maxSize: props.maxSize,
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? DEFAULT_HEALTH_CHECK_GRACE_PERIOD,
      healthCheckType: props.healthCheckType ?? DEFAULT_HEALTH_CHECK_TYPE,
      terminationPolicies: props.terminationPolicies ? [...props.terminationPolicies] : undefined,
      protectFromScaleIn: props.scaling === "ecs-managed" ? true : undefined,
      tag: tagBlocks.length > 0 ? tagBlocks : undefined,
      instanceRefresh: (props.instanceRefresh ?? false)
        ? {
            strategy: "Rolling",
            preferences: {
              // Launch before terminate: the platform often has one instance, and its tasks need somewhere to go.
              minHealthyPercentage: 100,
              maxHealthyPercentage: 200,
              // ECS-managed groups protect every instance with tasks; a refresh must still replace them (ECS drains them first).
              scaleInProtectedInstances: "Refresh",
              skipMatching: true,
            },
          }
        : undefined,
      // The scaling policies or ECS own the size after creation; an apply must not reset it.
      lifecycle: scaled ? { ignoreChanges: ["desired_capacity"] } : undefined,
    });
  }
}
