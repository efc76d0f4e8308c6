import { EcsCluster as AwsEcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { Construct } from "constructs";

export interface EcsClusterProps {
  readonly name: string;
}

/** The ECS cluster the container instances join. */
export class EcsCluster extends Construct {
  public readonly clusterArn: string;
  public readonly clusterName: string;

  constructor(scope: Construct, id: string, props: EcsClusterProps) {
    super(scope, id);
    const cluster = new AwsEcsCluster(this, "Default", { name: props.name });
    this.clusterArn = cluster.arn;
    this.clusterName = cluster.name;
  }
}
