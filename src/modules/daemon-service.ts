import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ContainerDefinition, toEcsContainerDefinition } from "./container-definition";

export interface DaemonServiceProps {
  readonly clusterArn: string;
  readonly serviceName: string;
  readonly taskFamily: string;
  /** The task's one container, publishing fixed host ports. */
  readonly container: ContainerDefinition;
  readonly executionRoleArn: string;
  /** @default - nothing beyond references */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * A one-container task on every container instance: an ECS service with DAEMON scheduling, its task definition
 * (`task_definition`) and service (`service`) made in `scope`, so the construct that calls it names both. Bridge
 * networking, as the other tasks: the container's host ports are the instance's.
 */
export function daemonService(scope: Construct, props: DaemonServiceProps): { readonly taskDefinition: EcsTaskDefinition; readonly service: EcsService } {
  const taskDefinition = new EcsTaskDefinition(scope, "task_definition", {
    family: props.taskFamily,
    requiresCompatibilities: ["EC2"],
    executionRoleArn: props.executionRoleArn,
    containerDefinitions: JSON.stringify([toEcsContainerDefinition(props.container)]),
  });
  const service = new EcsService(scope, "service", {
    name: props.serviceName,
    cluster: props.clusterArn,
    taskDefinition: taskDefinition.arn,
    // Daemon services cannot use a capacity provider strategy.
    launchType: "EC2",
    schedulingStrategy: "DAEMON",
    // Fixed host ports: the old task on an instance must stop before the new one binds them.
    deploymentMinimumHealthyPercent: 0,
    deploymentMaximumPercent: 100,
    dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
  });
  return { taskDefinition, service };
}
