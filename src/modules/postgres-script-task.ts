import { EcsTaskDefinition, EcsTaskDefinitionVolume } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Construct } from "constructs";
import { ContainerDefinition, MountPoint, renderContainerDefinitions } from "./container-definition";
import { imageReference } from "./image-reference";
import { LogConfiguration, withLogConfiguration } from "./service-log-group";

/** The database a script's `psql`, `pg_dump` or `pg_restore` connect to, through libpq's variables. */
export interface ScriptDatabase {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** `PGPASSWORD`'s source: an SSM parameter, or RDS's secret's `password` key. */
  readonly passwordFrom: string;
  readonly sslMode: "require" | "prefer";
}

export interface PostgresScriptTaskProps {
  readonly family: string;
  /** The task's one container, which `aws ecs run-task --overrides` names. */
  readonly containerName: string;
  /** Tag of the `postgres` image, whose client tools the script runs. */
  readonly imageTag: string;
  /** A shell script without `${...}`, which Terraform would read as its own interpolation. */
  readonly script: string;
  readonly database: ScriptDatabase;
  /** The script's own variables, beside libpq's. */
  readonly environment: Readonly<Record<string, string>>;
  /** The script's own secrets, beside `PGPASSWORD`, by variable: an SSM parameter or a secret's key. @default - none */
  readonly secrets?: Readonly<Record<string, string>>;
  readonly mountPoints: readonly MountPoint[];
  readonly volumes: readonly EcsTaskDefinitionVolume[];
  /** The container's root filesystem read-only, with these `tmpfs` paths (`[]`: none); undefined: writable. */
  readonly readOnlyRoot?: ContainerDefinition["tmpfs"];
  readonly executionRoleArn: string;
  /** @default - the Docker daemon's default */
  readonly logConfiguration?: LogConfiguration;
}

/**
 * A task definition without a service whose one container runs a shell script in the postgres image against a
 * database: the runbooks' one-off steps and the scheduled backup. The password comes from ECS `secrets`.
 */
export function postgresScriptTask(scope: Construct, props: PostgresScriptTaskProps): EcsTaskDefinition {
  const container: ContainerDefinition = {
    name: props.containerName,
    image: imageReference("postgres", props.imageTag),
    memory: 512,
    entryPoint: ["sh", "-c"],
    command: [props.script],
    mountPoints: props.mountPoints,
    environment: {
      PGHOST: props.database.host,
      PGPORT: String(props.database.port),
      PGUSER: props.database.user,
      PGSSLMODE: props.database.sslMode,
      ...props.environment,
    },
    secrets: { PGPASSWORD: props.database.passwordFrom, ...props.secrets },
    ...(props.readOnlyRoot === undefined ? {} : { readonlyRootFilesystem: true, ...(props.readOnlyRoot.length > 0 ? { tmpfs: props.readOnlyRoot } : {}) }),
  };
  return new EcsTaskDefinition(scope, "task_definition", {
    family: props.family,
    requiresCompatibilities: ["EC2"],
    executionRoleArn: props.executionRoleArn,
    containerDefinitions: renderContainerDefinitions(props.logConfiguration ? withLogConfiguration([container], props.logConfiguration) : [container]),
    volume: [...props.volumes],
  });
}
