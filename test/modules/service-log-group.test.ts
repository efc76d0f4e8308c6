import { TerraformOutput } from "cdktf";
import { ContainerDefinition, renderContainerDefinitions } from "../../src/modules/container-definition";
import {
  awsLogsConfiguration,
  LOG_RETENTION_DAYS,
  ServiceLogGroup,
  withLogConfiguration,
} from "../../src/modules/service-log-group";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

const base = { clusterName: "jm-cluster", serviceName: "jitsi-service", region: "eu-west-1" };

describe("ServiceLogGroup", () => {
  it("is named /ecs/<cluster>/<service> and keeps 30 days by default", () => {
    const { json } = synthConstructs((scope) => new ServiceLogGroup(scope, "logs_jitsi", base));
    expect(resourcesOf(json, "aws_cloudwatch_log_group").logs_jitsi).toMatchObject({
      name: "/ecs/jm-cluster/jitsi-service",
      retention_in_days: 30,
    });
    expect(onlyResource(json, "aws_cloudwatch_log_group")).not.toHaveProperty("kms_key_id");
  });

  it("takes the retention, name and KMS key it is given", () => {
    const { json } = synthConstructs(
      (scope) =>
        new ServiceLogGroup(scope, "logs", { ...base, retentionDays: 7, logGroupName: "/custom/name", kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/k" }),
    );
    expect(onlyResource(json, "aws_cloudwatch_log_group")).toMatchObject({
      name: "/custom/name",
      retention_in_days: 7,
      kms_key_id: "arn:aws:kms:eu-west-1:1:key/k",
    });
  });

  it.each([0, 2, 31, 10000])("fails on a retention of %d days, which CloudWatch refuses, listing the accepted ones", (days) => {
    expect(() => synthConstructs((scope) => new ServiceLogGroup(scope, "logs", { ...base, retentionDays: days }))).toThrow(
      `retentionDays: ${days} days is not a retention CloudWatch Logs accepts; use one of ${LOG_RETENTION_DAYS.join(", ")}.`,
    );
  });

  it("gives containers the awslogs driver pointing at the group by reference, so the group exists before the task", () => {
    const { json } = synthConstructs((scope) => {
      const logs = new ServiceLogGroup(scope, "logs_jitsi", base);
      const containers: ContainerDefinition[] = [
        { name: "web", image: "jitsi/web:stable-1", memory: 128 },
        { name: "jvb", image: "jitsi/jvb:stable-1", memory: 128 },
      ];
      // Rendered into an output the way a task definition renders its containers.
      new TerraformOutput(scope, "containers", {
        value: renderContainerDefinitions(withLogConfiguration(containers, logs.logConfiguration())),
      });
    });
    const rendered = JSON.parse((json.output as Record<string, { value: string }>).containers.value) as Record<string, unknown>[];
    expect(rendered).toHaveLength(2);
    for (const container of rendered) {
      expect(container.logConfiguration).toEqual({
        logDriver: "awslogs",
        options: {
          "awslogs-group": "${aws_cloudwatch_log_group.logs_jitsi.name}",
          "awslogs-region": "eu-west-1",
          "awslogs-stream-prefix": "ecs",
          mode: "non-blocking",
          "max-buffer-size": "25m",
        },
      });
    }
  });
});

describe("awsLogsConfiguration", () => {
  it("writes the three awslogs options, non-blocking with a bounded buffer by default", () => {
    expect(awsLogsConfiguration({ logGroupName: "/ecs/c/s", region: "eu-west-1" })).toEqual({
      logDriver: "awslogs",
      options: {
        "awslogs-group": "/ecs/c/s",
        "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "ecs",
        mode: "non-blocking",
        "max-buffer-size": "25m",
      },
    });
  });

  it("blocks without a buffer when asked, with the stream prefix given", () => {
    expect(awsLogsConfiguration({ logGroupName: "g", region: "r", streamPrefix: "jitsi", mode: "blocking" }).options).toEqual({
      "awslogs-group": "g",
      "awslogs-region": "r",
      "awslogs-stream-prefix": "jitsi",
      mode: "blocking",
    });
  });

  it("replaces a container's log configuration without touching the rest", () => {
    const container: ContainerDefinition = {
      name: "web",
      image: "jitsi/web:stable-1",
      memory: 128,
      logConfiguration: { logDriver: "json-file" },
    };
    const [logged] = withLogConfiguration([container], awsLogsConfiguration({ logGroupName: "g", region: "r" }));
    expect(logged).toEqual({ ...container, logConfiguration: expect.objectContaining({ logDriver: "awslogs" }) });
    expect(container.logConfiguration).toEqual({ logDriver: "json-file" });
  });
});
