import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App } from "cdktf";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { AlarmTopic } from "../../src/modules/alarm-topic";
import { EcsCluster } from "../../src/modules/ecs-cluster";
import { EcsService } from "../../src/modules/ecs-service";
import { EfsBackup } from "../../src/modules/efs-backup";
import { LoadBalancer } from "../../src/modules/load-balancer";
import { PlatformAlarms } from "../../src/modules/platform-alarms";
import { ServiceLogGroup, withLogConfiguration } from "../../src/modules/service-log-group";
import { AddressedStack } from "../../src/stacks/addressed-stack";
import { describeIfTerraform, PlanJson, resourceChanges, validatedPlan } from "../support/terraform";

const REGION = "eu-west-1";

/**
 * The logs, alarms and backup building blocks in one throwaway stack, wired to a cluster,
 * a service and a load balancer the way an environment stack would wire them.
 */
function synthBuildingBlocks(outdir: string): string {
  const app = new App({ outdir });
  const stack = new AddressedStack(app, "building-blocks");
  new AwsProvider(stack, "aws", { region: REGION, defaultTags: [{ tags: { Project: "building-blocks-test" } }] });

  const cluster = new EcsCluster(stack, "cluster", { name: "bb-cluster" });
  const lb = new LoadBalancer(stack, "load_balancer", {
    name: "bb-alb",
    vpcId: "vpc-0123456789abcdef0",
    subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    securityGroupIds: ["sg-0123456789abcdef0"],
    certificateArn: `arn:aws:acm:${REGION}:123456789012:certificate/00000000-0000-4000-8000-000000000000`,
    targetGroups: { jitsi: { name: "bb-jitsi", port: 8000 }, synapse: { name: "bb-synapse", port: 8008, healthCheckPath: "/health" } },
    defaultTargetGroup: "jitsi",
    hostRules: { synapse: { targetGroup: "synapse", priority: 100, hosts: ["synapse.example.org"] } },
  });
  const logs = new ServiceLogGroup(stack, "logs_jitsi", { clusterName: "bb-cluster", serviceName: "bb-jitsi", region: REGION, retentionDays: 7 });
  new EcsService(stack, "jitsi", {
    clusterArn: cluster.clusterArn,
    serviceName: "bb-jitsi",
    family: "bb-jitsi",
    containers: withLogConfiguration(
      [
        { name: "web", image: "jitsi/web:stable-9753", memory: 256, portMappings: [{ containerPort: 80, hostPort: 8000 }] },
        { name: "jvb", image: "jitsi/jvb:stable-9753", memory: 512 },
      ],
      logs.logConfiguration(),
    ),
    loadBalancerTargets: [{ containerName: "web", containerPort: 80, targetGroupArn: lb.targetGroupArns.jitsi }],
    dependsOn: lb.routing,
  });

  const topic = new AlarmTopic(stack, "alarm_topic", { topicName: "bb-alarms", emailAddresses: ["ops@example.org"] });
  new PlatformAlarms(stack, "alarms", {
    namePrefix: "bb",
    notificationArns: [topic.topicArn],
    instanceCpu: { autoScalingGroupName: "bb-asg" },
    services: { clusterName: cluster.clusterName, serviceNames: { jitsi: "bb-jitsi" } },
    loadBalancer: { arnSuffix: lb.arnSuffix, targetGroupArnSuffixes: lb.targetGroupArnSuffixes },
    efsBurstCredits: { fileSystemId: "fs-bce67e88" },
  });
  new PlatformAlarms(stack, "insights_alarms", {
    namePrefix: "bb-insights",
    notificationArns: [topic.topicArn],
    services: { clusterName: cluster.clusterName, serviceNames: { jitsi: "bb-jitsi" }, metric: "container-insights" },
  });
  new EfsBackup(stack, "backup", { name: "bb", fileSystemId: "fs-bce67e88", region: REGION });
  new EfsBackup(stack, "backup_known_account", { name: "bb-known", fileSystemId: "fs-bce67e88", region: REGION, accountId: "123456789012" });
  app.synth();
  return path.join(outdir, "stacks", "building-blocks");
}

describeIfTerraform("the logs, alarms and backup building blocks, validated and planned by real Terraform", () => {
  let outdir: string;
  let plan: PlanJson;
  beforeAll(async () => {
    outdir = mkdtempSync(path.join(tmpdir(), "building-blocks-"));
    plan = await validatedPlan(synthBuildingBlocks(outdir));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const created = (type: string) =>
    resourceChanges(plan)
      .filter((change) => change.type === type)
      .map((change) => ({ address: change.address, actions: change.actions, after: change.after as Record<string, unknown> }));

  it("plans every resource as a create, from an empty state, without reading anything from AWS", () => {
    const changes = resourceChanges(plan);
    expect(changes.filter((change) => change.actions.join() !== "create")).toEqual([]);
    expect(changes.filter((change) => change.mode === "data")).toEqual([]);
    // CPU, one task count, two target groups, 5xx, EFS; and the Container Insights task count.
    expect(created("aws_cloudwatch_metric_alarm")).toHaveLength(7);
    expect(created("aws_backup_selection")).toHaveLength(2);
  });

  it("gives the containers an awslogs configuration ECS accepts, naming the group and region", () => {
    const [taskDefinition] = created("aws_ecs_task_definition");
    const containers = JSON.parse(taskDefinition.after.container_definitions as string) as { logConfiguration: unknown }[];
    for (const container of containers) {
      expect(container.logConfiguration).toEqual({
        logDriver: "awslogs",
        options: expect.objectContaining({ "awslogs-group": "/ecs/bb-cluster/bb-jitsi", "awslogs-region": REGION }),
      });
    }
  });

  it("selects the backed-up file system by its literal ARN when the account is known, and by one computed at apply otherwise", () => {
    const selections = Object.fromEntries(created("aws_backup_selection").map((s) => [s.address, s.after]));
    expect(selections["aws_backup_selection.backup_known_account_efs"].resources).toEqual([
      `arn:aws:elasticfilesystem:${REGION}:123456789012:file-system/fs-bce67e88`,
    ]);
    expect(selections["aws_backup_selection.backup_efs"]).not.toHaveProperty("resources");
  });
});
