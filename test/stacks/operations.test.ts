/**
 * The operations options of an environment, as resources of jitsi-matrix-<env>:
 * each option on (dev, every default), tuned, and off (staging, the legacy
 * environments), asserted on the synthesized JSON.
 */
import { readBackendSettings } from "../../src/backend";
import { EnvironmentInput, parseEnvironment } from "../../src/environments";
import { dev } from "../../src/environments/dev";
import { staging } from "../../src/environments/staging";
import { ECS_MANAGED_TAG } from "../../src/modules/autoscaling-capacity";
import { ECS_OPTIMIZED_IMAGE } from "../../src/modules/ecs-launch-template";
import { addEnvironment } from "../../src/platform";
import { Testing } from "cdktf";
import { readFileSync } from "fs";
import * as path from "path";
import { resourcesOf, StackJson } from "../support/synth";

/** jitsi-matrix-<env> of an environment, validated first as the app does. */
function jitsiMatrix(environment: EnvironmentInput, context?: Record<string, unknown>): StackJson {
  const checked = parseEnvironment(environment, { onWarning: () => undefined });
  const app = Testing.app({ context });
  const stacks = addEnvironment(app, checked, readBackendSettings());
  app.synth();
  return JSON.parse(readFileSync(path.join(app.outdir, "stacks", stacks.jitsiMatrix.node.id, "cdk.tf.json"), "utf8")) as StackJson;
}

type Container = { name: string; logConfiguration?: { logDriver: string; options: Record<string, string> }; [key: string]: unknown };
const containers = (json: StackJson, task: string): Container[] =>
  JSON.parse(resourcesOf(json, "aws_ecs_task_definition")[task].container_definitions as string) as Container[];
const names = (json: StackJson, type: string) => Object.keys(resourcesOf(json, type)).sort();
const ref = (address: string) => `\${${address}}`;

const devJson = jitsiMatrix(dev);
const stagingJson = jitsiMatrix(staging);

/** Resource types only the operations options create. */
const OPERATIONS_TYPES = [
  "aws_cloudwatch_log_group",
  "aws_sns_topic",
  "aws_sns_topic_subscription",
  "aws_cloudwatch_metric_alarm",
  "aws_autoscaling_policy",
  "aws_ecs_capacity_provider",
  "aws_ecs_cluster_capacity_providers",
  "aws_backup_vault",
  "aws_backup_plan",
  "aws_backup_selection",
  "aws_launch_template",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
  "aws_ssm_document",
  "aws_cloudwatch_event_rule",
  "aws_cloudwatch_event_target",
];

describe("the operations options of a legacy environment, all off", () => {
  it.each(OPERATIONS_TYPES)("create no %s", (type) => {
    expect(resourcesOf(stagingJson, type)).toEqual({});
  });

  it("keep the launch configuration, the group's size in Terraform's hands, the JVB in the jitsi task and the logs on the host", () => {
    expect(names(stagingJson, "aws_launch_configuration")).toEqual(["capacity_launch_configuration"]);
    const group = resourcesOf(stagingJson, "aws_autoscaling_group").capacity_group;
    for (const field of ["tag", "termination_policies", "lifecycle", "protect_from_scale_in"]) expect(group).not.toHaveProperty(field);
    expect(names(stagingJson, "aws_ecs_service")).toEqual(["jitsi_service", "matrix_service"]);
    expect(containers(stagingJson, "jitsi_task_definition").map((c) => c.name)).toContain("jvb");
    for (const task of names(stagingJson, "aws_ecs_task_definition")) {
      for (const container of containers(stagingJson, task)) expect(container).not.toHaveProperty("logConfiguration");
    }
  });
});

describe("logs", () => {
  it("give every service of a new environment a log group /ecs/<cluster>/<service>, kept 30 days", () => {
    const groups = resourcesOf(devJson, "aws_cloudwatch_log_group");
    expect(Object.keys(groups).filter((name) => name.startsWith("logs_")).sort()).toEqual(["logs_coturn", "logs_jitsi", "logs_jvb", "logs_matrix"]);
    // The groups AWS services would create themselves are declared too, under the environment's key.
    expect(groups.cluster_container_insights_logs).toMatchObject({ name: "/aws/ecs/containerinsights/jitsi-matrix-cluster-dev/performance" });
    expect(groups.synapse_database_log_group_postgresql).toMatchObject({ name: "/aws/rds/instance/jitsi-matrix-dev/postgresql", retention_in_days: 30 });
    expect(groups.logs_jitsi).toMatchObject({ name: "/ecs/jitsi-matrix-cluster-dev/jitsi-service-dev", retention_in_days: 30 });
    expect(groups.logs_matrix).toMatchObject({ name: "/ecs/jitsi-matrix-cluster-dev/matrix-service-dev", retention_in_days: 30 });
    expect(groups.logs_jvb).toMatchObject({ name: "/ecs/jitsi-matrix-cluster-dev/jvb-service-dev", retention_in_days: 30 });
  });

  it.each([
    ["jitsi_task_definition", "logs_jitsi"],
    ["matrix_task_definition", "logs_matrix"],
    ["jvb_task_definition", "logs_jvb"],
  ])("send every container of %s to its service's group, by reference, in the environment's region", (task, group) => {
    const all = containers(devJson, task);
    expect(all.length).toBeGreaterThan(0);
    for (const container of all) {
      expect(container.logConfiguration).toEqual({
        logDriver: "awslogs",
        options: expect.objectContaining({
          "awslogs-group": ref(`aws_cloudwatch_log_group.${group}.name`),
          "awslogs-region": dev.region,
          "awslogs-stream-prefix": "ecs",
          mode: "non-blocking",
        }),
      });
    }
  });

  it("keep the retention the environment sets", () => {
    const json = jitsiMatrix({ ...staging, logs: { enabled: true, retentionDays: 7 } });
    expect(Object.values(resourcesOf(json, "aws_cloudwatch_log_group")).map((g) => g.retention_in_days)).toEqual([7, 7]);
  });

  it("reach the postgres-upgrade task through Matrix's own group, which the switch keeps with its history", () => {
    const json = jitsiMatrix(dev, { postgresUpgrade: true });
    expect(resourcesOf(json, "aws_cloudwatch_log_group")).toEqual(resourcesOf(devJson, "aws_cloudwatch_log_group"));
    expect(containers(json, "postgres_upgrade_task_definition")[0].logConfiguration?.options).toMatchObject({
      "awslogs-group": ref("aws_cloudwatch_log_group.logs_matrix.name"),
      // Streams of its own (postgres-upgrade/postgres/<task id>), apart from the matrix task's ecs/<container>/<task id>.
      "awslogs-stream-prefix": "postgres-upgrade",
    });
  });
});

describe("the PostgreSQL upgrade switch", () => {
  const upgradeJson = jitsiMatrix(dev, { postgresUpgrade: true });
  const addresses = (json: StackJson) =>
    Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));

  it("swaps only the matrix task and service for the upgrade's, in a new environment with every option on", () => {
    const before = new Set(addresses(devJson));
    const after = new Set(addresses(upgradeJson));
    expect([...before].filter((address) => !after.has(address)).sort()).toEqual(["aws_ecs_service.matrix_service", "aws_ecs_task_definition.matrix_task_definition"]);
    expect([...after].filter((address) => !before.has(address)).sort()).toEqual([
      "aws_ecs_service.postgres_upgrade_service",
      "aws_ecs_task_definition.postgres_upgrade_task_definition",
    ]);
  });

  it("leaves every other resource as it was: Matrix's alarm, the scale-in protection, the log groups", () => {
    for (const [type, byName] of Object.entries(devJson.resource ?? {})) {
      for (const [name, config] of Object.entries(byName)) {
        if (["matrix_service", "matrix_task_definition"].includes(name)) continue;
        expect([`${type}.${name}`, resourcesOf(upgradeJson, type)[name]]).toEqual([`${type}.${name}`, config]);
      }
    }
  });

  it("keeps the upgrade service's tasks under the scale-in protection, switch on or off", () => {
    const pattern = JSON.parse(resourcesOf(devJson, "aws_cloudwatch_event_rule").stateful_protection_rule.event_pattern as string);
    expect(pattern.detail.group).toEqual(["service:jitsi-service-dev", "service:matrix-service-dev", "service:postgres-upgrade-service"]);
  });
});

describe("alarms", () => {
  const alarms = resourcesOf(devJson, "aws_cloudwatch_metric_alarm");

  it("mail every address of the environment through one topic", () => {
    expect(resourcesOf(devJson, "aws_sns_topic").alarm_topic).toMatchObject({ name: "jitsi-matrix-dev-alarms" });
    expect(Object.values(resourcesOf(devJson, "aws_sns_topic_subscription"))).toEqual(
      dev.alarms!.emailAddresses!.map((address) =>
        expect.objectContaining({ protocol: "email", endpoint: address, topic_arn: ref("aws_sns_topic.alarm_topic.arn") }),
      ),
    );
  });

  it("watch instance CPU, each service's tasks, each target group, the load balancer's 5xx and EFS burst credits", () => {
    expect(Object.keys(alarms).filter((name) => name.startsWith("alarms_")).sort()).toEqual([
      "alarms_efs_burst_credits_low",
      "alarms_instance_cpu_high",
      "alarms_load_balancer_5xx",
      "alarms_service_coturn_tasks",
      "alarms_service_jitsi_tasks",
      "alarms_service_jvb_tasks",
      "alarms_service_matrix_tasks",
      "alarms_unhealthy_targets_element",
      "alarms_unhealthy_targets_jitsi",
      "alarms_unhealthy_targets_synapse",
      "alarms_unhealthy_targets_xmpp",
    ]);
    for (const [name, alarm] of Object.entries(alarms).filter(([name]) => name.startsWith("alarms_"))) {
      expect([name, alarm.alarm_actions, alarm.ok_actions]).toEqual([name, [ref("aws_sns_topic.alarm_topic.arn")], [ref("aws_sns_topic.alarm_topic.arn")]]);
      expect(alarm.alarm_name).toMatch(/^jitsi-matrix-dev-/);
    }
    expect(alarms.alarms_instance_cpu_high).toMatchObject({ threshold: 75, dimensions: { AutoScalingGroupName: "jitsi-matrix-asg-dev" } });
    expect(alarms.alarms_unhealthy_targets_synapse.dimensions).toEqual({
      LoadBalancer: ref("aws_lb.load_balancer.arn_suffix"),
      TargetGroup: ref("aws_lb_target_group.load_balancer_synapse.arn_suffix"),
    });
    expect(alarms.alarms_unhealthy_targets_xmpp).toMatchObject({
      namespace: "AWS/NetworkELB",
      dimensions: { LoadBalancer: ref("aws_lb.xmpp.arn_suffix"), TargetGroup: ref("aws_lb_target_group.xmpp_target_group.arn_suffix") },
    });
    expect(alarms.alarms_efs_burst_credits_low.dimensions).toEqual({ FileSystemId: dev.efsFileSystemId });
  });

  it("turn on Container Insights on a new environment's cluster and count each service's tasks against its desired count", () => {
    expect(resourcesOf(devJson, "aws_ecs_cluster").cluster.setting).toEqual([{ name: "containerInsights", value: "enabled" }]);
    for (const [key, service] of [
      ["jitsi", "jitsi-service-dev"],
      ["matrix", "matrix-service-dev"],
      // The daemon runs one task per instance: one missing bridge of several must fire too.
      ["jvb", ref("aws_ecs_service.jvb_service.name")],
    ]) {
      const alarm = alarms[`alarms_service_${key}_tasks`];
      expect(alarm).not.toHaveProperty("metric_name");
      expect(alarm).toMatchObject({ alarm_name: `jitsi-matrix-dev-${key}-tasks-below-desired`, comparison_operator: "GreaterThanThreshold", threshold: 0 });
      const queries = alarm.metric_query as { id: string; expression?: string; return_data?: boolean; metric?: Record<string, unknown> }[];
      const dimensions = { ClusterName: ref("aws_ecs_cluster.cluster.name"), ServiceName: service };
      expect(queries.filter((query) => query.metric).map((query) => [query.id, query.metric])).toEqual([
        ["running", expect.objectContaining({ namespace: "ECS/ContainerInsights", metric_name: "RunningTaskCount", dimensions })],
        ["desired", expect.objectContaining({ namespace: "ECS/ContainerInsights", metric_name: "DesiredTaskCount", dimensions })],
      ]);
      expect(queries.find((query) => query.return_data)?.expression).toBe("desired - FILL(running, 0)");
    }
  });

  it("without Container Insights leave the cluster's settings alone and fall back to the no-running-task alarm", () => {
    const json = jitsiMatrix({ ...dev, alarms: { ...dev.alarms, containerInsights: false } });
    expect(resourcesOf(json, "aws_ecs_cluster").cluster).not.toHaveProperty("setting");
    expect(resourcesOf(json, "aws_cloudwatch_metric_alarm").alarms_service_jvb_tasks).toMatchObject({
      alarm_name: "jitsi-matrix-dev-jvb-no-running-task",
      namespace: "AWS/ECS",
      dimensions: { ClusterName: ref("aws_ecs_cluster.cluster.name"), ServiceName: ref("aws_ecs_service.jvb_service.name") },
    });
    expect(resourcesOf(stagingJson, "aws_ecs_cluster").cluster).not.toHaveProperty("setting");
  });

  it("take the environment's thresholds, and leave the EFS alarm out where burst credits mean nothing", () => {
    const json = jitsiMatrix({
      ...dev,
      alarms: { emailAddresses: ["a@example.org"], thresholds: { instanceCpuPercent: 90, instanceCpuMinutes: 10, loadBalancer5xxCount: 50 }, efsBurstCredits: false },
    });
    const tuned = resourcesOf(json, "aws_cloudwatch_metric_alarm");
    expect(tuned.alarms_instance_cpu_high).toMatchObject({ threshold: 90, evaluation_periods: 2 });
    expect(tuned.alarms_load_balancer_5xx).toMatchObject({ threshold: 50 });
    expect(tuned).not.toHaveProperty("alarms_efs_burst_credits_low");
  });
});

describe("scaling", () => {
  const group = resourcesOf(devJson, "aws_autoscaling_group").capacity_group;

  it("in mode cpu, adds the CPU step policies (75 % out, 25 % in) and a capacity provider named after the group, managed draining on", () => {
    expect(names(devJson, "aws_autoscaling_policy")).toEqual(["scaling_cpu_scale_in", "scaling_cpu_scale_out"]);
    const alarms = resourcesOf(devJson, "aws_cloudwatch_metric_alarm");
    expect(alarms.scaling_cpu_cpu_high).toMatchObject({ threshold: 75, alarm_actions: [ref("aws_autoscaling_policy.scaling_cpu_scale_out.arn")] });
    expect(alarms.scaling_cpu_cpu_low).toMatchObject({ threshold: 25, alarm_actions: [ref("aws_autoscaling_policy.scaling_cpu_scale_in.arn")] });
    expect(resourcesOf(devJson, "aws_ecs_capacity_provider").scaling_provider).toMatchObject({
      name: ref("aws_autoscaling_group.capacity_group.name"),
      auto_scaling_group_provider: { managed_draining: "ENABLED", managed_termination_protection: "DISABLED", managed_scaling: { status: "DISABLED" } },
    });
    // By reference: Terraform then creates the association after the cluster and removes it before.
    expect(resourcesOf(devJson, "aws_ecs_cluster_capacity_providers").scaling_provider_cluster).toMatchObject({ cluster_name: ref("aws_ecs_cluster.cluster.name") });
  });

  it("leaves the size to the scaling, takes the newest instance first on scale-in and tags the group for ECS", () => {
    expect(group).toMatchObject({
      lifecycle: { ignore_changes: ["desired_capacity"] },
      termination_policies: ["NewestInstance"],
      // Besides the environment's tags, which every group of a new environment carries.
      tag: expect.arrayContaining([{ key: ECS_MANAGED_TAG, value: "true", propagate_at_launch: true }]),
    });
    expect(group).not.toHaveProperty("protect_from_scale_in");
  });

  it("in mode cpu, protects from scale-in the instances where jitsi and matrix tasks start, not those of the JVBs alone", () => {
    const pattern = (json: StackJson) => JSON.parse(resourcesOf(json, "aws_cloudwatch_event_rule").stateful_protection_rule.event_pattern as string);
    // postgres-upgrade too: with the upgrade switch on, PostgreSQL runs in that service.
    const group = ["service:jitsi-service-dev", "service:matrix-service-dev", "service:postgres-upgrade-service"];
    expect(pattern(devJson).detail).toEqual({
      clusterArn: [ref("aws_ecs_cluster.cluster.arn")],
      group,
      lastStatus: ["RUNNING"],
      desiredStatus: ["RUNNING"],
    });
    const document = JSON.parse(resourcesOf(devJson, "aws_ssm_document").stateful_protection_document.content as string);
    expect(document.parameters.AutoScalingGroupName.default).toBe(ref("aws_autoscaling_group.capacity_group.name"));
  });

  it("in mode cpu, releases an instance's protection when a stateful task stops and none is left on it", () => {
    const rule = resourcesOf(devJson, "aws_cloudwatch_event_rule").stateful_protection_release_rule;
    expect(JSON.parse(rule.event_pattern as string).detail).toMatchObject({
      group: ["service:jitsi-service-dev", "service:matrix-service-dev", "service:postgres-upgrade-service"],
      lastStatus: ["STOPPED"],
    });
    const release = JSON.parse(resourcesOf(devJson, "aws_ssm_document").stateful_protection_release_document.content as string);
    expect(release.parameters.ServiceNames.default).toEqual(["jitsi-service-dev", "matrix-service-dev", "postgres-upgrade-service"]);
    expect(resourcesOf(devJson, "aws_ssm_document").stateful_protection_release_document.name).toBe("jitsi-matrix-dev-protect-release");
  });

  it("keeps the services on launch type EC2: a capacity provider strategy would replace them", () => {
    for (const service of Object.values(resourcesOf(devJson, "aws_ecs_service"))) {
      expect(service.launch_type).toBe("EC2");
      expect(service).not.toHaveProperty("capacity_provider_strategy");
    }
  });

  it("in mode ecs-managed, runs a new environment's services on the capacity provider, so managed scaling sees tasks waiting for room", () => {
    const json = jitsiMatrix({ ...dev, scaling: { mode: "ecs-managed", jvbPerInstance: false } });
    // coturn is a daemon service, which ECS places on every instance the group has, without a capacity provider.
    const { coturn_service: coturn, ...services } = resourcesOf(json, "aws_ecs_service");
    expect(coturn).toMatchObject({ scheduling_strategy: "DAEMON", launch_type: "EC2" });
    expect(Object.keys(services).sort()).toEqual(["jitsi_service", "matrix_service"]);
    for (const service of Object.values(services)) {
      expect(service).not.toHaveProperty("launch_type");
      expect(service.capacity_provider_strategy).toEqual([{ capacity_provider: ref("aws_ecs_capacity_provider.scaling_provider.name"), weight: 1, base: 0 }]);
      // ECS refuses a strategy naming a provider the cluster does not list yet.
      expect(service.depends_on).toEqual(expect.arrayContaining(["aws_ecs_cluster_capacity_providers.scaling_provider_cluster"]));
    }
    const upgrade = resourcesOf(jitsiMatrix({ ...dev, scaling: { mode: "ecs-managed", jvbPerInstance: false } }, { postgresUpgrade: true }), "aws_ecs_service");
    expect(upgrade.postgres_upgrade_service).not.toHaveProperty("launch_type");
  });

  it("in mode ecs-managed, keeps an adopted environment's services on launch type EC2, which a strategy would replace", () => {
    const json = jitsiMatrix({ ...staging, scaling: { enabled: true, mode: "ecs-managed" } });
    for (const service of Object.values(resourcesOf(json, "aws_ecs_service"))) {
      expect(service.launch_type).toBe("EC2");
      expect(service).not.toHaveProperty("capacity_provider_strategy");
    }
  });

  it("takes the environment's CPU thresholds", () => {
    const json = jitsiMatrix({ ...dev, scaling: { scaleOutCpuPercent: 80, scaleInCpuPercent: 20 } });
    const alarms = resourcesOf(json, "aws_cloudwatch_metric_alarm");
    expect([alarms.scaling_cpu_cpu_high.threshold, alarms.scaling_cpu_cpu_low.threshold]).toEqual([80, 20]);
  });

  it("in mode ecs-managed, lets ECS size the group and protect the instances with tasks, without CPU policies or a JVB daemon", () => {
    const json = jitsiMatrix({ ...dev, scaling: { mode: "ecs-managed", targetCapacityPercent: 90 } });
    expect(resourcesOf(json, "aws_autoscaling_policy")).toEqual({});
    expect(resourcesOf(json, "aws_ecs_capacity_provider").scaling_provider).toMatchObject({
      auto_scaling_group_provider: {
        managed_termination_protection: "ENABLED",
        managed_scaling: { status: "ENABLED", target_capacity: 90 },
      },
    });
    expect(resourcesOf(json, "aws_autoscaling_group").capacity_group).toMatchObject({ protect_from_scale_in: true });
    expect(names(json, "aws_ecs_service")).toEqual(["coturn_service", "jitsi_service", "matrix_service"]);
    // ECS's managed termination protection already keeps every instance with a task.
    expect(resourcesOf(json, "aws_ssm_document")).toEqual({});
    // No stateful-protection rules; those left report failed deployments (circuitBreakers) and start and report the database backups.
    expect(Object.keys(resourcesOf(json, "aws_cloudwatch_event_rule")).sort()).toEqual(["database_backup_failed_rule", "database_backup_schedule", "deployment_failed_rule"]);
  });
});

describe("the JVB per instance", () => {
  const jvbService = resourcesOf(devJson, "aws_ecs_service").jvb_service;
  const [jvb] = containers(devJson, "jvb_task_definition");

  it("runs a JVB daemon service on every instance with the jitsi task's image tag and its own address", () => {
    expect(jvbService).toMatchObject({
      name: "jvb-service-dev",
      scheduling_strategy: "DAEMON",
      launch_type: "EC2",
      task_definition: ref("aws_ecs_task_definition.jvb_task_definition.arn"),
    });
    expect(resourcesOf(devJson, "aws_ecs_task_definition").jvb_task_definition).toMatchObject({
      family: "jvb-task-dev",
      execution_role_arn: ref("aws_iam_role.task_execution_role.arn"),
    });
    expect(jvb).toMatchObject({ image: `jitsi/jvb:${dev.jitsi.imageTag}`, memoryReservation: 1024 });
    expect(jvb.command).toBeUndefined();
  });

  it("joins prosody through the XMPP load balancer, and takes the environment's JVB settings", () => {
    const environment = Object.fromEntries((jvb.environment as { name: string; value: string }[]).map((v) => [v.name, v.value]));
    expect(environment).toMatchObject({ XMPP_SERVER: ref("aws_lb.xmpp.dns_name"), ENABLE_COLIBRI_WEBSOCKET: "0" });
    expect(jvb.secrets).toEqual([{ name: "JVB_AUTH_PASSWORD", valueFrom: "/jitsi-matrix/dev/JVB_AUTH_PASSWORD" }]);
  });

  it("puts the internal network load balancer in the platform's subnets, protected from deletion like the ALB", () => {
    const [xmpp, alb] = [resourcesOf(devJson, "aws_lb").xmpp, resourcesOf(devJson, "aws_lb").load_balancer];
    expect(xmpp).toMatchObject({ name: "jitsi-xmpp-dev", load_balancer_type: "network", internal: true, enable_deletion_protection: true });
    expect(xmpp.subnets).toEqual(alb.subnets);
  });

  it("takes the JVB out of the jitsi task, whose prosody joins the XMPP target group", () => {
    const jitsi = containers(devJson, "jitsi_task_definition");
    expect(jitsi.map((c) => c.name)).toEqual(["web", "prosody", "jicofo"]);
    expect(jitsi.find((c) => c.name === "prosody")!.portMappings).toEqual([{ containerPort: 5222, hostPort: 5222, protocol: "tcp" }]);
    expect(resourcesOf(devJson, "aws_ecs_service").jitsi_service.load_balancer).toContainEqual({
      container_name: "prosody",
      container_port: 5222,
      target_group_arn: ref("aws_lb_target_group.xmpp_target_group.arn"),
    });
  });

  it("opens prosody's port on the instances to the load balancer's group only, and that group to the instances", () => {
    const ingress = resourcesOf(devJson, "aws_security_group").instance_sg.ingress as { from_port: number; security_groups: string[]; cidr_blocks: string[] }[];
    expect(ingress.filter((rule) => rule.from_port === 5222)).toEqual([
      expect.objectContaining({ security_groups: [ref("aws_security_group.xmpp_security_group.id")], cidr_blocks: [] }),
    ]);
    expect(resourcesOf(devJson, "aws_vpc_security_group_ingress_rule").xmpp_ingress_from_instances).toMatchObject({
      referenced_security_group_id: ref("aws_security_group.instance_sg.id"),
      security_group_id: ref("aws_security_group.xmpp_security_group.id"),
    });
  });

  it("is off with jvbPerInstance false: the JVB stays in the jitsi task and no XMPP load balancer is made", () => {
    const json = jitsiMatrix({ ...dev, scaling: { jvbPerInstance: false } });
    expect(containers(json, "jitsi_task_definition").map((c) => c.name)).toContain("jvb");
    // The TURN load balancer is coturn's, not the JVBs'.
    expect(names(json, "aws_lb")).toEqual(["load_balancer", "turn"]);
    expect(resourcesOf(json, "aws_ecs_service")).not.toHaveProperty("jvb_service");
  });
});

describe("database backups", () => {
  it("let EventBridge publish a failed backup to the alarm topic, also without the circuit breakers", () => {
    const json = jitsiMatrix({ ...dev, circuitBreakers: { enabled: false } });
    expect(resourcesOf(json, "aws_sns_topic_policy")).toHaveProperty("alarm_topic_policy");
    expect(resourcesOf(json, "aws_cloudwatch_event_target").database_backup_failed_target).toMatchObject({ arn: ref("aws_sns_topic.alarm_topic.arn") });
  });

  it("are off with databaseBackups off, and then only CloudWatch alarms may publish to the topic", () => {
    const json = jitsiMatrix({ ...dev, circuitBreakers: { enabled: false }, databaseBackups: { enabled: false } });
    const policy = JSON.parse(resourcesOf(json, "aws_sns_topic_policy").alarm_topic_policy.policy as string);
    expect(policy.Statement.map((statement: { Principal: { Service: string } }) => statement.Principal.Service)).toEqual(["cloudwatch.amazonaws.com"]);
    expect(resourcesOf(json, "aws_efs_access_point")).toEqual({});
  });
});

describe("backups", () => {
  it("back up the EFS file system daily, kept 7 days, selected by its ARN in the environment's account", () => {
    expect(resourcesOf(devJson, "aws_backup_vault").backup).toMatchObject({ name: "jitsi-matrix-dev" });
    expect(resourcesOf(devJson, "aws_backup_plan").backup_plan).toMatchObject({
      name: "jitsi-matrix-dev",
      rule: [{ rule_name: "daily", schedule: "cron(0 3 * * ? *)", lifecycle: { delete_after: 7 } }],
    });
    expect(resourcesOf(devJson, "aws_backup_selection").backup_efs).toMatchObject({
      resources: [`arn:aws:elasticfilesystem:eu-west-1:${dev.accountId}:file-system/${dev.efsFileSystemId}`],
      iam_role_arn: ref("aws_iam_role.backup_role.arn"),
    });
    expect(resourcesOf(devJson, "aws_iam_role").backup_role).toMatchObject({ name: "jitsi-matrix-dev-backup" });
  });

  it("keep the retention and schedule the environment sets", () => {
    const json = jitsiMatrix({ ...staging, backups: { enabled: true, retentionDays: 14, schedule: "cron(30 1 * * ? *)" } });
    expect(resourcesOf(json, "aws_backup_plan").backup_plan).toMatchObject({ rule: [{ schedule: "cron(30 1 * * ? *)", lifecycle: { delete_after: 14 } }] });
  });
});

describe("the launch template", () => {
  const template = resourcesOf(devJson, "aws_launch_template").capacity_launch_template;

  it("launches a new environment's instances with the ECS-optimized AMI AWS names at launch, and no launch configuration", () => {
    expect(resourcesOf(devJson, "aws_launch_configuration")).toEqual({});
    expect(template).toMatchObject({ image_id: ECS_OPTIMIZED_IMAGE, metadata_options: { http_tokens: "required" } });
    expect(resourcesOf(devJson, "aws_autoscaling_group").capacity_group.launch_template).toEqual({
      id: ref("aws_launch_template.capacity_launch_template.id"),
      version: ref("aws_launch_template.capacity_launch_template.latest_version"),
    });
  });

  it("tags the instances and volumes with the environment's tags and the group's name", () => {
    expect(template.tag_specifications).toEqual(
      ["instance", "volume"].map((resourceType) => ({ resource_type: resourceType, tags: { ...dev.tags, Name: dev.capacity.autoScalingGroupName } })),
    );
  });

  it("takes a pinned AMI when the environment gives one", () => {
    const json = jitsiMatrix({ ...dev, capacity: { ...dev.capacity, imageId: "ami-0123456789abcdef0" } });
    expect(resourcesOf(json, "aws_launch_template").capacity_launch_template.image_id).toBe("ami-0123456789abcdef0");
  });

  it("for a legacy environment switching to it, keeps the launch configuration's move, whose planned removal is the switch", () => {
    const { requireImdsv2: _imdsv1, ...capacity } = staging.capacity;
    const { "imdsv2-required": _waiver, "container-metadata-blocked": _metadata, ...waivers } = staging.waivers!;
    const json = jitsiMatrix({ ...staging, capacity: { ...capacity, launchTemplate: true }, waivers });
    expect(resourcesOf(json, "aws_launch_configuration")).toEqual({});
    expect(json.moved).toContainEqual({
      from: "module.ecs_ec2.aws_launch_configuration.ecs_launch_config",
      to: "aws_launch_configuration.capacity_launch_configuration",
    });
  });
});
