import { EcsCluster as AwsEcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { Construct } from "constructs";

export interface EcsClusterProps {
  readonly name: string;
  /**
   * ECS Container Insights: per-service metrics such as `RunningTaskCount` and `DesiredTaskCount`
   * in `ECS/ContainerInsights`, billed as CloudWatch custom metrics. Off, the cluster gets no
   * `setting` block, as the legacy clusters have none: turning it on is an in-place update.
   * @default false
   */
  readonly containerInsights?: boolean;
}

/** The ECS cluster the container instances join. */
export class EcsCluster extends Construct {
  public readonly clusterArn: string;
  public readonly clusterName: string;

  constructor(scope: Construct, id: string, props: EcsClusterProps) {
    super(scope, id);
    const cluster = new AwsEcsCluster(this, "Default", {
      name: props.name,
      setting: props.containerInsights ? [{ name: "containerInsights", value: "enabled" }] : undefined,
    });
    this.clusterArn = cluster.arn;
    this.clusterName = cluster.name;
  }
}
