import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { LaunchConfiguration } from "@cdktf/provider-aws/lib/launch-configuration";
import { Construct } from "constructs";

const DEFAULT_HEALTH_CHECK_GRACE_PERIOD = 300;
const DEFAULT_HEALTH_CHECK_TYPE = "EC2";

export interface AutoscalingCapacityProps {
  /** ECS cluster the instances join. */
  readonly clusterName: string;
  readonly autoScalingGroupName: string;
  readonly imageId: string;
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
}

/** The user data that makes an ECS-optimized AMI join a cluster, byte for byte as the legacy module wrote it. */
export function ecsUserData(clusterName: string): string {
  return `#!/bin/bash\necho ECS_CLUSTER=${clusterName} >> /etc/ecs/ecs.config`;
}

/** ECS container instances: a launch configuration and the Auto Scaling group that runs it. */
export class AutoscalingCapacity extends Construct {
  public readonly autoScalingGroupName: string;
  public readonly autoScalingGroupArn: string;

  constructor(scope: Construct, id: string, props: AutoscalingCapacityProps) {
    super(scope, id);
    const launchConfiguration = new LaunchConfiguration(this, "launch_configuration", {
      imageId: props.imageId,
      instanceType: props.instanceType,
      keyName: props.keyName,
      iamInstanceProfile: props.instanceProfileName,
      securityGroups: [...props.securityGroupIds],
      associatePublicIpAddress: true,
      userData: ecsUserData(props.clusterName),
      // Launch configurations are immutable: a change must create the new one before the group lets go of the old.
      lifecycle: { createBeforeDestroy: true },
    });
    const group = new AutoscalingGroup(this, "group", {
      name: props.autoScalingGroupName,
      launchConfiguration: launchConfiguration.name,
      vpcZoneIdentifier: [...props.subnetIds],
      desiredCapacity: props.desiredCapacity,
      minSize: props.minSize,
      maxSize: props.maxSize,
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? DEFAULT_HEALTH_CHECK_GRACE_PERIOD,
      healthCheckType: props.healthCheckType ?? DEFAULT_HEALTH_CHECK_TYPE,
    });
    this.autoScalingGroupName = group.name;
    this.autoScalingGroupArn = group.arn;
  }
}
