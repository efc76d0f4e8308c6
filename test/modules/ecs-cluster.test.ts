import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import { CONTAINER_INSIGHTS_LOG_RETENTION_DAYS, containerInsightsLogGroupName, EcsCluster } from "../../src/modules/ecs-cluster";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

describe("EcsCluster", () => {
  it("is named as given, addressed by its construct id, and exposes its ARN and name as references", () => {
    const { json } = synthConstructs((scope) => {
      const cluster = new EcsCluster(scope, "cluster", { name: "jitsi-matrix-cluster-staging" });
      new TerraformOutput(scope, "arn", { value: cluster.clusterArn });
      new TerraformOutput(scope, "name", { value: cluster.clusterName });
    });
    expect(resourcesOf(json, "aws_ecs_cluster").cluster).toMatchObject({ name: "jitsi-matrix-cluster-staging" });
    expect(json.output).toMatchObject({ arn: { value: "${aws_ecs_cluster.cluster.arn}" }, name: { value: "${aws_ecs_cluster.cluster.name}" } });
  });

  it("has no setting block by default, as the legacy clusters (an in-place update would follow from one)", () => {
    const { json } = synthConstructs((scope) => new EcsCluster(scope, "cluster", { name: "c" }));
    expect(onlyResource(json, "aws_ecs_cluster")).not.toHaveProperty("setting");
    const off = synthConstructs((scope) => new EcsCluster(scope, "cluster", { name: "c", containerInsights: false })).json;
    expect(onlyResource(off, "aws_ecs_cluster")).not.toHaveProperty("setting");
  });

  it("turns Container Insights on with exactly the containerInsights setting", () => {
    const { json } = synthConstructs((scope) => new EcsCluster(scope, "cluster", { name: "c", containerInsights: true }));
    expect(onlyResource(json, "aws_ecs_cluster").setting).toEqual([{ name: "containerInsights", value: "enabled" }]);
  });

  it("with Container Insights, declares the performance log group ECS would create itself, before the cluster, with a retention and the key", () => {
    const { json } = synthConstructs((scope) => new EcsCluster(scope, "cluster", { name: "c", containerInsights: true, containerInsightsLogs: { kmsKeyArn: "arn:key" } }));
    const group = onlyResource(json, "aws_cloudwatch_log_group");
    expect(group).toMatchObject({ name: containerInsightsLogGroupName("c"), retention_in_days: CONTAINER_INSIGHTS_LOG_RETENTION_DAYS, kms_key_id: "arn:key" });
    expect(group.name).toBe("/aws/ecs/containerinsights/c/performance");
    expect(onlyResource(json, "aws_ecs_cluster").depends_on).toEqual([`aws_cloudwatch_log_group.${Object.keys(resourcesOf(json, "aws_cloudwatch_log_group"))[0]}`]);
    const off = synthConstructs((scope) => new EcsCluster(scope, "cluster", { name: "c" })).json;
    expect(resourcesOf(off, "aws_cloudwatch_log_group")).toEqual({});
  });

  it("carries no tags of its own: the environment's tags reach it through the provider's default_tags, as the legacy tags_all", () => {
    const tags = { Environment: "Staging", Project: "ECS Cluster" };
    const { json } = synthConstructs((scope) => {
      new AwsProvider(scope, "aws", { region: "eu-west-1", defaultTags: [{ tags }] });
      new EcsCluster(scope, "cluster", { name: "c" });
    });
    expect(onlyResource(json, "aws_ecs_cluster")).not.toHaveProperty("tags");
    expect(json.provider?.aws).toEqual([expect.objectContaining({ default_tags: [{ tags }] })]);
  });
});
