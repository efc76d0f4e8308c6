import { EcsService as AwsEcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ContainerDefinition, renderContainerDefinitions } from "./container-definition";

const DEFAULT_DESIRED_COUNT = 1;
// One instance, fixed host ports: the old task must stop before the new one can bind them.
const DEFAULT_MINIMUM_HEALTHY_PERCENT = 0;
const DEFAULT_MAXIMUM_PERCENT = 100;
/**
 * Seconds ECS ignores a new task's failing load balancer health checks: without a grace period, ECS stops a task
 * whose target turns unhealthy before the application answers, such as Synapse during a long schema migration at its
 * first start or after an upgrade, and starts another that does the same (ECS Developer Guide, "Health check grace
 * period"; docs/aws-wiring.md).
 */
export const DEFAULT_HEALTH_CHECK_GRACE_PERIOD_SECONDS = 300;

/** An EFS-backed volume of a task. */
export interface EfsVolume {
  readonly name: string;
  readonly fileSystemId: string;
  readonly rootDirectory: string;
  /** @default true */
  readonly transitEncryption?: boolean;
}

/** The task definition's `volume` block of an EFS volume. */
export const efsVolumeBlock = (volume: EfsVolume) => ({
  name: volume.name,
  efsVolumeConfiguration: {
    fileSystemId: volume.fileSystemId,
    rootDirectory: volume.rootDirectory,
    transitEncryption: (volume.transitEncryption ?? true) ? "ENABLED" : "DISABLED",
  },
});

/** A container port registered with a target group. */
export interface ServiceLoadBalancerTarget {
  readonly containerName: string;
  readonly containerPort: number;
  readonly targetGroupArn: string;
}

export interface EcsServiceProps {
  readonly clusterArn: string;
  readonly serviceName: string;
  /** Task definition family. */
  readonly family: string;
  readonly containers: readonly ContainerDefinition[];
  /** @default - none */
  readonly volumes?: readonly EfsVolume[];
  /**
   * Volumes of the task alone, on the instance's disk, which Docker deletes when the task stops: for what one
   * container hands another at start, and must not outlive the task (settings with passwords in them).
   * @default - none
   */
  readonly taskVolumes?: readonly string[];
  /**
   * Role ECS uses to start the task (needed for container `secrets`).
   * @default - none
   */
  readonly executionRoleArn?: string;
  /** @default 1 */
  readonly desiredCount?: number;
  /** @default 0 */
  readonly minimumHealthyPercent?: number;
  /** @default 100 */
  readonly maximumPercent?: number;
  /** @default - not behind a load balancer */
  readonly loadBalancerTargets?: readonly ServiceLoadBalancerTarget[];
  /** With `loadBalancerTargets` only. @default 300 */
  readonly healthCheckGracePeriodSeconds?: number;
  /**
   * What must exist before the service, such as the listener that routes to its target groups.
   * @default - nothing beyond references
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** A task definition for EC2 container instances and the service that keeps it running. */
export class EcsService extends Construct {
  public readonly taskDefinitionArn: string;
  public readonly serviceName: string;

  constructor(scope: Construct, id: string, props: EcsServiceProps) {
    super(scope, id);
    const volumeNames = new Set([...(props.volumes ?? []).map((volume) => volume.name), ...(props.taskVolumes ?? [])]);
    for (const container of props.containers) {
      for (const mount of container.mountPoints ?? []) {
        if (!volumeNames.has(mount.sourceVolume)) {
          throw new Error(
            `${props.family}: container "${container.name}" mounts volume "${mount.sourceVolume}", ` +
              `which the task does not define; add it to the volumes (${[...volumeNames].join(", ") || "none"}).`,
          );
        }
      }
    }

    const taskDefinition = new EcsTaskDefinition(this, "task_definition", {
      family: props.family,
      requiresCompatibilities: ["EC2"],
      executionRoleArn: props.executionRoleArn,
      containerDefinitions: renderContainerDefinitions(props.containers),
      volume: [
        ...(props.volumes ?? []).map(efsVolumeBlock),
        // No host path: Docker makes the directory and removes it with the task.
        ...(props.taskVolumes ?? []).map((name) => ({ name })),
      ],
    });

    const service = new AwsEcsService(this, "service", {
      name: props.serviceName,
      cluster: props.clusterArn,
      taskDefinition: taskDefinition.arn,
      launchType: "EC2",
      schedulingStrategy: "REPLICA",
      desiredCount: props.desiredCount ?? DEFAULT_DESIRED_COUNT,
      deploymentMinimumHealthyPercent: props.minimumHealthyPercent ?? DEFAULT_MINIMUM_HEALTHY_PERCENT,
      deploymentMaximumPercent: props.maximumPercent ?? DEFAULT_MAXIMUM_PERCENT,
      healthCheckGracePeriodSeconds: props.loadBalancerTargets?.length
        ? (props.healthCheckGracePeriodSeconds ?? DEFAULT_HEALTH_CHECK_GRACE_PERIOD_SECONDS)
        : undefined,
      loadBalancer: (props.loadBalancerTargets ?? []).map((target) => ({
        containerName: target.containerName,
        containerPort: target.containerPort,
        targetGroupArn: target.targetGroupArn,
      })),
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
    });

    this.taskDefinitionArn = taskDefinition.arn;
    this.serviceName = service.name;
  }
}
