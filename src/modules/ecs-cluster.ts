import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
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
  /**
   * With Container Insights, the log group of its performance events: days kept, and the key that encrypts them.
   * @default - 7 days, CloudWatch Logs' own encryption
   */
  readonly containerInsightsLogs?: { readonly retentionDays?: number; readonly kmsKeyArn?: string };
}

/** Days of Container Insights' performance events, the raw form of its metrics: a week to query them. */
export const CONTAINER_INSIGHTS_LOG_RETENTION_DAYS = 7;

/**
 * Where Container Insights writes a cluster's performance events, a log group ECS creates itself unless it exists
 * (ECS Developer Guide, "Amazon ECS Container Insights"; docs/aws-wiring.md).
 */
export const containerInsightsLogGroupName = (clusterName: string) => `/aws/ecs/containerinsights/${clusterName}/performance`;

/** The ECS cluster the container instances join. */
export class EcsCluster extends Construct {
  public readonly clusterArn: string;
  public readonly clusterName: string;

  constructor(scope: Construct, id: string, props: EcsClusterProps) {
    super(scope, id);
    // Declared before Container Insights starts, so that the group carries the key and expires.
    const insightsLogs = props.containerInsights
      ? new CloudwatchLogGroup(this, "container_insights_logs", {
          name: containerInsightsLogGroupName(props.name),
          retentionInDays: props.containerInsightsLogs?.retentionDays ?? CONTAINER_INSIGHTS_LOG_RETENTION_DAYS,
          kmsKeyId: props.containerInsightsLogs?.kmsKeyArn,
        })
      : undefined;
    const cluster = new AwsEcsCluster(this, "Default", {
      name: props.name,
      setting: props.containerInsights ? [{ name: "containerInsights", value: "enabled" }] : undefined,
      dependsOn: insightsLogs ? [insightsLogs] : undefined,
    });
    this.clusterArn = cluster.arn;
    this.clusterName = cluster.name;
  }
}
