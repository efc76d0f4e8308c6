import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ContainerDefinition } from "./container-definition";
import { EcsService, EfsVolume } from "./ecs-service";
import { LogConfiguration, withLogConfiguration } from "./service-log-group";
import { imageReference } from "./image-reference";
import { SYNAPSE_SETTINGS_DIRECTORY, SYNAPSE_SETTINGS_FILE, SYNAPSE_SETTINGS_VOLUME, SYNAPSE_SETTINGS_WRITER, synapseSettingsWriter } from "./synapse-settings";

export const MATRIX_DEFAULT_CONTAINER_MEMORY = 256;
/**
 * MiB of Synapse in a new environment: a current Synapse of a few hundred users needs more than the legacy 256 MiB
 * every container had, and a container over its hard limit is killed, mid-request or mid-migration.
 */
export const SYNAPSE_DEFAULT_MEMORY = 1024;

/** Volumes the containers mount. `matrix-postres-data` keeps the legacy spelling: it names data on EFS. */
export const MATRIX_VOLUMES = ["matrix-synapse-data", "matrix-postres-data", "matrix-element-data"] as const;
/** The volume that holds Element's files (the whole web app, config included) where Element does not serve its image's. */
export const ELEMENT_FILES_VOLUME = "matrix-element-data";
/** The volumes the matrix task's containers mount: Element's files only where they come from EFS. */
export const matrixVolumesOf = (elementFromImage: boolean): readonly string[] =>
  elementFromImage ? MATRIX_VOLUMES.filter((name) => name !== ELEMENT_FILES_VOLUME) : MATRIX_VOLUMES;

/** Synapse's HTTP port in its container, and on the host unless the environment moves it. */
export const SYNAPSE_PORT = 8008;
/** Host port of Element's HTTP port, the target of the element target group, unless the environment moves it. */
export const ELEMENT_HOST_PORT = 8080;
/** PostgreSQL's port, published on the host as the legacy task did. */
export const POSTGRES_PORT = 5432;
/** Redis's port, published on the host as the legacy task did. */
export const REDIS_PORT = 6379;

/** The database and user of the postgres container, which its image creates on first start. */
export const CONTAINER_DATABASE = { user: "synapse", database: "synapse" } as const;

export interface PostgresContainerProps {
  readonly imageTag: string;
  readonly memory: number;
  /** SSM parameter name (or ARN) of the database password. */
  readonly passwordParameter: string;
  /** A read-only root filesystem (`READ_ONLY_ROOT`). @default false */
  readonly readOnlyRoot?: boolean;
}

/**
 * What the images that run with a read-only root filesystem still write outside their volumes, as `tmpfs`: the
 * official postgres image its socket directory and temporary files (its documentation runs it `--read-only`
 * with exactly these), redis nothing but its dump under `/data`, a cache here. Synapse, Element and the Jitsi
 * images write their configuration and runtime files at start and cannot run read-only.
 */
export const READ_ONLY_ROOT = {
  postgres: [
    { containerPath: "/var/run/postgresql", sizeMiB: 16 },
    { containerPath: "/tmp", sizeMiB: 64 },
  ],
  redis: [{ containerPath: "/data", sizeMiB: 64 }],
} as const;

const readOnlyRoot = (on: boolean | undefined, paths: readonly { containerPath: string; sizeMiB: number }[]) =>
  on ? { readonlyRootFilesystem: true, tmpfs: paths } : {};

/** Synapse's PostgreSQL, also the one container of the postgres-upgrade task. */
export function postgresContainer(props: PostgresContainerProps): ContainerDefinition {
  return {
    name: "postgres",
    image: imageReference("postgres", props.imageTag),
    memory: props.memory,
    hostname: "postgres",
    portMappings: [{ containerPort: POSTGRES_PORT }],
    mountPoints: [{ sourceVolume: "matrix-postres-data", containerPath: "/var/lib/postgresql/data" }],
    environment: {
      POSTGRES_USER: CONTAINER_DATABASE.user,
      POSTGRES_DB: CONTAINER_DATABASE.database,
      // Synapse refuses a database whose collation is not C.
      POSTGRES_INITDB_ARGS: "--encoding='UTF8' --lc-collate='C' --lc-ctype='C'",
    },
    secrets: { POSTGRES_PASSWORD: props.passwordParameter },
    healthCheck: { command: ["CMD-SHELL", "pg_isready"], interval: 10, timeout: 5, retries: 5, startPeriod: 5 },
    ...readOnlyRoot(props.readOnlyRoot, READ_ONLY_ROOT.postgres),
  };
}

export interface MatrixProps {
  readonly clusterArn: string;
  readonly serviceName: string;
  readonly taskFamily: string;
  readonly imageTags: {
    readonly synapse: string;
    readonly element: string;
    readonly postgres: string;
    readonly redis: string;
  };
  /** EFS volumes named as in `MATRIX_VOLUMES`. */
  readonly volumes: readonly EfsVolume[];
  /**
   * SSM parameter name (or ARN) of the password of the postgres container, which runs only with it: without it,
   * Synapse's database is elsewhere (RDS), named in `synapseSettings`.
   * @default - no postgres container
   */
  readonly postgresPasswordParameter?: string;
  readonly executionRoleArn: string;
  readonly synapseTargetGroupArn: string;
  readonly elementTargetGroupArn: string;
  /** MiB per container. @default 256 */
  readonly containerMemory?: number;
  /** MiB of Synapse's container. @default - `containerMemory` */
  readonly synapseMemory?: number;
  /** Host port of Synapse's HTTP port. @default 8008 */
  readonly synapseHostPort?: number;
  /** Host port of Element's HTTP port. @default 8080 */
  readonly elementHostPort?: number;
  /**
   * Log configuration of every container, e.g. the `awslogs` driver of a `ServiceLogGroup`.
   * @default - the Docker daemon's default (logs stay on the host)
   */
  readonly logConfiguration?: LogConfiguration;
  /**
   * Run postgres and redis with read-only root filesystems, their writable paths as `tmpfs` (`READ_ONLY_ROOT`).
   * @default false
   */
  readonly readOnlyRootFilesystems?: boolean;
  /**
   * Settings over the operator's `homeserver.yaml` (`synapseSettings`), and the SSM parameters their secrets come from.
   * @default - Synapse reads `homeserver.yaml` alone
   */
  readonly synapseSettings?: {
    readonly settings: Readonly<Record<string, unknown>>;
    readonly secrets: Readonly<Record<string, string>>;
  };
  /**
   * Element serves the web app of its image (its configuration from the load balancer), not files on EFS.
   * @default false: the legacy task's Element, its `/app` on the `matrix-element-data` volume
   */
  readonly elementFromImage?: boolean;
  /** @default - nothing beyond references */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Where the synapse image reads its configuration, on the `matrix-synapse-data` volume. */
const SYNAPSE_CONFIG_PATH = "/data/homeserver.yaml";

/** Matrix: Synapse with its PostgreSQL and Redis, and the Element web client, in one task and service. */
export class Matrix extends Construct {
  public readonly containers: readonly ContainerDefinition[];

  constructor(scope: Construct, id: string, props: MatrixProps) {
    super(scope, id);
    const memory = props.containerMemory ?? MATRIX_DEFAULT_CONTAINER_MEMORY;
    const postgres = props.postgresPasswordParameter;
    // Links as the legacy task had them: Synapse's config names its database and cache by these host names.
    const links = postgres === undefined ? ["redis:redis"] : ["postgres:postgres", "redis:redis"];
    const synapseImage = imageReference("matrixdotorg/synapse", props.imageTags.synapse);
    const settings = props.synapseSettings;

    const containers: ContainerDefinition[] = [
      {
        name: "synapse",
        image: synapseImage,
        memory: props.synapseMemory ?? memory,
        links,
        portMappings: [{ containerPort: SYNAPSE_PORT, hostPort: props.synapseHostPort ?? SYNAPSE_PORT }],
        mountPoints: [
          { sourceVolume: "matrix-synapse-data", containerPath: "/data" },
          ...(settings ? [{ sourceVolume: SYNAPSE_SETTINGS_VOLUME, containerPath: SYNAPSE_SETTINGS_DIRECTORY, readOnly: true }] : []),
        ],
        environment: {
          SYNAPSE_CONFIG_DIR: "/data",
          SYNAPSE_CONFIG_PATH,
          TZ: "Europe/London",
        },
        // The image's start script passes what follows `run` to Synapse, which reads the files in order.
        command: settings ? ["run", "--config-path", SYNAPSE_CONFIG_PATH, "--config-path", SYNAPSE_SETTINGS_FILE] : undefined,
        dependsOn: [
          ...(postgres === undefined ? [] : [{ containerName: "postgres", condition: "START" as const }]),
          ...(settings ? [{ containerName: SYNAPSE_SETTINGS_WRITER, condition: "SUCCESS" as const }] : []),
        ],
      },
      ...(settings ? [synapseSettingsWriter({ image: synapseImage, ...settings })] : []),
      {
        name: "element",
        image: imageReference("vectorim/element-web", props.imageTags.element),
        memory,
        links,
        portMappings: [{ containerPort: 80, hostPort: props.elementHostPort ?? ELEMENT_HOST_PORT }],
        mountPoints: props.elementFromImage ? [] : [{ sourceVolume: ELEMENT_FILES_VOLUME, containerPath: "/app" }],
      },
      ...(postgres === undefined
        ? []
        : [postgresContainer({ imageTag: props.imageTags.postgres, memory, passwordParameter: postgres, readOnlyRoot: props.readOnlyRootFilesystems })]),
      {
        name: "redis",
        image: imageReference("redis", props.imageTags.redis),
        memory,
        hostname: "redis",
        portMappings: [{ containerPort: REDIS_PORT }],
        ...readOnlyRoot(props.readOnlyRootFilesystems, READ_ONLY_ROOT.redis),
      },
    ];
    this.containers = props.logConfiguration ? withLogConfiguration(containers, props.logConfiguration) : containers;

    new EcsService(this, "Default", {
      clusterArn: props.clusterArn,
      serviceName: props.serviceName,
      family: props.taskFamily,
      containers: this.containers,
      volumes: props.volumes,
      taskVolumes: settings ? [SYNAPSE_SETTINGS_VOLUME] : undefined,
      executionRoleArn: props.executionRoleArn,
      loadBalancerTargets: [
        { containerName: "element", containerPort: 80, targetGroupArn: props.elementTargetGroupArn },
        { containerName: "synapse", containerPort: SYNAPSE_PORT, targetGroupArn: props.synapseTargetGroupArn },
      ],
      dependsOn: props.dependsOn,
    });
  }
}
