import { Construct } from "constructs";
import { EcsService, EfsVolume } from "./ecs-service";
import { postgresContainer } from "./matrix";
import { LogConfiguration } from "./service-log-group";

export const POSTGRES_UPGRADE_DEFAULTS = {
  imageTag: "17.7",
  taskFamily: "postgres-upgrade-task",
  serviceName: "postgres-upgrade-service",
  memory: 128,
} as const;

export interface PostgresUpgradeProps {
  readonly clusterArn: string;
  /** The `matrix-postres-data` volume; the task mounts nothing else. */
  readonly dataVolume: EfsVolume;
  readonly postgresPasswordParameter: string;
  readonly executionRoleArn: string;
  /** @default "17.7" */
  readonly imageTag?: string;
  /** @default "postgres-upgrade-task" */
  readonly taskFamily?: string;
  /** @default "postgres-upgrade-service" */
  readonly serviceName?: string;
  /** MiB. @default 128 */
  readonly memory?: number;
  /** A read-only root filesystem, as Matrix's postgres has it. @default false */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Log configuration of the container, e.g. the `awslogs` driver of a `ServiceLogGroup`.
   * @default - the Docker daemon's default (logs stay on the host)
   */
  readonly logConfiguration?: LogConfiguration;
}

/**
 * A lone PostgreSQL on the matrix data volume, run instead of the matrix
 * service while an operator restores a dump into a new major version.
 */
export class PostgresUpgrade extends Construct {
  constructor(scope: Construct, id: string, props: PostgresUpgradeProps) {
    super(scope, id);
    new EcsService(this, "Default", {
      clusterArn: props.clusterArn,
      serviceName: props.serviceName ?? POSTGRES_UPGRADE_DEFAULTS.serviceName,
      family: props.taskFamily ?? POSTGRES_UPGRADE_DEFAULTS.taskFamily,
      containers: [
        {
          ...postgresContainer({
            imageTag: props.imageTag ?? POSTGRES_UPGRADE_DEFAULTS.imageTag,
            memory: props.memory ?? POSTGRES_UPGRADE_DEFAULTS.memory,
            passwordParameter: props.postgresPasswordParameter,
            readOnlyRoot: props.readOnlyRootFilesystem,
          }),
          logConfiguration: props.logConfiguration,
        },
      ],
      volumes: [props.dataVolume],
      executionRoleArn: props.executionRoleArn,
    });
  }
}
