/**
 * What the tasks of an environment ask of a container instance: the host
 * ports their containers publish and the memory they reserve, as the Jitsi,
 * Matrix and PostgresUpgrade constructs build them from the environment's
 * values. Validation checks these before any stack is built; a test keeps
 * this model equal to the synthesized container definitions.
 */
import { JITSI_DEFAULT_MEMORY, JITSI_WEB_TLS_HOST_PORT, JVB_MEDIA_PORT, JVB_TCP_PORT, PROSODY_XMPP_PORT } from "../modules/jitsi";
import { coturnRelayPorts } from "../modules/coturn";
import { POSTGRES_PORT, REDIS_PORT } from "../modules/matrix";
import { SYNAPSE_SETTINGS_WRITER, SYNAPSE_SETTINGS_WRITER_MEMORY } from "../modules/synapse-settings";

/** A port a container publishes on its instance. */
export interface HostPortUse {
  readonly port: number;
  readonly protocol: "tcp" | "udp";
  readonly container: string;
  /** Path of the environment field that sets the port; undefined when it is fixed by the construct. */
  readonly field?: string;
}

export interface ContainerMemory {
  readonly container: string;
  /** Hard limit or, for the JVB, soft reservation: what ECS reserves on the instance. */
  readonly mib: number;
}

export type TaskName = "jitsi" | "matrix" | "postgres-upgrade" | "jvb" | "coturn";

export interface TaskLayout {
  readonly task: TaskName;
  /** Path of the environment field that sets the memory. */
  readonly memoryField: string;
  readonly memory: readonly ContainerMemory[];
  readonly hostPorts: readonly HostPortUse[];
}

/** The values of an environment the layout depends on, as the schema resolves them. */
export interface TaskLayoutInput {
  readonly jitsi: {
    readonly webHostPort: number;
    readonly memory: Readonly<Record<keyof typeof JITSI_DEFAULT_MEMORY, number>>;
  };
  readonly matrix: {
    readonly containerMemory: number;
    readonly synapseMemory: number;
    readonly synapseHostPort: number;
    readonly elementHostPort: number;
  };
  readonly postgresUpgrade: {
    readonly memory: number;
  };
  /**
   * The JVB runs as a daemon task of its own on every instance (`scaling.jvbPerInstance`):
   * the jitsi task then publishes prosody's XMPP port instead of the JVB's.
   */
  readonly jvbPerInstance: boolean;
  /** The matrix task runs the postgres container (Synapse's database is not on RDS). */
  readonly postgresInTask: boolean;
  /** The matrix task runs the one-shot writer of Synapse's settings. */
  readonly synapseSettings: boolean;
  /** coturn runs as a daemon task on every instance (`turn.coturn`). */
  readonly coturn?: {
    readonly port: number;
    readonly relayPorts: { readonly min: number; readonly max: number };
    readonly memory: number;
  };
}

/** coturn's daemon task: its listening port over UDP and TCP, and each relay port over UDP. */
function coturnLayout(coturn: NonNullable<TaskLayoutInput["coturn"]>): TaskLayout {
  return {
    task: "coturn",
    memoryField: "turn.coturn.memory",
    memory: [{ container: "coturn", mib: coturn.memory }],
    hostPorts: [
      { port: coturn.port, protocol: "udp", container: "coturn", field: "turn.port" },
      { port: coturn.port, protocol: "tcp", container: "coturn", field: "turn.port" },
      ...coturnRelayPorts(coturn.relayPorts).map((port) => ({ port, protocol: "udp" as const, container: "coturn", field: "turn.coturn.relayPorts" })),
    ],
  };
}

/**
 * The tasks an environment can run: jitsi, matrix, postgres-upgrade and, with a JVB per
 * instance, the jvb daemon, and with coturn, its daemon. The matrix and postgres-upgrade tasks never run together.
 */
export function taskLayouts(env: TaskLayoutInput): TaskLayout[] {
  const jitsiMemory = env.jitsi.memory;
  const matrixMemory = env.matrix.containerMemory;
  const postgres = (field?: string): HostPortUse => ({ port: POSTGRES_PORT, protocol: "tcp", container: "postgres", field });
  const jvbPorts: HostPortUse[] = [
    { port: JVB_MEDIA_PORT, protocol: "udp", container: "jvb" },
    { port: JVB_TCP_PORT, protocol: "tcp", container: "jvb" },
  ];
  const daemon = env.jvbPerInstance;
  const jvbLayout: TaskLayout = {
    task: "jvb",
    memoryField: "jitsi.memory",
    memory: [{ container: "jvb", mib: jitsiMemory.jvb }],
    hostPorts: jvbPorts,
  };
  return [
    {
      task: "jitsi",
      memoryField: "jitsi.memory",
      memory: Object.entries(jitsiMemory)
        .filter(([container]) => !(daemon && container === "jvb"))
        .map(([container, mib]) => ({ container, mib })),
      hostPorts: [
        { port: env.jitsi.webHostPort, protocol: "tcp", container: "web", field: "jitsi.webHostPort" },
        { port: JITSI_WEB_TLS_HOST_PORT, protocol: "tcp", container: "web" },
        ...(daemon ? [{ port: PROSODY_XMPP_PORT, protocol: "tcp" as const, container: "prosody" }] : jvbPorts),
      ],
    },
    {
      task: "matrix",
      memoryField: "matrix.containerMemory",
      memory: [
        { container: "synapse", mib: env.matrix.synapseMemory },
        ...["element", ...(env.postgresInTask ? ["postgres"] : []), "redis"].map((container) => ({ container, mib: matrixMemory })),
        ...(env.synapseSettings ? [{ container: SYNAPSE_SETTINGS_WRITER, mib: SYNAPSE_SETTINGS_WRITER_MEMORY }] : []),
      ],
      hostPorts: [
        { port: env.matrix.synapseHostPort, protocol: "tcp", container: "synapse", field: "matrix.synapseHostPort" },
        { port: env.matrix.elementHostPort, protocol: "tcp", container: "element", field: "matrix.elementHostPort" },
        ...(env.postgresInTask ? [postgres()] : []),
        { port: REDIS_PORT, protocol: "tcp", container: "redis" },
      ],
    },
    {
      task: "postgres-upgrade",
      memoryField: "postgresUpgrade.memory",
      memory: [{ container: "postgres", mib: env.postgresUpgrade.memory }],
      hostPorts: [postgres()],
    },
    ...(daemon ? [jvbLayout] : []),
    ...(env.coturn ? [coturnLayout(env.coturn)] : []),
  ];
}

/** Whether two tasks can share an instance: all can, except the switch's two sides, which never run together. */
export function runTogether(a: TaskName, b: TaskName): boolean {
  const sides = new Set<TaskName>(["matrix", "postgres-upgrade"]);
  return !(sides.has(a) && sides.has(b));
}

/**
 * Host ports ECS reserves on one container instance at most, its own default reserved ports included: a task whose
 * static host ports would pass it is never placed there (ECS Developer Guide, "Amazon ECS service quotas",
 * "Reserved ports per container instance"; docs/aws-wiring.md). Read 2026-12-07.
 */
export const ECS_MAX_RESERVED_PORTS_PER_INSTANCE = 100;

/**
 * The static host ports of the tasks that can run on one instance at once, the instance's reserved ports
 * included, at the worst placement: every daemon, every replica task, and the larger side of the switch.
 */
export function reservedPortsOnOneInstance(layouts: readonly TaskLayout[]): number {
  const count = (tasks: readonly TaskLayout[]) => tasks.reduce((sum, layout) => sum + layout.hostPorts.length, Object.keys(ECS_RESERVED_PORTS).length);
  const placements = layouts.map((layout) => layouts.filter((other) => other === layout || runTogether(layout.task, other.task)));
  return Math.max(...placements.map(count));
}

/**
 * Ports an ECS container instance keeps for itself (the agent's
 * `ECS_RESERVED_PORTS` default): a task publishing one never starts.
 */
export const ECS_RESERVED_PORTS: Readonly<Record<number, string>> = {
  22: "SSH",
  2375: "the Docker API",
  2376: "the Docker API over TLS",
  51678: "the ECS agent's introspection API",
  51679: "the ECS agent's credentials endpoint",
};
