import { readFileSync } from "fs";
import * as path from "path";
import { TerraformStack, Testing } from "cdktf";
import { readBackendSettings } from "../../src/backend";
import { EnvironmentInput } from "../../src/environments";
import { addEnvironment } from "../../src/platform";
import { PLATFORM_SECRETS } from "../../src/modules/platform-secrets";
import { addressesOf, resourcesOf, StackJson } from "../support/synth";
import { dev, parsed, production, staging } from "../support/environments";

const backend = readBackendSettings();

/** Parses the environment and synthesizes the whole app, so that cdktf wires the cross-stack references as `cdktf synth` does. */
function synthEnvironment(environment: EnvironmentInput, context?: Record<string, unknown>) {
  const app = Testing.app({ context });
  const stacks = addEnvironment(app, parsed(environment), backend);
  app.synth();
  const parse = (stack: TerraformStack) =>
    JSON.parse(readFileSync(path.join(app.outdir, "stacks", stack.node.id, "cdk.tf.json"), "utf8")) as StackJson;
  return {
    networking: parse(stacks.networking),
    secrets: parse(stacks.secrets),
    jitsiMatrix: parse(stacks.jitsiMatrix),
    stacks,
  };
}

const countByType = (json: StackJson) =>
  Object.fromEntries(Object.entries(json.resource ?? {}).map(([type, byName]) => [type, Object.keys(byName).length]));

/** What networking + jitsi-matrix together create: the legacy set plus the secrets wiring. */
const LEGACY_SET = {
  aws_subnet: 2,
  aws_security_group: 3,
  aws_efs_mount_target: 2,
  aws_iam_role: 2, // the instance role, plus the task execution role of the secrets wiring
  aws_iam_role_policy_attachment: 2, // ECS for EC2, plus the task execution policy
  aws_iam_role_policy: 1, // reading exactly the platform's parameters
  aws_iam_instance_profile: 1,
  aws_launch_configuration: 1,
  aws_autoscaling_group: 1,
  aws_lb: 1,
  aws_lb_target_group: 3,
  aws_lb_listener: 2,
  aws_lb_listener_rule: 2,
  aws_ecs_cluster: 1,
  aws_ecs_task_definition: 2,
  aws_ecs_service: 2,
  aws_route53_record: 4,
};

describe.each([
  ["staging", staging],
  ["production", production],
])("the stacks of %s", (_name, environment) => {
  const { networking, secrets, jitsiMatrix, stacks } = synthEnvironment(environment);
  const jm = (type: string) => resourcesOf(jitsiMatrix, type);

  it("are named networking-, secrets- and jitsi-matrix-<env>", () => {
    expect([stacks.networking, stacks.secrets, stacks.jitsiMatrix].map((s) => s.node.id)).toEqual([
      `networking-${environment.name}`,
      `secrets-${environment.name}`,
      `jitsi-matrix-${environment.name}`,
    ]);
  });

  it("create exactly the legacy set of resources plus the secrets wiring", () => {
    expect({ ...countByType(networking), ...countByType(jitsiMatrix) }).toEqual(LEGACY_SET);
  });

  it("keep state under the legacy key, without its leading slash, and the others beside it", () => {
    const key = (json: StackJson) => (json.terraform as { backend: { s3: { key: string } } }).backend.s3.key;
    expect(key(jitsiMatrix)).toBe(`jitsi_matrix/${environment.name}/terraform.tfstate`);
    expect(key(networking)).toBe(`jitsi_matrix/${environment.name}/networking.tfstate`);
    expect(key(secrets)).toBe(`jitsi_matrix/${environment.name}/secrets.tfstate`);
    expect((jitsiMatrix.terraform as { backend: { s3: object } }).backend.s3).toMatchObject({
      bucket: backend.bucket,
      region: backend.region,
      encrypt: true,
      dynamodb_table: backend.dynamodb_table,
    });
  });

  it("tag every resource with the environment's tags through the provider", () => {
    for (const json of [networking, secrets, jitsiMatrix]) {
      expect(json.provider!.aws[0]).toMatchObject({ region: environment.region, default_tags: [{ tags: environment.tags }] });
    }
  });

  it("carve the subnets with the environment's CIDRs, zones and names", () => {
    expect(Object.values(resourcesOf(networking, "aws_subnet"))).toEqual(
      environment.network.subnets.map((s) =>
        expect.objectContaining({ cidr_block: s.cidrBlock, availability_zone: s.availabilityZone, tags: { Name: s.name }, vpc_id: environment.network.vpcId }),
      ),
    );
  });

  it("take the subnet IDs from networking through a cross-stack reference", () => {
    const remoteState = Object.keys(jitsiMatrix.data!.terraform_remote_state);
    expect(remoteState).toEqual([`cross-stack-reference-input-networking-${environment.name}`]);
    const asg = Object.values(jm("aws_autoscaling_group"))[0];
    expect(asg.vpc_zone_identifier).toEqual([
      expect.stringMatching(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-networking-.*\.outputs\.cross-stack-output-aws_subnet-subnet_.*-id\}$/),
      expect.stringMatching(/outputs\.cross-stack-output-aws_subnet-subnet_/),
    ]);
  });

  it("open the legacy ports with the legacy descriptions", () => {
    const ingress = (name: string) =>
      (jm("aws_security_group")[name].ingress as { description: string; protocol: string; from_port: number }[]).map(
        (r) => `${r.protocol}/${r.from_port} ${r.description}`,
      );
    expect(ingress("alb_sg")).toEqual(
      expect.arrayContaining(["tcp/443 standard https port", "tcp/80 standard http port", "tcp/8448 synapse federation port"]),
    );
    expect(ingress("instance_sg")).toEqual(
      expect.arrayContaining(["tcp/8000 jitsi http port", "tcp/8008 synapse http port", "tcp/8080 element http port", "udp/10000 jvp udp port for video streaming"]),
    );
    expect(ingress("efs_sg")).toEqual(["tcp/2049 efs port"]);
    expect(jm("aws_security_group").alb_sg).toMatchObject(environment.securityGroups.loadBalancer);
    expect(jm("aws_security_group").instance_sg).toMatchObject(environment.securityGroups.instances);
  });

  it("name the load balancer and target groups, ports and health checks as the environment does", () => {
    expect(jm("aws_lb").load_balancer).toMatchObject({ name: environment.loadBalancer.name, internal: false });
    const groups = jm("aws_lb_target_group");
    expect(groups.load_balancer_jitsi).toMatchObject({ name: environment.loadBalancer.targetGroupNames.jitsi, port: 8000, health_check: { path: "/" } });
    expect(groups.load_balancer_element).toMatchObject({ name: environment.loadBalancer.targetGroupNames.element, port: 8080, health_check: { path: "/" } });
    expect(groups.load_balancer_synapse).toMatchObject({ name: environment.loadBalancer.targetGroupNames.synapse, port: 8008, health_check: { path: "/health" } });
    expect(jm("aws_lb_listener").load_balancer_https).toMatchObject({
      ssl_policy: environment.loadBalancer.sslPolicy,
      certificate_arn: environment.loadBalancer.certificateArn,
    });
  });

  it("route matrix and synapse hosts at priority 100 and element at 99", () => {
    const rules = jm("aws_lb_listener_rule");
    expect(rules.load_balancer_rule_synapse).toMatchObject({
      priority: 100,
      condition: [{ host_header: { values: [environment.dns.hosts.matrix, environment.dns.hosts.synapse] } }],
    });
    expect(rules.load_balancer_rule_element).toMatchObject({
      priority: 99,
      condition: [{ host_header: { values: [environment.dns.hosts.element] } }],
    });
  });

  it("point the four host names at the load balancer", () => {
    expect(Object.values(jm("aws_route53_record")).map((r) => [r.name, r.records, r.zone_id])).toEqual(
      expect.arrayContaining(
        Object.values(environment.dns.hosts).map((host) => [host, ["${aws_lb.load_balancer.dns_name}"], environment.dns.hostedZoneId]),
      ),
    );
  });

  it("run the jitsi and matrix services with the environment's names, joined to the cluster by user data", () => {
    expect(jm("aws_ecs_service").jitsi_service).toMatchObject({ name: environment.jitsi.serviceName, cluster: "${aws_ecs_cluster.cluster.arn}" });
    expect(jm("aws_ecs_service").matrix_service).toMatchObject({ name: environment.matrix.serviceName });
    expect(jm("aws_ecs_task_definition").jitsi_task_definition).toMatchObject({ family: environment.jitsi.taskFamily });
    expect(jm("aws_ecs_cluster").cluster).toMatchObject({ name: environment.cluster.name });
    expect(Object.values(jm("aws_launch_configuration"))[0].user_data).toBe(
      `#!/bin/bash\necho ECS_CLUSTER=${environment.cluster.name} >> /etc/ecs/ecs.config`,
    );
  });

  it("mount the environment's EFS volumes at their root directories", () => {
    const volumes = (jm("aws_ecs_task_definition").matrix_task_definition.volume as { name: string; efs_volume_configuration: { root_directory: string; file_system_id: string } }[]).map(
      (v) => [v.name, v.efs_volume_configuration.root_directory, v.efs_volume_configuration.file_system_id],
    );
    expect(volumes).toEqual(environment.matrix.volumes.map((v) => [v.name, v.rootDirectory, environment.efsFileSystemId]));
  });

  it("read the passwords from the environment's parameters, with a role allowed to read exactly those", () => {
    const containers = JSON.parse(jm("aws_ecs_task_definition").jitsi_task_definition.container_definitions as string) as { secrets?: { valueFrom: string }[] }[];
    const parameters = containers.flatMap((c) => (c.secrets ?? []).map((s) => s.valueFrom));
    expect(new Set(parameters)).toEqual(
      new Set(["JICOFO_AUTH_PASSWORD", "JVB_AUTH_PASSWORD", "JIGASI_XMPP_PASSWORD", "JIBRI_RECORDER_PASSWORD", "JIBRI_XMPP_PASSWORD"].map((n) => `/jitsi-matrix/${environment.name}/${n}`)),
    );
    const policy = JSON.parse(jm("aws_iam_role_policy").task_execution_role_read_secrets.policy as string);
    expect(policy.Statement[0].Resource).toHaveLength(6);
    expect(Object.values(resourcesOf(secrets, "aws_ssm_parameter")).map((p) => p.name).sort()).toEqual(
      policy.Statement[0].Resource.map((arn: string) => arn.replace(/^arn:aws:ssm:[^:]+:[^:]+:parameter/, "")).sort(),
    );
  });

  it("let the task execution role read exactly the six parameter ARNs of the environment's own account", () => {
    // staging and production give no accountId: it is the account of their certificate.
    const account = { staging: "755952719952", production: "123456789012" }[environment.name as "staging" | "production"];
    expect(environment.accountId).toBeUndefined();
    expect(environment.loadBalancer.certificateArn).toContain(`:${account}:certificate/`);
    const policy = JSON.parse(jm("aws_iam_role_policy").task_execution_role_read_secrets.policy as string);
    expect(policy.Statement).toEqual([
      {
        Effect: "Allow",
        Action: ["ssm:GetParameters"],
        Resource: [
          "JIBRI_RECORDER_PASSWORD",
          "JIBRI_XMPP_PASSWORD",
          "JICOFO_AUTH_PASSWORD",
          "JIGASI_XMPP_PASSWORD",
          "JVB_AUTH_PASSWORD",
          "POSTGRES_PASSWORD",
        ].map((name) => `arn:aws:ssm:eu-west-1:${account}:parameter/jitsi-matrix/${environment.name}/${name}`),
      },
    ]);
  });

  it("keep the random provider and every password out of jitsi-matrix", () => {
    const text = JSON.stringify(jitsiMatrix);
    expect(text).not.toMatch(/random_password|registry.terraform.io\/hashicorp\/random|"random"/);
    expect(text).not.toMatch(/fixture-|POSTGRES_PASSWORD","value"/);
    expect(Object.keys(jitsiMatrix.provider!)).toEqual(["aws"]);
  });

  it("deploy networking and secrets before jitsi-matrix", () => {
    expect(stacks.jitsiMatrix.dependencies.map((s) => s.node.id).sort()).toEqual(
      [`networking-${environment.name}`, `secrets-${environment.name}`].sort(),
    );
  });
});

describe("the PostgreSQL upgrade switch", () => {
  const services = (json: StackJson) => Object.values(resourcesOf(json, "aws_ecs_service")).map((s) => s.name).sort();

  it("is off in the committed environments", () => {
    expect(staging.postgresUpgrade.enabled).toBe(false);
    expect(services(synthEnvironment(staging).jitsiMatrix)).toEqual(["jitsi-service-staging", "matrix-service-staging"]);
  });

  it.each([
    ["the environment field", { ...staging, postgresUpgrade: { enabled: true } }, undefined],
    ["the postgresUpgrade context key", staging, { postgresUpgrade: true }],
    ["the context key as a string, as the CLI passes it", staging, { postgresUpgrade: "true" }],
  ])("replaces the matrix task and service by the postgres-upgrade ones through %s", (_how, environment, context) => {
    const json = synthEnvironment(environment, context).jitsiMatrix;
    expect(services(json)).toEqual(["jitsi-service-staging", "postgres-upgrade-service"]);
    expect(Object.values(resourcesOf(json, "aws_ecs_task_definition")).map((t) => t.family).sort()).toEqual([
      "jitsi-meet-task-staging",
      "postgres-upgrade-task",
    ]);
    expect(resourcesOf(json, "aws_ecs_service").postgres_upgrade_service.load_balancer).toEqual([]);
  });

  it("lets the context turn it off for an environment that has it on", () => {
    const json = synthEnvironment({ ...staging, postgresUpgrade: { enabled: true } }, { postgresUpgrade: false }).jitsiMatrix;
    expect(services(json)).toEqual(["jitsi-service-staging", "matrix-service-staging"]);
  });

  it("fails on a context value that is not a switch", () => {
    expect(() => synthEnvironment(staging, { postgresUpgrade: "yes" })).toThrow(/context postgresUpgrade: "yes" is not a switch/);
  });
});

describe("addresses", () => {
  it("are pinned: a change here is a state migration and needs moved blocks", () => {
    const { networking, jitsiMatrix, secrets } = synthEnvironment(staging);
    expect(addressesOf(networking)).toEqual(["aws_subnet.subnet_172-31-48-0-28", "aws_subnet.subnet_172-31-48-16-28"]);
    // The passwords themselves are ephemeral: only their parameters have addresses.
    expect(addressesOf(secrets)).toEqual(PLATFORM_SECRETS.map((secret) => `aws_ssm_parameter.secret_${secret}`).sort());
    expect(addressesOf(jitsiMatrix)).toEqual([
      "aws_autoscaling_group.capacity_group",
      "aws_ecs_cluster.cluster",
      "aws_ecs_service.jitsi_service",
      "aws_ecs_service.matrix_service",
      "aws_ecs_task_definition.jitsi_task_definition",
      "aws_ecs_task_definition.matrix_task_definition",
      "aws_efs_mount_target.efs_mount_target_172-31-48-0-28",
      "aws_efs_mount_target.efs_mount_target_172-31-48-16-28",
      "aws_iam_instance_profile.ecs_instance_role_profile",
      "aws_iam_role.ecs_instance_role",
      "aws_iam_role.task_execution_role",
      "aws_iam_role_policy.task_execution_role_read_secrets",
      "aws_iam_role_policy_attachment.ecs_instance_role_ecs_for_ec2",
      "aws_iam_role_policy_attachment.task_execution_role_ecs_task_execution",
      "aws_launch_configuration.capacity_launch_configuration",
      "aws_lb.load_balancer",
      "aws_lb_listener.load_balancer_http",
      "aws_lb_listener.load_balancer_https",
      "aws_lb_listener_rule.load_balancer_rule_element",
      "aws_lb_listener_rule.load_balancer_rule_synapse",
      "aws_lb_target_group.load_balancer_element",
      "aws_lb_target_group.load_balancer_jitsi",
      "aws_lb_target_group.load_balancer_synapse",
      "aws_route53_record.dns_element",
      "aws_route53_record.dns_jitsi",
      "aws_route53_record.dns_matrix",
      "aws_route53_record.dns_synapse",
      "aws_security_group.alb_sg",
      "aws_security_group.efs_sg",
      "aws_security_group.instance_sg",
    ]);
  });
});

describe("the environment's KMS key across its three stacks", () => {
  const keyed = synthEnvironment(dev);

  it("is created in networking, named by its alias in secrets, and handed to jitsi-matrix through the networking state", () => {
    expect(Object.keys(resourcesOf(keyed.networking, "aws_kms_key"))).toEqual(["environment_key"]);
    for (const parameter of Object.values(resourcesOf(keyed.secrets, "aws_ssm_parameter"))) {
      expect(parameter.key_id).toBe("alias/jitsi-matrix-dev");
    }
    const fromNetworking = expect.stringMatching(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-networking-dev\.outputs\.cross-stack-output-aws_kms_key-environment_key-arn\}$/);
    for (const group of Object.values(resourcesOf(keyed.jitsiMatrix, "aws_cloudwatch_log_group"))) expect(group.kms_key_id).toEqual(fromNetworking);
    expect(resourcesOf(keyed.jitsiMatrix, "aws_sns_topic").alarm_topic.kms_master_key_id).toEqual(fromNetworking);
    expect(resourcesOf(keyed.jitsiMatrix, "aws_backup_vault").backup.kms_key_arn).toEqual(fromNetworking);
  });

  it("is absent where encryptionKey is off: staging keeps AWS's managed keys, and its stacks do not change", () => {
    const legacy = synthEnvironment(staging);
    expect(resourcesOf(legacy.networking, "aws_kms_key")).toEqual({});
    for (const parameter of Object.values(resourcesOf(legacy.secrets, "aws_ssm_parameter"))) expect(parameter).not.toHaveProperty("key_id");
    expect(JSON.stringify(legacy.jitsiMatrix)).not.toContain("aws_kms_key");
  });
});
