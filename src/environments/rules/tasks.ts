/** The tasks: the volumes their containers mount, and what they ask of one instance (memory, host ports). */
import { JITSI_VOLUMES, JITSI_WEB_HOST_PORT } from "../../modules/jitsi";
import { ELEMENT_HOST_PORT, matrixVolumesOf, SYNAPSE_PORT } from "../../modules/matrix";
import { DEFAULT_TURN_PORTS } from "../../modules/turn";
import { coturnLayoutInput, isOn, jvbPerInstanceOf, matrixTaskShapeOf, synapseMemoryOf } from "../defaults";
import { INSTANCE_TYPE } from "../fields";
import { instanceArchitecture, instanceMemoryMiB, KNOWN_INSTANCE_TYPES, taskMemoryMiB } from "../instance-memory";
import { nestedDirectories } from "./directories";
import { ECS_MAX_RESERVED_PORTS_PER_INSTANCE, ECS_RESERVED_PORTS, HostPortUse, reservedPortsOnOneInstance, runTogether, taskLayouts } from "../task-layout";
import { q } from "./problem";
import { EnvironmentRule } from "./rule";

/** Each task has the volumes its containers mount, under distinct names, and no two volumes share a directory. */
export const volumeRules: EnvironmentRule = {
  reads: ["elementConfig", "databaseBackups"],
  check(env, { error, valid }) {
    // One file system: two volumes on one directory, or one inside the other, are two servers writing one data
    // directory (two PostgreSQL, a prosody on Synapse's files), as between environments.
    const directories = [
      ...(["jitsi.volumes", "matrix.volumes"] as const).flatMap((field) =>
        valid(field) ? (field === "jitsi.volumes" ? env.jitsi : env.matrix).volumes.map((volume, index) => ({ path: `${field}[${index}].rootDirectory`, directory: volume.rootDirectory })) : [],
      ),
      ...(isOn(env.databaseBackups) ? [{ path: "databaseBackups", directory: `/database-dumps/${env.name}` }] : []),
    ];
    directories.forEach((use, index) => {
      const other = directories.slice(0, index).find((earlier) => nestedDirectories(earlier.directory, use.directory));
      if (other === undefined || use.path === "databaseBackups") return;
      error(
        use.path,
        `${q(use.directory)} is ${use.directory.replace(/\/$/, "") === other.directory.replace(/\/$/, "") ? "the same directory as" : "nested with"} ${other.path === "databaseBackups" ? "the database dumps' directory" : other.path} (${q(other.directory)}) on the environment's file system, so two containers would write one directory; give each volume a directory of its own`,
      );
    });
    const dumps = directories.find((use) => use.path === "databaseBackups");
    const underDumps = dumps && directories.find((use) => use !== dumps && nestedDirectories(use.directory, dumps.directory));
    if (dumps && underDumps) {
      error(underDumps.path, `${q(underDumps.directory)} is nested with the database dumps' directory (${q(dumps.directory)}), where the backups write Synapse's database and keys; give the volume another directory`);
    }
    const volumeChecks = [
      ["jitsi.volumes", JITSI_VOLUMES],
      ["matrix.volumes", matrixVolumesOf(isOn(env.elementConfig))],
    ] as const;
    for (const [field, required] of volumeChecks) {
      if (!valid(field)) continue;
      const names = (field === "jitsi.volumes" ? env.jitsi : env.matrix).volumes.map((volume) => volume.name);
      const missing = required.filter((name) => !names.includes(name));
      if (missing.length > 0) {
        error(field, `has no volume ${missing.map(q).join(", ")}, which the containers mount; add it with its root directory on EFS`);
      }
      names.forEach((name, index) => {
        if (names.indexOf(name) < index) {
          error(`${field}[${index}].name`, `${q(name)} is also ${field}[${names.indexOf(name)}].name; a task's volumes need distinct names: remove or rename one`);
        }
      });
    }
  },
};

/** The ports an environment can set, with the construct's own port it replaces. */
const DEFAULT_HOST_PORTS: Readonly<Record<string, number>> = {
  "jitsi.webHostPort": JITSI_WEB_HOST_PORT,
  "matrix.synapseHostPort": SYNAPSE_PORT,
  "matrix.elementHostPort": ELEMENT_HOST_PORT,
  "turn.port": DEFAULT_TURN_PORTS.port,
};

/** The tasks ECS runs on every instance (daemon services). */
const DAEMON_TASKS: readonly string[] = ["jvb", "coturn"];

/** The tasks fit on one instance: memory within what the type offers tasks, host ports free and not reserved. */
export const instanceRules: EnvironmentRule = {
  reads: ["scaling", "capacity.minSize", "jitsi.webHostPort", "jitsi.memory", "matrix.containerMemory", "matrix.synapseMemory", "matrix.synapseHostPort", "matrix.elementHostPort", "postgresUpgrade.memory"],
  check(env, { error, warn, valid }) {
    // What the legacy deployment runs today is reported, not refused: its adoption must stay a no-op.
    const refuse = env.legacy === undefined ? error : warn;
    const layouts = taskLayouts({
      ...env,
      matrix: { ...env.matrix, synapseMemory: synapseMemoryOf(env) },
      jvbPerInstance: jvbPerInstanceOf(env.scaling),
      ...matrixTaskShapeOf(env),
      coturn: valid("turn") ? coturnLayoutInput(env.turn) : undefined,
    });
    const instanceType = valid("capacity.instanceType") ? env.capacity.instanceType : undefined;
    const givenMemory = valid("capacity.instanceMemoryMiB") ? env.capacity.instanceMemoryMiB : undefined;
    const knownMemory = instanceType === undefined ? undefined : instanceMemoryMiB(instanceType);
    if (givenMemory !== undefined && knownMemory !== undefined && givenMemory !== knownMemory) {
      error(
        "capacity.instanceMemoryMiB",
        `${givenMemory} is not the ${knownMemory} MiB of a ${instanceType}, whose memory validation knows; remove capacity.instanceMemoryMiB, which is for types it does not know`,
      );
    }
    if (instanceType !== undefined && INSTANCE_TYPE.test(instanceType) && knownMemory === undefined && env.capacity.instanceMemoryMiB === undefined) {
      // Never a silent skip: an unknown type means the tasks' memory goes unchecked, which an adopted environment may live with for now.
      (env.legacy === undefined ? error : warn)(
        "capacity.instanceType",
        `validation does not know how much memory a ${q(instanceType)} has, so it cannot tell whether the tasks fit on one instance; use a type it knows (${KNOWN_INSTANCE_TYPES}), or give the type's memory as capacity.instanceMemoryMiB`,
      );
    }
    if (instanceType !== undefined && instanceArchitecture(instanceType) === "arm64") {
      error(
        "capacity.instanceType",
        `${q(instanceType)} is a Graviton (arm64) type, but the launch template starts AWS's x86_64 ECS-optimized AMI and the pinned images are x86_64 ones, so no instance would join the cluster; choose an x86_64 type (without a g in its variant, e.g. c6a.large for c6g.large)`,
      );
    }
    const available = instanceType === undefined ? undefined : taskMemoryMiB(instanceType, givenMemory);
    if (available !== undefined) {
      const memoryOf = (layout: (typeof layouts)[number]) => layout.memory.reduce((sum, container) => sum + container.mib, 0);
      // The daemons run on every instance, beside whichever replica task lands there.
      const daemons = layouts.filter((layout) => DAEMON_TASKS.includes(layout.task));
      const daemonMemory = daemons.reduce((sum, layout) => sum + memoryOf(layout), 0);
      const daemonText = daemons.map((layout) => `the ${layout.task} daemon ${memoryOf(layout)}`).join(", ");
      for (const layout of layouts) {
        const total = memoryOf(layout);
        if (total > available) {
          error(
            layout.memoryField,
            `the ${layout.task} task's containers together reserve ${total} MiB (${layout.memory.map((c) => `${c.container} ${c.mib}`).join(", ")}), more than the ${available} MiB a ${instanceType} offers to tasks, so the task could never be placed; lower the memory or choose a larger capacity.instanceType`,
          );
        } else if (!DAEMON_TASKS.includes(layout.task) && total + daemonMemory > available) {
          refuse(
            layout.memoryField,
            `the ${layout.task} task (${total} MiB) and the daemons every instance runs (${daemonText}) together reserve ${total + daemonMemory} MiB, more than the ${available} MiB a ${instanceType} offers to tasks, so the task could never be placed; lower the memory or choose a larger capacity.instanceType`,
          );
        }
      }
      // With as few instances as the group may shrink to, every replica task must still find room somewhere.
      const instances = valid("capacity.minSize") ? Math.max(1, env.capacity.minSize) : undefined;
      const replicas = layouts.filter((layout) => !DAEMON_TASKS.includes(layout.task) && layout.task !== "postgres-upgrade");
      const replicaMemory = replicas.reduce((sum, layout) => sum + memoryOf(layout), 0);
      if (instances !== undefined && replicas.every((layout) => memoryOf(layout) + daemonMemory <= available) && replicaMemory + daemonMemory * instances > available * instances) {
        refuse(
          "capacity.minSize",
          `${instances} instance(s) of ${instanceType} offer ${available * instances} MiB to tasks, but the ${replicas.map((layout) => layout.task).join(" and ")} tasks (${replicaMemory} MiB) and the daemons on each instance (${daemonMemory * instances} MiB) need ${replicaMemory + daemonMemory * instances}, so a task would stay unplaced at the group's smallest; raise capacity.minSize, lower the memory or choose a larger capacity.instanceType`,
        );
      }
    }
    const reserved = reservedPortsOnOneInstance(layouts);
    if (reserved > ECS_MAX_RESERVED_PORTS_PER_INSTANCE) {
      const byTask = layouts.map((layout) => `${layout.task} ${layout.hostPorts.length}`).join(", ");
      error(
        layouts.some((layout) => layout.task === "coturn") ? "turn.coturn.relayPorts" : "scaling",
        `the tasks on one instance would reserve ${reserved} host ports (${byTask}, and the ${Object.keys(ECS_RESERVED_PORTS).length} ECS keeps), more than the ${ECS_MAX_RESERVED_PORTS_PER_INSTANCE} ECS allows per container instance, so a task would never be placed; narrow the relay range`,
      );
    }
    const portText = (use: HostPortUse) => `${use.port}/${use.protocol}`;
    // Only ports the environment sets can clash: the constructs' own ports are distinct by design.
    const isSet = (use: HostPortUse) => use.field !== undefined && use.port !== DEFAULT_HOST_PORTS[use.field];
    const uses = layouts.flatMap((layout) => layout.hostPorts.map((use) => ({ layout, use })));
    const position = (use: HostPortUse) => uses.findIndex((entry) => entry.use === use);
    // Of two set ports that clash, only the later one is reported.
    const reportedElsewhere = (use: HostPortUse, other: HostPortUse) => isSet(other) && position(other) > position(use);
    for (const layout of layouts) {
      for (const use of layout.hostPorts) {
        if (!isSet(use)) continue;
        const field = use.field!;
        const reserved = use.protocol === "tcp" ? ECS_RESERVED_PORTS[use.port] : undefined;
        if (reserved !== undefined) {
          error(field, `${use.port} is reserved on ECS container instances for ${reserved}, so the task would never start; pick another port`);
          continue;
        }
        const sameTask = layout.hostPorts.find((other) => other !== use && other.port === use.port && other.protocol === use.protocol);
        if (sameTask && reportedElsewhere(use, sameTask)) continue;
        if (sameTask) {
          error(
            field,
            `${portText(use)} is also the host port of the ${sameTask.container} container${sameTask.field ? ` (${sameTask.field})` : ""} in the ${layout.task} task; containers of one task need distinct host ports: pick another`,
          );
          continue;
        }
        for (const other of layouts) {
          if (other === layout || !runTogether(layout.task, other.task)) continue;
          const clash = other.hostPorts.find((candidate) => candidate.port === use.port && candidate.protocol === use.protocol);
          if (clash && !reportedElsewhere(use, clash)) {
            error(
              field,
              `${portText(use)} is also published by the ${clash.container} container of the ${other.task} task${clash.field ? ` (${clash.field})` : ""}, and both tasks run on the same instance; pick a port no other task uses`,
            );
          }
        }
      }
    }
  },
};
