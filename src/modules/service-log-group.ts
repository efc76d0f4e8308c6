import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ContainerDefinition } from "./container-definition";

/** The `logConfiguration` of a container definition. */
export type LogConfiguration = NonNullable<ContainerDefinition["logConfiguration"]>;

/** Days of retention when nothing else is said: a month of history to look back at an incident. */
export const DEFAULT_LOG_RETENTION_DAYS = 30;

/** The retentions CloudWatch Logs accepts; any other number is refused by the API. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Stream prefix when nothing else is said, the one the ECS console uses: streams are `ecs/<container>/<task id>`. */
export const DEFAULT_LOG_STREAM_PREFIX = "ecs";

/** Buffer of the non-blocking mode: what a container may log while CloudWatch is slow before lines are dropped. */
export const NON_BLOCKING_BUFFER_SIZE = "25m";

export interface AwsLogsOptions {
  readonly logGroupName: string;
  /** Region of the log group. */
  readonly region: string;
  /** @default "ecs" */
  readonly streamPrefix?: string;
  /**
   * `non-blocking` keeps a container running when CloudWatch cannot take its logs
   * (a bounded buffer, then lines are dropped); `blocking` stalls its writes to stdout instead.
   * @default "non-blocking"
   */
  readonly mode?: "blocking" | "non-blocking";
}

/** The `awslogs` driver writing a container's stdout and stderr to a CloudWatch log group. */
export function awsLogsConfiguration(options: AwsLogsOptions): LogConfiguration {
  const mode = options.mode ?? "non-blocking";
  return {
    logDriver: "awslogs",
    options: {
      "awslogs-group": options.logGroupName,
      "awslogs-region": options.region,
      "awslogs-stream-prefix": options.streamPrefix ?? DEFAULT_LOG_STREAM_PREFIX,
      mode,
      ...(mode === "non-blocking" ? { "max-buffer-size": NON_BLOCKING_BUFFER_SIZE } : {}),
    },
  };
}

/** The containers with `logConfiguration` set on each, replacing any they had. */
export function withLogConfiguration(
  containers: readonly ContainerDefinition[],
  logConfiguration: LogConfiguration,
): ContainerDefinition[] {
  return containers.map((container) => ({ ...container, logConfiguration }));
}

/** Fails with the prop's name when `days` is not a retention CloudWatch Logs accepts. */
export function checkLogRetention(field: string, days: number): void {
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new Error(
      `${field}: ${days} days is not a retention CloudWatch Logs accepts; use one of ${LOG_RETENTION_DAYS.join(", ")}.`,
    );
  }
}

export interface ServiceLogGroupProps {
  /** The ECS cluster the service runs in; part of the default group name. */
  readonly clusterName: string;
  /** The ECS service whose containers log here; part of the default group name. */
  readonly serviceName: string;
  /** Region of the group, for the containers' `awslogs-region`. */
  readonly region: string;
  /**
   * Days CloudWatch keeps each log event; one of `LOG_RETENTION_DAYS`.
   * @default 30
   */
  readonly retentionDays?: number;
  /** @default `/ecs/<clusterName>/<serviceName>` */
  readonly logGroupName?: string;
  /**
   * KMS key to encrypt the group with; its key policy must let `logs.<region>.amazonaws.com` use it.
   * @default - CloudWatch Logs' own encryption at rest
   */
  readonly kmsKeyArn?: string;
}

/**
 * The CloudWatch log group of one ECS service. Its containers write to it
 * through `logConfiguration()`; the instances' ECS agent creates the streams
 * (its role's AmazonEC2ContainerServiceforEC2Role allows logs:CreateLogStream
 * and logs:PutLogEvents, as the task execution role's policy does).
 */
export class ServiceLogGroup extends Construct {
  public readonly logGroupName: string;
  public readonly logGroupArn: string;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: ServiceLogGroupProps) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    if (!Token.isUnresolved(retentionDays)) checkLogRetention("retentionDays", retentionDays);
    const group = new CloudwatchLogGroup(this, "Default", {
      name: props.logGroupName ?? `/ecs/${props.clusterName}/${props.serviceName}`,
      retentionInDays: retentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    this.logGroupName = group.name;
    this.logGroupArn = group.arn;
    this.region = props.region;
  }

  /** The `awslogs` configuration that sends a container's output to this group. */
  public logConfiguration(options: Omit<AwsLogsOptions, "logGroupName" | "region"> = {}): LogConfiguration {
    return awsLogsConfiguration({ ...options, logGroupName: this.logGroupName, region: this.region });
  }
}
