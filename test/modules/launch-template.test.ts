import { execFileSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { AutoscalingCapacity, AutoscalingCapacityProps } from "../../src/modules/autoscaling-capacity";
import { BLOCK_CONTAINER_METADATA_UNIT, ecsUserData } from "../../src/modules/ecs-user-data";
import { ECS_OPTIMIZED_IMAGE, EcsLaunchTemplate, EcsLaunchTemplateProps } from "../../src/modules/ecs-launch-template";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

const templateProps: EcsLaunchTemplateProps = {
  clusterName: "my-cluster",
  instanceType: "c5a.large",
  instanceProfileName: "agent-profile",
  securityGroupIds: ["sg-1"],
};

const template = (overrides: Partial<EcsLaunchTemplateProps> = {}) =>
  onlyResource(synthConstructs((scope) => new EcsLaunchTemplate(scope, "launch_template", { ...templateProps, ...overrides })).json, "aws_launch_template");

const capacityProps: AutoscalingCapacityProps = {
  clusterName: "my-cluster",
  autoScalingGroupName: "my-asg",
  imageId: "ami-0123456789abcdef0",
  instanceType: "c5a.large",
  keyName: "my-key",
  instanceProfileName: "agent-profile",
  securityGroupIds: ["sg-1"],
  subnetIds: ["subnet-a", "subnet-b"],
  desiredCapacity: 1,
  minSize: 1,
  maxSize: 2,
};

const capacity = (overrides: Partial<AutoscalingCapacityProps> = {}) =>
  synthConstructs((scope) => new AutoscalingCapacity(scope, "capacity", { ...capacityProps, ...overrides })).json;

describe("EcsLaunchTemplate", () => {
  it("requires IMDSv2 with a hop limit of 1, so that no token reaches a container in bridge mode", () => {
    expect(template().metadata_options).toEqual({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 });
  });

  it("resolves the ECS-optimized Amazon Linux 2023 AMI from AWS's public SSM parameter at launch when no AMI is given", () => {
    expect(template().image_id).toBe("resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id");
    expect(ECS_OPTIMIZED_IMAGE).toBe("resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id");
  });

  it("launches a pinned AMI when one is given", () => {
    expect(template({ imageId: "ami-06bb94c46ddc47feb" }).image_id).toBe("ami-06bb94c46ddc47feb");
  });

  it("base64-encodes the ECS user data, with the host rule that cuts containers off the metadata service", () => {
    const userData = ecsUserData("my-cluster", { blockContainerMetadata: true });
    expect(template().user_data).toBe(`\${base64encode(${JSON.stringify(userData)})}`);
    expect(userData.startsWith(ecsUserData("my-cluster"))).toBe(true);
    // No template sequence for Terraform to read in it.
    expect(userData).not.toMatch(/[$%]\{/);
  });

  it("gives the root device an encrypted gp3 volume of the AMI's size", () => {
    expect(template().block_device_mappings).toEqual([
      { device_name: "/dev/xvda", ebs: { volume_type: "gp3", encrypted: "true", delete_on_termination: "true" } },
    ]);
    const sized = template({ rootVolume: { sizeGiB: 50, kmsKeyId: "alias/ebs-key" } }).block_device_mappings as Record<string, any>[];
    expect(sized[0].ebs).toMatchObject({ volume_size: 50, kms_key_id: "alias/ebs-key", encrypted: "true" });
  });

  it("attaches the instance profile and one network interface with a public IP and the instances' groups", () => {
    const lt = template();
    expect(lt.iam_instance_profile).toEqual({ name: "agent-profile" });
    expect(lt.network_interfaces).toEqual([
      { device_index: 0, associate_public_ip_address: "true", security_groups: ["sg-1"], delete_on_termination: "true" },
    ]);
    // Groups given twice (top level and interface) are refused by EC2.
    expect(lt).not.toHaveProperty("vpc_security_group_ids");
  });

  it("keeps one-minute monitoring, as the launch configuration had, and tags instances and volumes when asked", () => {
    expect(template().monitoring).toEqual({ enabled: true });
    expect(template()).not.toHaveProperty("tag_specifications");
    expect(template({ instanceTags: { Environment: "Dev" } }).tag_specifications).toEqual([
      { resource_type: "instance", tags: { Environment: "Dev" } },
      { resource_type: "volume", tags: { Environment: "Dev" } },
    ]);
  });

  it.each([
    [{ imageId: "ubuntu-22.04" }, 'imageId: "ubuntu-22.04" is neither an AMI ID'],
    [{ rootVolume: { sizeGiB: 8 } }, "rootVolume.sizeGiB: 8 is not a whole number from 30 to 16384; the ECS-optimized AMI's root snapshot is 30 GiB"],
    [{ rootVolume: { sizeGiB: 20.5 }, imageId: "ami-06bb94c46ddc47feb" }, "rootVolume.sizeGiB: 20.5 is not a whole number from 1 to 16384"],
    [{ rootVolume: { deviceName: "xvda" } }, 'rootVolume.deviceName: "xvda" is not a device name'],
    [{ metadataHopLimit: 0 }, "metadataHopLimit: 0 is not a whole number from 1 to 64"],
    [{ securityGroupIds: [] }, "securityGroupIds: [] is empty"],
  ] as [Partial<EcsLaunchTemplateProps>, string][])("refuses %j naming the field", (overrides, message) => {
    expect(() => template(overrides)).toThrow(message);
  });
});

describe("AutoscalingCapacity", () => {
  it("with the legacy props synthesizes only the launch configuration and the group, with no argument beyond the legacy ones", () => {
    const json = capacity({ requireImdsv2: false });
    expect(Object.keys(json.resource ?? {}).sort()).toEqual(["aws_autoscaling_group", "aws_launch_configuration"]);
    expect(Object.keys(onlyResource(json, "aws_autoscaling_group")).sort()).toEqual([
      "desired_capacity",
      "health_check_grace_period",
      "health_check_type",
      "launch_configuration",
      "max_size",
      "min_size",
      "name",
      "vpc_zone_identifier",
    ]);
  });

  it("with launchTemplate runs the group on the template's latest version and creates no launch configuration", () => {
    const json = capacity({ launchTemplate: true, imageId: undefined });
    expect(resourcesOf(json, "aws_launch_configuration")).toEqual({});
    expect(resourcesOf(json, "aws_launch_template").capacity_launch_template).toMatchObject({
      image_id: ECS_OPTIMIZED_IMAGE,
      key_name: "my-key",
      name_prefix: "my-asg-",
      lifecycle: { create_before_destroy: true },
    });
    const group = onlyResource(json, "aws_autoscaling_group");
    expect(group.launch_template).toEqual({
      id: "${aws_launch_template.capacity_launch_template.id}",
      version: "${aws_launch_template.capacity_launch_template.latest_version}",
    });
    expect(group).not.toHaveProperty("launch_configuration");
    expect(group).not.toHaveProperty("instance_refresh");
  });

  it("passes a pinned AMI, the root volume and instance tags to the template", () => {
    const json = capacity({ launchTemplate: true, rootVolume: { sizeGiB: 40 }, instanceTags: { Name: "ecs" } });
    expect(onlyResource(json, "aws_launch_template")).toMatchObject({
      image_id: "ami-0123456789abcdef0",
      block_device_mappings: [{ ebs: { volume_size: 40 } }],
      tag_specifications: expect.arrayContaining([{ resource_type: "instance", tags: { Name: "ecs" } }]),
    });
  });

  it("with instanceRefresh replaces instances launch-before-terminate, protected ones included", () => {
    expect(onlyResource(capacity({ launchTemplate: true, instanceRefresh: true }), "aws_autoscaling_group").instance_refresh).toEqual({
      strategy: "Rolling",
      preferences: { min_healthy_percentage: 100, max_healthy_percentage: 200, scale_in_protected_instances: "Refresh", skip_matching: true },
    });
  });

  it("for CPU policies leaves desired_capacity to them and carries the tag ECS adds, without protecting instances", () => {
    const group = onlyResource(capacity({ scaling: "cpu" }), "aws_autoscaling_group");
    expect(group.lifecycle).toEqual({ ignore_changes: ["desired_capacity"] });
    expect(group.tag).toEqual([{ key: "AmazonECSManaged", value: "true", propagate_at_launch: true }]);
    expect(group).not.toHaveProperty("protect_from_scale_in");
  });

  it("for ECS managed scaling also starts instances protected from scale-in, which managed termination protection needs", () => {
    const group = onlyResource(capacity({ scaling: "ecs-managed", terminationPolicies: ["NewestInstance"] }), "aws_autoscaling_group");
    expect(group).toMatchObject({ protect_from_scale_in: true, termination_policies: ["NewestInstance"], lifecycle: { ignore_changes: ["desired_capacity"] } });
  });

  it.each([
    ["IMDSv1 on a launch template", { launchTemplate: true, requireImdsv2: false }, "requireImdsv2: false with launchTemplate: true"],
    ["a launch configuration without AMI", { imageId: undefined }, "imageId: missing; a launch configuration needs an AMI ID"],
    ["a root volume on a launch configuration", { rootVolume: { sizeGiB: 40 } }, "rootVolume: {\"sizeGiB\":40} applies to the launch template only"],
    ["instance tags on a launch configuration", { instanceTags: { Name: "x" } }, "instanceTags: {\"Name\":\"x\"} applies to the launch template only"],
    ["an unknown termination policy", { terminationPolicies: ["Youngest"] }, 'terminationPolicies: "Youngest" is not a termination policy'],
  ] as [string, Partial<AutoscalingCapacityProps>, string][])("refuses %s", (_label, overrides, message) => {
    expect(() => capacity(overrides)).toThrow(message);
  });
});

describe("the launch template's user data, run with stand-ins for the host's tools", () => {
  const userData = ecsUserData("my-cluster", { blockContainerMetadata: true });
  let root: string;
  let calls: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "user-data-"));
    calls = path.join(root, "calls");
    mkdirSync(path.join(root, "bin"));
    mkdirSync(path.join(root, "etc", "ecs"), { recursive: true });
    mkdirSync(path.join(root, "etc", "systemd", "system"), { recursive: true });
    // iptables answers -C ("is the rule there?") with no, as on a fresh instance; every call is recorded.
    for (const tool of ["iptables", "systemctl"]) {
      writeFileSync(path.join(root, "bin", tool), `#!/bin/sh\necho "${tool} $*" >> "${calls}"\n[ "$1" = "-C" ] && exit 1\nexit 0\n`, { mode: 0o755 });
    }
    const script = userData.replace(/\/etc\//g, `${root}/etc/`);
    execFileSync("/bin/bash", ["-c", script], { env: { PATH: `${path.join(root, "bin")}:/usr/bin:/bin` } });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("joins the cluster and enables, before Docker starts, a unit that runs ECS's documented host rule on every boot", () => {
    expect(readFileSync(path.join(root, "etc", "ecs", "ecs.config"), "utf8")).toBe("ECS_CLUSTER=my-cluster\n");
    const unit = readFileSync(path.join(root, "etc", "systemd", "system", BLOCK_CONTAINER_METADATA_UNIT), "utf8");
    expect(unit).toMatch(/^Before=docker\.service$/m);
    expect(unit).toMatch(/^WantedBy=multi-user\.target$/m);
    expect(readFileSync(calls, "utf8").split("\n")).toEqual(["systemctl daemon-reload", `systemctl enable --now ${BLOCK_CONTAINER_METADATA_UNIT}`, ""]);
  });

  it("drops what containers send to 169.254.169.254 in DOCKER-USER, once, and leaves the agent's credential endpoint alone", () => {
    const unit = readFileSync(path.join(root, "etc", "systemd", "system", BLOCK_CONTAINER_METADATA_UNIT), "utf8");
    const execStart = /^ExecStart=\/bin\/sh -c '(.*)'$/m.exec(unit)![1];
    writeFileSync(calls, "");
    execFileSync("/bin/sh", ["-c", execStart], { env: { PATH: `${path.join(root, "bin")}:/usr/bin:/bin` } });
    expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual([
      "iptables -N DOCKER-USER",
      "iptables -C DOCKER-USER -i docker+ -d 169.254.169.254/32 -j DROP",
      "iptables -I DOCKER-USER 1 -i docker+ -d 169.254.169.254/32 -j DROP",
    ]);
    expect(unit).not.toContain("169.254.170.2");
  });
});
