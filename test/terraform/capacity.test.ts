import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App } from "cdktf";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { AutoscalingCapacity, AutoscalingCapacityProps } from "../../src/modules/autoscaling-capacity";
import { ecsUserData } from "../../src/modules/ecs-user-data";
import { CapacityScaling } from "../../src/modules/capacity-scaling";
import { EcsCluster } from "../../src/modules/ecs-cluster";
import { ECS_OPTIMIZED_IMAGE } from "../../src/modules/ecs-launch-template";
import { Jitsi } from "../../src/modules/jitsi";
import { JvbDaemon } from "../../src/modules/jvb-daemon";
import { SecurityGroup } from "../../src/modules/security-group";
import { XmppLoadBalancer } from "../../src/modules/xmpp-load-balancer";
import { AddressedStack } from "../../src/stacks/addressed-stack";
import { parseEnvironment } from "../../src/environments";
import { dev } from "../../src/environments/dev";
import { synthEnvironment } from "../environments/synth-environment";
import { writeNetworkingOutputs } from "../support/networking-outputs";
import { describeIfTerraform, findTerraform, PlanJson, resourceChanges, TerraformWorkdir, validatedPlan } from "../support/terraform";
import { LEGACY_STAGING_STATE } from "../support/legacy-fixtures";

const REGION = "eu-west-1";

/** Synthesizes one throwaway stack built by `build` and returns its cdk.tf.json. */
function synthStack(outdir: string, name: string, build: (stack: AddressedStack) => void): string {
  const app = new App({ outdir });
  const stack = new AddressedStack(app, name);
  new AwsProvider(stack, "aws", { region: REGION, defaultTags: [{ tags: { Project: "capacity-test" } }] });
  build(stack);
  app.synth();
  return path.join(outdir, "stacks", name, "cdk.tf.json");
}

/** A terraform command the harness has no method for (apply, graph), run in its workdir with its CLI config. */
function terraformIn(workdir: TerraformWorkdir, args: string[]): Promise<string> {
  const env = { ...process.env, TF_CLI_CONFIG_FILE: path.join(workdir.dir, "terraform.tfrc"), TF_INPUT: "0", TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
  return new Promise((resolve, reject) => {
    const child = spawn(findTerraform()!, args, { cwd: workdir.dir, env });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`terraform ${args.join(" ")} exited ${code}:\n${err}\n${out}`))));
  });
}

const actionsByAddress = (plan: PlanJson) => Object.fromEntries(resourceChanges(plan).map((c) => [c.address, c.actions.join(",")]));
const afterOf = (plan: PlanJson, address: string) => resourceChanges(plan).find((c) => c.address === address)?.after as Record<string, any>;

describeIfTerraform("the capacity, scaling and JVB constructs, validated and planned by real Terraform", () => {
  const subnets = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"];
  let outdir: string;
  let plan: PlanJson;
  beforeAll(async () => {
    outdir = mkdtempSync(path.join(tmpdir(), "capacity-constructs-"));
    const file = synthStack(outdir, "capacity-constructs", (stack) => {
      const instances = new SecurityGroup(stack, "instance_sg", { vpcId: "vpc-0123456789abcdef0", name: "cc-instances", description: "instances", ingress: {}, egress: {} });
      const xmpp = new XmppLoadBalancer(stack, "xmpp", { name: "cc-xmpp", vpcId: "vpc-0123456789abcdef0", subnetIds: subnets, instanceSecurityGroupId: instances.securityGroupId });
      // The stack adds the rule to the instances' group; a group of its own here, as inline rules cannot be added later.
      new SecurityGroup(stack, "instance_sg_with_xmpp", { vpcId: "vpc-0123456789abcdef0", name: "cc-instances-2", description: "instances", ingress: xmpp.instanceIngress, egress: xmpp.instanceEgress });

      // Mode "cpu" on a launch template that resolves the AMI at launch.
      const cpuCluster = new EcsCluster(stack, "cpu_cluster", { name: "cc-cpu" });
      const cpuCapacity = new AutoscalingCapacity(stack, "cpu_capacity", {
        clusterName: "cc-cpu",
        autoScalingGroupName: "cc-cpu-asg",
        instanceType: "c5a.large",
        instanceProfileName: "cc-profile",
        securityGroupIds: [instances.securityGroupId],
        subnetIds: subnets,
        desiredCapacity: 1,
        minSize: 1,
        maxSize: 3,
        launchTemplate: true,
        instanceRefresh: true,
        instanceTags: { Name: "cc-cpu" },
        scaling: "cpu",
        terminationPolicies: ["NewestInstance"],
      });
      new CapacityScaling(stack, "cpu_scaling", { mode: "cpu", clusterName: cpuCluster.clusterName, group: cpuCapacity });

      // Mode "ecs-managed" on a launch template with a pinned AMI.
      const managedCluster = new EcsCluster(stack, "managed_cluster", { name: "cc-managed" });
      const managedCapacity = new AutoscalingCapacity(stack, "managed_capacity", {
        clusterName: "cc-managed",
        autoScalingGroupName: "cc-managed-asg",
        imageId: "ami-06bb94c46ddc47feb",
        instanceType: "c5a.large",
        instanceProfileName: "cc-profile",
        securityGroupIds: [instances.securityGroupId],
        subnetIds: subnets,
        desiredCapacity: 1,
        minSize: 1,
        maxSize: 2,
        launchTemplate: true,
        rootVolume: { sizeGiB: 40 },
        scaling: "ecs-managed",
      });
      new CapacityScaling(stack, "managed_scaling", { mode: "ecs-managed", clusterName: managedCluster.clusterName, group: managedCapacity });

      const parameter = (name: string) => `/cc/${name}`;
      new Jitsi(stack, "jitsi", {
        clusterArn: cpuCluster.clusterArn,
        serviceName: "cc-jitsi",
        taskFamily: "cc-jitsi",
        imageTag: "stable-9753",
        publicUrl: "https://meet.example.org",
        volumes: [
          { name: "jitsi-data", fileSystemId: "fs-bce67e88", rootDirectory: "/prosody/config" },
          { name: "jitsi-images", fileSystemId: "fs-bce67e88", rootDirectory: "/jitsi/images" },
        ],
        secretParameters: {
          JICOFO_AUTH_PASSWORD: parameter("JICOFO_AUTH_PASSWORD"),
          JVB_AUTH_PASSWORD: parameter("JVB_AUTH_PASSWORD"),
          JIGASI_XMPP_PASSWORD: parameter("JIGASI_XMPP_PASSWORD"),
          JIBRI_RECORDER_PASSWORD: parameter("JIBRI_RECORDER_PASSWORD"),
          JIBRI_XMPP_PASSWORD: parameter("JIBRI_XMPP_PASSWORD"),
        },
        executionRoleArn: "arn:aws:iam::123456789012:role/cc-execution",
        webTargetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:123456789012:targetgroup/cc-web/0123456789abcdef`,
        externalJvb: { xmppTargetGroupArn: xmpp.targetGroupArn },
        dependsOn: xmpp.routing,
      });
      new JvbDaemon(stack, "jvb", {
        clusterArn: cpuCluster.clusterArn,
        serviceName: "cc-jvb",
        taskFamily: "cc-jvb",
        imageTag: "stable-9753",
        publicUrl: "https://meet.example.org",
        xmppServer: xmpp.dnsName,
        jvbAuthPasswordParameter: parameter("JVB_AUTH_PASSWORD"),
        executionRoleArn: "arn:aws:iam::123456789012:role/cc-execution",
      });
    });
    plan = await validatedPlan(file);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("plans only creations from an empty state", () => {
    expect(new Set(resourceChanges(plan).map((c) => c.actions.join()))).toEqual(new Set(["create"]));
    const types = resourceChanges(plan).map((c) => c.type);
    for (const type of ["aws_launch_template", "aws_autoscaling_policy", "aws_cloudwatch_metric_alarm", "aws_ecs_capacity_provider", "aws_ecs_cluster_capacity_providers", "aws_lb", "aws_ecs_service"]) {
      expect(types).toContain(type);
    }
    expect(types).not.toContain("aws_launch_configuration");
  });

  it("accepts the resolve:ssm image reference, which AWS resolves at launch, and base64-encodes the ECS user data", () => {
    const template = afterOf(plan, "aws_launch_template.cpu_capacity_launch_template");
    expect(template.image_id).toBe(ECS_OPTIMIZED_IMAGE);
    expect(Buffer.from(template.user_data, "base64").toString()).toBe(ecsUserData("cc-cpu", { blockContainerMetadata: true }));
    expect(template.metadata_options).toEqual([expect.objectContaining({ http_tokens: "required", http_endpoint: "enabled", http_put_response_hop_limit: 1 })]);
    expect(template.block_device_mappings[0].ebs[0]).toMatchObject({ encrypted: "true", volume_type: "gp3" });
    expect(afterOf(plan, "aws_launch_template.managed_capacity_launch_template").image_id).toBe("ami-06bb94c46ddc47feb");
  });

  it("protects the ECS-managed group's instances from scale-in and leaves the CPU-scaled group's unprotected", () => {
    expect(afterOf(plan, "aws_autoscaling_group.managed_capacity_group").protect_from_scale_in).toBe(true);
    expect(afterOf(plan, "aws_autoscaling_group.cpu_capacity_group").protect_from_scale_in).toBe(false);
    expect(afterOf(plan, "aws_ecs_capacity_provider.managed_scaling_provider").auto_scaling_group_provider[0]).toMatchObject({
      managed_termination_protection: "ENABLED",
      managed_scaling: [expect.objectContaining({ status: "ENABLED", target_capacity: 100 })],
    });
  });

  it("runs the JVB as a daemon and the jitsi task without it", () => {
    expect(afterOf(plan, "aws_ecs_service.jvb_service")).toMatchObject({ scheduling_strategy: "DAEMON", launch_type: "EC2" });
    const jitsi = JSON.parse(afterOf(plan, "aws_ecs_task_definition.jitsi_task_definition").container_definitions) as { name: string }[];
    expect(jitsi.map((c) => c.name).sort()).toEqual(["jicofo", "prosody", "web"]);
  });
});

/** The legacy launch configuration and group of staging, at the addresses `AutoscalingCapacity` gives them. */
function legacyCapacityState(file: string): { subnetIds: string[] } {
  const legacy = JSON.parse(readFileSync(LEGACY_STAGING_STATE, "utf8"));
  const renamed: Record<string, string> = {
    "module.ecs_ec2.aws_launch_configuration.ecs_launch_config": "capacity_launch_configuration",
    "module.ecs_ec2.aws_autoscaling_group.ecs_asg": "capacity_group",
  };
  const resources = legacy.resources
    .filter((r: any) => renamed[`${r.module}.${r.type}.${r.name}`] !== undefined)
    .map(({ module, ...r }: any) => ({ ...r, name: renamed[`${module}.${r.type}.${r.name}`] }));
  expect(resources).toHaveLength(2);
  writeFileSync(file, JSON.stringify({ ...legacy, serial: legacy.serial + 1, resources }));
  const group = resources.find((r: any) => r.type === "aws_autoscaling_group");
  return { subnetIds: group.instances[0].attributes.vpc_zone_identifier };
}

describeIfTerraform("the launch template switch of a legacy environment, planned against staging's capacity", () => {
  let scratch: string;
  let workdir: TerraformWorkdir;
  let templateConfig: string;
  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "launch-template-switch-"));
    const statePath = path.join(scratch, "capacity.tfstate");
    const { subnetIds } = legacyCapacityState(statePath);
    // Staging's values (src/environments/staging.ts), as the legacy launch configuration holds them.
    const staging = (launchTemplate: boolean): AutoscalingCapacityProps => ({
      clusterName: "jitsi-matrix-cluster-staging",
      autoScalingGroupName: "jitsi-matrix-asg-staging",
      imageId: launchTemplate ? undefined : "ami-06bb94c46ddc47feb",
      instanceType: "c5a.large",
      keyName: "jitsi-cluster-key",
      instanceProfileName: "jitsi-matrix-agent-staging",
      securityGroupIds: ["sg-43526f1b9ea032681"],
      subnetIds,
      desiredCapacity: 1,
      minSize: 1,
      maxSize: 1,
      requireImdsv2: launchTemplate ? undefined : false,
      launchTemplate,
    });
    const configurationConfig = synthStack(path.join(scratch, "lc"), "capacity", (stack) => new AutoscalingCapacity(stack, "capacity", staging(false)));
    templateConfig = synthStack(path.join(scratch, "lt"), "capacity", (stack) => new AutoscalingCapacity(stack, "capacity", staging(true)));
    workdir = new TerraformWorkdir(configurationConfig, { statePath });
    await workdir.init();
  });
  afterAll(() => {
    workdir?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("with launchTemplate off plans no change: the default keeps adoption a no-op", async () => {
    const plan = await workdir.plan();
    expect(actionsByAddress(plan)).toEqual({
      "aws_autoscaling_group.capacity_group": "no-op",
      "aws_launch_configuration.capacity_launch_configuration": "no-op",
    });
    // What the adoption's first apply does to this state: it records that the group depends on the launch configuration.
    await terraformIn(workdir, ["apply", "-refresh=false", "-auto-approve", "-lock=false", "-no-color"]);
    const group = workdir.state()!.resources.find((r) => r.type === "aws_autoscaling_group")!;
    expect(group.instances[0].dependencies).toEqual(["aws_launch_configuration.capacity_launch_configuration"]);
  });

  it("with launchTemplate on creates the template, updates the group in place and destroys the launch configuration", async () => {
    copyFileSync(templateConfig, path.join(workdir.dir, "cdk.tf.json"));
    const plan = await workdir.plan({ planFile: true });
    expect(actionsByAddress(plan)).toEqual({
      "aws_launch_template.capacity_launch_template": "create",
      "aws_autoscaling_group.capacity_group": "update",
      "aws_launch_configuration.capacity_launch_configuration": "delete",
    });
    const group = resourceChanges(plan).find((c) => c.address === "aws_autoscaling_group.capacity_group")!;
    expect((group.before as any).launch_configuration).toBe("terraform-20220301100000000000000001");
    expect((group.after as any).launch_configuration).toBeNull();
    expect((group.afterUnknown as any).launch_template).toEqual([{ id: true, version: true }]);
    expect(group.after).toMatchObject({ name: "jitsi-matrix-asg-staging", desired_capacity: 1, min_size: 1, max_size: 1 });
    expect(afterOf(plan, "aws_launch_template.capacity_launch_template")).toMatchObject({
      image_id: ECS_OPTIMIZED_IMAGE,
      instance_type: "c5a.large",
      key_name: "jitsi-cluster-key",
      iam_instance_profile: [expect.objectContaining({ name: "jitsi-matrix-agent-staging" })],
    });
  });

  it("destroys the launch configuration only after the group has let go of it", async () => {
    const graph = await terraformIn(workdir, ["graph", "-type=apply", `-plan=${path.join(workdir.dir, "plan.tfplan")}`]);
    expect(graph).toContain('"[root] aws_launch_configuration.capacity_launch_configuration (destroy)" -> "[root] aws_autoscaling_group.capacity_group"');
  });
});

describeIfTerraform("what the AWS provider does to an existing service moved towards a capacity provider or a second target group", () => {
  let scratch: string;
  let workdir: TerraformWorkdir;
  let base: Record<string, unknown>;
  const config = (service: Record<string, unknown>) =>
    JSON.stringify({
      terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } },
      provider: { aws: [{ region: REGION }] },
      resource: { aws_ecs_service: { jitsi_service: service } },
    });
  const planWith = async (service: Record<string, unknown>) => {
    writeFileSync(path.join(workdir.dir, "cdk.tf.json"), config(service));
    const plan = await workdir.plan();
    return plan.resource_changes![0];
  };
  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "service-strategy-"));
    const legacy = JSON.parse(readFileSync(LEGACY_STAGING_STATE, "utf8"));
    const { module: _module, ...service } = legacy.resources.find((r: any) => r.type === "aws_ecs_service" && r.module.includes("jitsi"));
    const statePath = path.join(scratch, "service.tfstate");
    writeFileSync(statePath, JSON.stringify({ ...legacy, resources: [{ ...service, name: "jitsi_service" }] }));
    const attributes = service.instances[0].attributes;
    base = {
      name: attributes.name,
      cluster: attributes.cluster,
      task_definition: attributes.task_definition,
      desired_count: 1,
      deployment_minimum_healthy_percent: 0,
      deployment_maximum_percent: 100,
      scheduling_strategy: "REPLICA",
      load_balancer: attributes.load_balancer.map((lb: any) => ({ container_name: lb.container_name, container_port: lb.container_port, target_group_arn: lb.target_group_arn })),
    };
    const file = path.join(scratch, "cdk.tf.json");
    writeFileSync(file, config({ ...base, launch_type: "EC2" }));
    workdir = new TerraformWorkdir(file, { statePath });
    await workdir.init();
  });
  afterAll(() => {
    workdir?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  // replace_paths names the cause, so a config drifting from the state cannot pass for it.
  it("replaces the service when it trades launch_type EC2 for a capacity provider strategy, even with force_new_deployment", async () => {
    // force_new_deployment is what the provider documents for strategy changes; without it the replacement only gets likelier.
    const change = await planWith({
      ...base,
      force_new_deployment: true,
      capacity_provider_strategy: [{ capacity_provider: "jitsi-matrix-asg-staging", weight: 1, base: 0 }],
    });
    expect(change.change.actions).toEqual(["delete", "create"]);
    expect((change as any).change.replace_paths).toEqual([["capacity_provider_strategy"]]);
  });

  it("updates the service in place when prosody's port joins the XMPP target group (Jitsi externalJvb)", async () => {
    const loadBalancers = [...(base.load_balancer as object[]), { container_name: "prosody", container_port: 5222, target_group_arn: `arn:aws:elasticloadbalancing:${REGION}:123456789012:targetgroup/xmpp/0123456789abcdef` }];
    expect((await planWith({ ...base, launch_type: "EC2", load_balancer: loadBalancers })).change.actions).toEqual(["update"]);
  });
});

describeIfTerraform("a new environment in mode ecs-managed, validated and planned by real Terraform from an empty state", () => {
  let scratch: string;
  let plan: PlanJson;
  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "ecs-managed-"));
    const environment = parseEnvironment({ ...dev, scaling: { mode: "ecs-managed", jvbPerInstance: false } });
    const stacks = synthEnvironment(environment);
    const remoteState = path.join(scratch, "networking.tfstate");
    writeNetworkingOutputs(stacks.find((stack) => stack.name === "networking-dev")!.json, remoteState);
    const file = path.join(scratch, "cdk.tf.json");
    writeFileSync(file, JSON.stringify(stacks.find((stack) => stack.name === "jitsi-matrix-dev")!.json));
    plan = await validatedPlan(file, { remoteState });
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("creates the jitsi and matrix services on the capacity provider, without a launch type, after the provider joins the cluster", () => {
    // The daemon services (coturn) run on every instance without a capacity provider.
    const services = resourceChanges(plan).filter((change) => change.type === "aws_ecs_service" && (change.after as Record<string, unknown>).scheduling_strategy !== "DAEMON");
    expect(services.map((change) => change.address).sort()).toEqual(["aws_ecs_service.jitsi_service", "aws_ecs_service.matrix_service"]);
    for (const service of services) {
      expect(service.actions).toEqual(["create"]);
      expect((service.after as Record<string, unknown>).capacity_provider_strategy).toEqual([expect.objectContaining({ weight: 1, base: 0 })]);
      // Unset in the configuration, the provider leaves the launch type to ECS: no EC2 launch type to bypass the provider.
      expect((service.after as Record<string, unknown>).launch_type).not.toBe("EC2");
      const configured = plan.configuration?.root_module?.resources?.find((resource) => resource.address === service.address) as { depends_on?: string[] };
      expect(configured.depends_on).toContain("aws_ecs_cluster_capacity_providers.scaling_provider_cluster");
    }
  });
});
