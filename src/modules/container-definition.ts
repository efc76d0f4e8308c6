/**
 * Typed ECS container definitions, rendered to the JSON that
 * `aws_ecs_task_definition.container_definitions` takes.
 */

export interface PortMapping {
  readonly containerPort: number;
  /** @default - same as `containerPort` */
  readonly hostPort?: number;
  /** @default "tcp" */
  readonly protocol?: "tcp" | "udp";
}

export interface MountPoint {
  /** Name of a volume of the task. */
  readonly sourceVolume: string;
  readonly containerPath: string;
  /** @default false */
  readonly readOnly?: boolean;
}

export interface ContainerHealthCheck {
  /** e.g. `["CMD-SHELL", "pg_isready"]` */
  readonly command: readonly string[];
  /** Seconds. @default 30 */
  readonly interval?: number;
  /** Seconds. @default 5 */
  readonly timeout?: number;
  /** @default 3 */
  readonly retries?: number;
  /** Seconds. @default 0 */
  readonly startPeriod?: number;
}

export interface ContainerDependency {
  readonly containerName: string;
  readonly condition: "START" | "COMPLETE" | "SUCCESS" | "HEALTHY";
}

export interface ContainerDefinition {
  readonly name: string;
  /** Image with its tag, e.g. `jitsi/web:stable-6865`. */
  readonly image: string;
  /**
   * Hard memory limit in MiB.
   * @default - none; then `memoryReservation` is required
   */
  readonly memory?: number;
  /**
   * Soft memory limit in MiB.
   * @default - none
   */
  readonly memoryReservation?: number;
  /** CPU units. @default 0 */
  readonly cpu?: number;
  /** @default true */
  readonly essential?: boolean;
  /** Replaces the image's entry point. @default - the image's */
  readonly entryPoint?: readonly string[];
  /** Replaces the image's command (the entry point's arguments). @default - the image's */
  readonly command?: readonly string[];
  /** @default - Docker's default */
  readonly hostname?: string;
  /** @default - none */
  readonly portMappings?: readonly PortMapping[];
  /** Legacy bridge-mode links, `name:alias`. @default - none */
  readonly links?: readonly string[];
  /** @default - none */
  readonly mountPoints?: readonly MountPoint[];
  /** Plain environment variables. Never put secrets here: use `secrets`. @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Environment variables ECS fills from SSM parameters at start, variable name to
   * parameter name or ARN. Needs a task execution role that may read them.
   * @default - none
   */
  readonly secrets?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly dependsOn?: readonly ContainerDependency[];
  /** @default - none */
  readonly healthCheck?: ContainerHealthCheck;
  /**
   * Mount the container's root filesystem read-only: what the image writes must go to a volume or a `tmpfs`.
   * @default false
   */
  readonly readonlyRootFilesystem?: boolean;
  /** In-memory filesystems for the paths a read-only image still writes, with their size in MiB. @default - none */
  readonly tmpfs?: readonly { readonly containerPath: string; readonly sizeMiB: number }[];
  /**
   * Log configuration, e.g. the `awslogs` driver.
   * @default - the Docker daemon's default (logs stay on the host)
   */
  readonly logConfiguration?: {
    readonly logDriver: string;
    readonly options?: Readonly<Record<string, string>>;
  };
}

const sortedPairs = (record: Readonly<Record<string, string>> | undefined, valueKey: "value" | "valueFrom") =>
  Object.keys(record ?? {})
    .sort()
    .map((name) => ({ name, [valueKey]: record![name] }));

/** The ECS API shape of one container, with defaults applied and lists in a stable order. */
export function toEcsContainerDefinition(container: ContainerDefinition): Record<string, unknown> {
  if (container.memory === undefined && container.memoryReservation === undefined) {
    throw new Error(
      `container "${container.name}": neither memory nor memoryReservation is set; ` +
        "ECS on EC2 needs one of them: set the memory (MiB) the container may use.",
    );
  }
  return {
    name: container.name,
    image: container.image,
    cpu: container.cpu ?? 0,
    memory: container.memory,
    memoryReservation: container.memoryReservation,
    essential: container.essential ?? true,
    // Only when set, as the legacy task definitions have neither.
    entryPoint: container.entryPoint,
    command: container.command,
    hostname: container.hostname,
    links: container.links ?? [],
    portMappings: (container.portMappings ?? []).map((mapping) => ({
      containerPort: mapping.containerPort,
      hostPort: mapping.hostPort ?? mapping.containerPort,
      protocol: mapping.protocol ?? "tcp",
    })),
    mountPoints: (container.mountPoints ?? []).map((mount) => ({
      sourceVolume: mount.sourceVolume,
      containerPath: mount.containerPath,
      readOnly: mount.readOnly ?? false,
    })),
    volumesFrom: [],
    environment: sortedPairs(container.environment, "value"),
    secrets: container.secrets ? sortedPairs(container.secrets, "valueFrom") : undefined,
    dependsOn: container.dependsOn,
    healthCheck: container.healthCheck
      ? {
          command: container.healthCheck.command,
          interval: container.healthCheck.interval ?? 30,
          timeout: container.healthCheck.timeout ?? 5,
          retries: container.healthCheck.retries ?? 3,
          startPeriod: container.healthCheck.startPeriod ?? 0,
        }
      : undefined,
    logConfiguration: container.logConfiguration,
    // Only when set: the legacy task definitions have neither, and an adoption must not add them.
    readonlyRootFilesystem: container.readonlyRootFilesystem,
    linuxParameters: container.tmpfs ? { tmpfs: container.tmpfs.map((fs) => ({ containerPath: fs.containerPath, size: fs.sizeMiB })) } : undefined,
  };
}

/** `container_definitions` of a task: JSON of every container, in the order given. */
export function renderContainerDefinitions(containers: readonly ContainerDefinition[]): string {
  const names = new Set<string>();
  for (const container of containers) {
    if (names.has(container.name)) {
      throw new Error(`container "${container.name}" is defined twice in one task; give each container its own name.`);
    }
    names.add(container.name);
  }
  return JSON.stringify(containers.map(toEcsContainerDefinition));
}
