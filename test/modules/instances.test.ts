import { AutoscalingCapacity } from "../../src/modules/autoscaling-capacity";
import { ecsUserData } from "../../src/modules/ecs-user-data";
import { EcsInstanceRole } from "../../src/modules/ecs-instance-role";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

describe("AutoscalingCapacity", () => {
  const { json } = synthConstructs(
    (scope) =>
      new AutoscalingCapacity(scope, "capacity", {
        clusterName: "my-cluster",
        autoScalingGroupName: "my-asg",
        imageId: "ami-0123456789abcdef0",
        instanceType: "c5a.large",
        instanceProfileName: "profile",
        securityGroupIds: ["sg-1"],
        subnetIds: ["subnet-a", "subnet-b"],
        desiredCapacity: 1,
        minSize: 1,
        maxSize: 2,
      }),
  );

  it("writes the user data that joins the cluster byte for byte as the legacy module did", () => {
    expect(ecsUserData("my-cluster")).toBe("#!/bin/bash\necho ECS_CLUSTER=my-cluster >> /etc/ecs/ecs.config");
    expect(onlyResource(json, "aws_launch_configuration")).toMatchObject({
      image_id: "ami-0123456789abcdef0",
      instance_type: "c5a.large",
      iam_instance_profile: "profile",
      associate_public_ip_address: true,
      security_groups: ["sg-1"],
      user_data: ecsUserData("my-cluster"),
      lifecycle: { create_before_destroy: true },
    });
  });

  it("runs the group across the subnets with EC2 health checks and a 300 s grace period by default", () => {
    expect(onlyResource(json, "aws_autoscaling_group")).toMatchObject({
      name: "my-asg",
      launch_configuration: "${aws_launch_configuration.capacity_launch_configuration.name}",
      vpc_zone_identifier: ["subnet-a", "subnet-b"],
      desired_capacity: 1,
      min_size: 1,
      max_size: 2,
      health_check_type: "EC2",
      health_check_grace_period: 300,
    });
  });
});

describe("EcsInstanceRole", () => {
  const { json } = synthConstructs(
    (scope) => new EcsInstanceRole(scope, "ecs_instance_role", { roleName: "agent", instanceProfileName: "agent-profile" }),
  );

  it("is assumable by EC2 only", () => {
    const role = onlyResource(json, "aws_iam_role");
    expect(JSON.parse(role.assume_role_policy as string)).toEqual({
      Statement: [{ Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" } }],
      Version: "2012-10-17",
    });
  });

  it("carries the ECS agent's managed policy and an instance profile", () => {
    expect(onlyResource(json, "aws_iam_role_policy_attachment").policy_arn).toBe(
      "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
    );
    expect(resourcesOf(json, "aws_iam_instance_profile").ecs_instance_role_profile).toMatchObject({
      name: "agent-profile",
      role: "${aws_iam_role.ecs_instance_role.name}",
    });
  });
});
