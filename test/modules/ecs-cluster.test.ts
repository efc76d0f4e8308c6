import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import { EcsCluster } from "../../src/modules/ecs-cluster";
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
