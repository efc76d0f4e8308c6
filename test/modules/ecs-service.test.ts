import { DEFAULT_HEALTH_CHECK_GRACE_PERIOD_SECONDS, EcsService, EcsServiceProps } from "../../src/modules/ecs-service";
import { onlyResource, synthConstructs } from "../support/synth";

const props: EcsServiceProps = {
  clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/c",
  serviceName: "svc",
  family: "task",
  containers: [
    {
      name: "app",
      image: "nginx:1.27",
      memory: 128,
      portMappings: [{ containerPort: 80, hostPort: 8000 }],
      mountPoints: [{ sourceVolume: "data", containerPath: "/data" }],
    },
  ],
  volumes: [{ name: "data", fileSystemId: "fs-1234", rootDirectory: "/app" }],
  loadBalancerTargets: [{ containerName: "app", containerPort: 80, targetGroupArn: "arn:tg" }],
};

describe("EcsService", () => {
  const json = (overrides: Partial<EcsServiceProps> = {}) =>
    synthConstructs((scope) => new EcsService(scope, "app", { ...props, ...overrides })).json;

  it("defines an EC2 task with EFS volumes, transit-encrypted unless switched off", () => {
    const task = onlyResource(json(), "aws_ecs_task_definition");
    expect(task).toMatchObject({
      family: "task",
      requires_compatibilities: ["EC2"],
      volume: [{ name: "data", efs_volume_configuration: { file_system_id: "fs-1234", root_directory: "/app", transit_encryption: "ENABLED" } }],
    });
    const legacy = onlyResource(
      json({ volumes: [{ name: "data", fileSystemId: "fs-1234", rootDirectory: "/app", transitEncryption: false }] }),
      "aws_ecs_task_definition",
    );
    expect(legacy.volume).toEqual([expect.objectContaining({ efs_volume_configuration: expect.objectContaining({ transit_encryption: "DISABLED" }) })]);
  });

  it("runs one replica that stops before it starts again, as on one instance with fixed host ports", () => {
    expect(onlyResource(json(), "aws_ecs_service")).toMatchObject({
      name: "svc",
      launch_type: "EC2",
      scheduling_strategy: "REPLICA",
      desired_count: 1,
      deployment_minimum_healthy_percent: 0,
      deployment_maximum_percent: 100,
      task_definition: "${aws_ecs_task_definition.app_task_definition.arn}",
      load_balancer: [{ container_name: "app", container_port: 80, target_group_arn: "arn:tg" }],
    });
  });

  it("gives a task behind a load balancer five minutes before its failing health checks count, so a slow first start is not killed", () => {
    expect(onlyResource(json(), "aws_ecs_service").health_check_grace_period_seconds).toBe(DEFAULT_HEALTH_CHECK_GRACE_PERIOD_SECONDS);
    expect(DEFAULT_HEALTH_CHECK_GRACE_PERIOD_SECONDS).toBe(300);
    expect(onlyResource(json({ healthCheckGracePeriodSeconds: 600 }), "aws_ecs_service").health_check_grace_period_seconds).toBe(600);
    // ECS refuses a grace period on a service without a load balancer.
    expect(onlyResource(json({ loadBalancerTargets: undefined }), "aws_ecs_service")).not.toHaveProperty("health_check_grace_period_seconds");
  });

  it("keeps a desired count of 0", () => {
    expect(onlyResource(json({ desiredCount: 0 }), "aws_ecs_service").desired_count).toBe(0);
  });

  it("fails when a container mounts a volume the task does not define", () => {
    expect(() => json({ volumes: [] })).toThrow(/task: container "app" mounts volume "data", which the task does not define/);
  });
});
