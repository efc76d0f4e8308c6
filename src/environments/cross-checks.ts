/**
 * Rules of an environment that relate several fields: subnets against each
 * other and the VPC, zones against the region, hosts against the zone,
 * priorities, sizes, names that must differ, what the tasks ask of an
 * instance, the operations options (logs, alarms, scaling, the JVB per
 * instance, backups, the launch template) and the settings the security
 * baseline only allows with a waiver.
 *
 * They read the raw input defensively, so that they can run even when some
 * field has the wrong type (the schema reports that one); a value they cannot
 * read is skipped, never guessed.
 */
import {
  ANYWHERE_CIDRS,
  BASELINE_RULES,
  isCurrentTlsPolicy,
  isFloatingImageTag,
  RECOMMENDED_TLS_POLICY,
  WaivableRuleId,
} from "../baseline-rules";
import { ScalingMode } from "../modules/autoscaling-capacity";
import { JITSI_VOLUMES } from "../modules/jitsi";
import { JVB_DAEMON_FIXED_VARIABLES, JVB_DAEMON_OWN_VARIABLES } from "../modules/jvb-daemon";
import { MATRIX_VOLUMES } from "../modules/matrix";
import { POSTGRES_UPGRADE_DEFAULTS } from "../modules/postgres-upgrade";
import { DEFAULT_RULE_PRIORITIES, OPERATIONS_DEFAULTS, operationsNames, runsJvbPerInstance, SWITCHED_OPTIONS, SwitchedOption } from "./defaults";
import { instanceMemoryMiB, KNOWN_INSTANCE_TYPES, taskMemoryMiB } from "./instance-memory";
import { AVAILABILITY_ZONE, CERTIFICATE_ARN, dnsNameProblem, INSTANCE_TYPE, parseIpv4Cidr, REGION } from "./schema";
import { ECS_RESERVED_PORTS, HostPortUse, runTogether, taskLayouts } from "./task-layout";

/** One problem of an environment: the field's path and "what is wrong; how to fix it". */
export interface EnvironmentProblem {
  readonly path: string;
  readonly message: string;
}

export interface CrossCheckResult {
  readonly errors: EnvironmentProblem[];
  readonly warnings: EnvironmentProblem[];
}

type Loose = Readonly<Record<string, unknown>>;

const q = (value: unknown) => JSON.stringify(value);
const obj = (value: unknown): Loose => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Loose) : {});
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const int = (value: unknown): number | undefined => (typeof value === "number" && Number.isInteger(value) ? value : undefined);
const bool = (value: unknown): boolean | undefined => (typeof value === "boolean" ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

/** What the adoption of a legacy environment would do with an operations option left out, and so on. */
const SWITCHED_ON_BY_DEFAULT: Readonly<Record<SwitchedOption, string>> = {
  logs: "replace the task definitions to send the logs to new log groups",
  alarms: "create an SNS topic and alarms",
  scaling: "change the Auto Scaling group, add a capacity provider and move the JVB out of the jitsi task",
  backups: "create a backup plan",
};

/** Path of a waiver; rule ids have hyphens, so bracket notation. */
export const waiverPath = (rule: WaivableRuleId) => `waivers[${q(rule)}]`;

/** The fields of the environment that break a waivable rule, or count as needing a waiver for it. */
type Breaches = Map<WaivableRuleId, EnvironmentProblem[]>;

export function crossCheck(input: unknown): CrossCheckResult {
  const errors: EnvironmentProblem[] = [];
  const warnings: EnvironmentProblem[] = [];
  const error = (path: string, message: string) => errors.push({ path, message });
  const breaches: Breaches = new Map();
  const breach = (rule: WaivableRuleId, path: string, message: string) =>
    breaches.set(rule, [...(breaches.get(rule) ?? []), { path, message }]);

  const env = obj(input);
  const region = str(env.region);
  const validRegion = region !== undefined && REGION.test(region) ? region : undefined;

  // --- Network ------------------------------------------------------------------------------
  const network = obj(env.network);
  const subnets = arr(network.subnets).map((raw, index) => {
    const subnet = obj(raw);
    const cidr = str(subnet.cidrBlock);
    const parsed = cidr === undefined ? undefined : parseIpv4Cidr(cidr);
    return { index, cidr, parsed: typeof parsed === "object" ? parsed : undefined, zone: str(subnet.availabilityZone) };
  });
  if (Array.isArray(network.subnets) && subnets.length < 2) {
    error(
      "network.subnets",
      `has ${subnets.length} subnet(s); the load balancer needs subnets in at least two availability zones: add one per zone`,
    );
  }
  subnets.forEach((subnet, j) => {
    if (!subnet.parsed) return;
    for (const other of subnets.slice(0, j)) {
      if (!other.parsed) continue;
      const overlap =
        subnet.parsed.address.match(other.parsed.address, other.parsed.prefix) ||
        other.parsed.address.match(subnet.parsed.address, subnet.parsed.prefix);
      if (overlap) {
        error(
          `network.subnets[${subnet.index}].cidrBlock`,
          `${q(subnet.cidr)} overlaps network.subnets[${other.index}].cidrBlock ${q(other.cidr)}; give each subnet a range of its own`,
        );
      }
    }
  });
  const vpcCidr = str(network.vpcCidrBlock);
  const vpc = vpcCidr === undefined ? undefined : parseIpv4Cidr(vpcCidr);
  if (typeof vpc === "object") {
    for (const subnet of subnets) {
      if (subnet.parsed && !(subnet.parsed.prefix >= vpc.prefix && subnet.parsed.address.match(vpc.address, vpc.prefix))) {
        error(
          `network.subnets[${subnet.index}].cidrBlock`,
          `${q(subnet.cidr)} is outside network.vpcCidrBlock ${q(vpcCidr)}; pick a range inside the VPC's`,
        );
      }
    }
  }
  const zonesSeen = new Map<string, number>();
  const usedLetters = new Set(subnets.map((s) => s.zone?.slice(-1)));
  const freeZone = validRegion ? `${validRegion}${"abcdef".split("").find((l) => !usedLetters.has(l)) ?? "a"}` : "another zone";
  for (const subnet of subnets) {
    const zone = subnet.zone;
    const match = zone === undefined ? null : AVAILABILITY_ZONE.exec(zone);
    if (!match) continue;
    const path = `network.subnets[${subnet.index}].availabilityZone`;
    if (validRegion !== undefined && match[1] !== validRegion) {
      error(path, `${q(zone)} is not in the environment's region ${q(validRegion)}; use a zone of that region, e.g. ${q(`${validRegion}a`)}`);
      continue;
    }
    const first = zonesSeen.get(zone!);
    if (first !== undefined) {
      error(
        path,
        `${q(zone)} is already the zone of network.subnets[${first}]; an ALB takes one subnet per zone and needs two zones: put this subnet in another zone, e.g. ${q(freeZone)}`,
      );
    } else {
      zonesSeen.set(zone!, subnet.index);
    }
  }

  // --- Certificate ----------------------------------------------------------------------------
  const loadBalancer = obj(env.loadBalancer);
  const certificate = str(loadBalancer.certificateArn);
  const certificateParts = certificate === undefined ? null : CERTIFICATE_ARN.exec(certificate);
  if (certificateParts && validRegion !== undefined && certificateParts[2] !== validRegion) {
    error(
      "loadBalancer.certificateArn",
      `the certificate is in ${certificateParts[2]}, but a load balancer in ${validRegion} can only use a certificate of its own region; request or import it in ${validRegion}`,
    );
  }
  const accountId = str(env.accountId);
  if (certificateParts && accountId !== undefined && /^\d{12}$/.test(accountId) && certificateParts[3] !== accountId) {
    error(
      "loadBalancer.certificateArn",
      `the certificate belongs to account ${certificateParts[3]}, not to the environment's account ${accountId}; use a certificate of account ${accountId}`,
    );
  }

  // --- DNS ----------------------------------------------------------------------------------
  const dns = obj(env.dns);
  const hosts = Object.entries(obj(dns.hosts))
    .map(([key, value]) => ({ key, host: str(value) }))
    .filter((entry): entry is { key: string; host: string } => entry.host !== undefined && dnsNameProblem(entry.host) === undefined);
  const zoneName = str(dns.hostedZoneName);
  if (zoneName !== undefined && dnsNameProblem(zoneName) === undefined) {
    for (const { key, host } of hosts) {
      if (host === zoneName) {
        error(`dns.hosts.${key}`, `${q(host)} is the zone's apex, where a CNAME record is not allowed; use a name inside it, e.g. ${q(`${key}.${zoneName}`)}`);
      } else if (!host.endsWith(`.${zoneName}`)) {
        error(`dns.hosts.${key}`, `${q(host)} is not inside the hosted zone ${q(zoneName)}; use a name ending in ".${zoneName}", or the zone that holds it`);
      }
    }
  }
  hosts.forEach(({ key, host }, index) => {
    const first = hosts.slice(0, index).find((other) => other.host === host);
    if (first) {
      error(`dns.hosts.${key}`, `${q(host)} is also dns.hosts.${first.key}; each service needs a host name of its own (two records cannot share a name)`);
    }
  });

  // --- Listener rule priorities ---------------------------------------------------------------
  const priorities = obj(loadBalancer.rulePriorities);
  const effectivePriorities = (Object.keys(DEFAULT_RULE_PRIORITIES) as (keyof typeof DEFAULT_RULE_PRIORITIES)[]).map((rule) => ({
    rule,
    priority: int(priorities[rule]) ?? (priorities[rule] === undefined ? DEFAULT_RULE_PRIORITIES[rule] : undefined),
    set: priorities[rule] !== undefined,
  }));
  effectivePriorities.forEach((entry, index) => {
    const clash = effectivePriorities.slice(0, index).find((other) => other.priority !== undefined && other.priority === entry.priority);
    if (clash) {
      const [path, other] = entry.set || !clash.set ? [entry, clash] : [clash, entry];
      error(
        `loadBalancer.rulePriorities.${path.rule}`,
        `${path.priority} is also the priority of the ${other.rule} rule; listener rule priorities must be unique on the listener: pick another, e.g. ${Math.max(...effectivePriorities.map((e) => e.priority ?? 0)) + 1}`,
      );
    }
  });

  // --- Autoscaling sizes ----------------------------------------------------------------------
  const capacity = obj(env.capacity);
  const [desired, min, max] = [int(capacity.desiredCapacity), int(capacity.minSize), int(capacity.maxSize)];
  if (min !== undefined && desired !== undefined && min > desired) {
    error("capacity.minSize", `${min} is more than capacity.desiredCapacity (${desired}); the group needs minSize <= desiredCapacity <= maxSize: lower minSize or raise desiredCapacity`);
  }
  if (desired !== undefined && max !== undefined && desired > max) {
    error("capacity.desiredCapacity", `${desired} is more than capacity.maxSize (${max}); the group needs minSize <= desiredCapacity <= maxSize: lower desiredCapacity or raise maxSize`);
  }
  if (max === 0) {
    error("capacity.maxSize", "0 leaves no instance to run the services; set it to 1 or more");
  }

  // --- The JVB per instance (scaling.jvbPerInstance) -------------------------------------------
  const scaling = obj(env.scaling);
  const scalingMode = str(scaling.mode) ?? OPERATIONS_DEFAULTS.scalingMode;
  const jvbPerInstance = runsJvbPerInstance({
    enabled: bool(scaling.enabled),
    mode: scalingMode as ScalingMode,
    jvbPerInstance: bool(scaling.jvbPerInstance),
  });
  const environmentName = str(env.name) ?? "";
  const derivedNames = operationsNames(environmentName);
  const xmppName = jvbPerInstance ? (str(scaling.xmppLoadBalancerName) ?? derivedNames.xmppLoadBalancer) : undefined;
  const xmppPath = "scaling.xmppLoadBalancerName";
  if (jvbPerInstance && scaling.xmppLoadBalancerName === undefined && xmppName!.length > 32) {
    error(
      xmppPath,
      `is not set, and the default ${q(xmppName)} ("jitsi-xmpp-" + the environment's name) has ${xmppName!.length} characters, more than the 32 of a load balancer name; set a shorter name, e.g. ${q(`xmpp-${environmentName}`.slice(0, 32).replace(/-+$/, ""))}`,
    );
  }
  const daemonEntry = (path: string, value: string | undefined) => (value === undefined ? [] : [{ path, value }]);

  // --- Names that must differ -----------------------------------------------------------------
  const distinct = (what: string, entries: { path: string; value: unknown }[], why: string) => {
    const seen = new Map<string, string>();
    for (const { path, value } of entries) {
      const text = str(value);
      if (text === undefined) continue;
      const first = seen.get(text);
      if (first !== undefined) error(path, `${q(text)} is also ${first}; ${why}: give each ${what} its own name`);
      else seen.set(text, path);
    }
  };
  const targetGroups = obj(loadBalancer.targetGroupNames);
  distinct(
    "target group",
    [
      ...["jitsi", "element", "synapse"].map((key) => ({ path: `loadBalancer.targetGroupNames.${key}`, value: targetGroups[key] })),
      ...daemonEntry(`${xmppPath} (also its target group's name)`, xmppName),
    ],
    "target group names are unique in a region",
  );
  distinct(
    "load balancer",
    [{ path: "loadBalancer.name", value: loadBalancer.name }, ...daemonEntry(xmppPath, xmppName)],
    "load balancer names are unique in a region",
  );
  const groups = obj(env.securityGroups);
  distinct(
    "security group",
    [
      ...["loadBalancer", "instances", "efs"].map((key) => ({ path: `securityGroups.${key}.name`, value: obj(groups[key]).name })),
      ...daemonEntry(`${xmppPath} + "-sg" (its security group)`, xmppName === undefined ? undefined : `${xmppName}-sg`),
    ],
    "security group names are unique in a VPC",
  );
  const jitsi = obj(env.jitsi);
  const matrix = obj(env.matrix);
  const upgrade = obj(env.postgresUpgrade);
  distinct(
    "service",
    [
      ...daemonEntry(`the JVB daemon's service name (jvb-service-<environment name>)`, jvbPerInstance ? derivedNames.jvbService : undefined),
      { path: "jitsi.serviceName", value: jitsi.serviceName },
      { path: "matrix.serviceName", value: matrix.serviceName },
      { path: "postgresUpgrade.serviceName", value: upgrade.serviceName ?? POSTGRES_UPGRADE_DEFAULTS.serviceName },
    ],
    "service names are unique in a cluster",
  );
  distinct(
    "task definition family",
    [
      ...daemonEntry(`the JVB daemon's task family (jvb-task-<environment name>)`, jvbPerInstance ? derivedNames.jvbTaskFamily : undefined),
      { path: "jitsi.taskFamily", value: jitsi.taskFamily },
      { path: "matrix.taskFamily", value: matrix.taskFamily },
      { path: "postgresUpgrade.taskFamily", value: upgrade.taskFamily ?? POSTGRES_UPGRADE_DEFAULTS.taskFamily },
    ],
    "each task needs a family of its own, or one task's revisions replace the other's",
  );
  const iam = obj(env.iam);
  const clusterName = str(obj(env.cluster).name);
  const executionRole = str(iam.taskExecutionRoleName) ?? (clusterName === undefined ? undefined : `${clusterName}-task-execution`);
  if (iam.taskExecutionRoleName === undefined && executionRole !== undefined && executionRole.length > 64) {
    error(
      "iam.taskExecutionRoleName",
      `is not set, and the default ${q(executionRole)} (cluster name + "-task-execution") has ${executionRole.length} characters, more than the 64 of an IAM role name; set a shorter name`,
    );
  }
  if (executionRole !== undefined && executionRole === str(iam.instanceRoleName)) {
    const [path, other] =
      iam.taskExecutionRoleName === undefined
        ? ["iam.instanceRoleName", "the default task execution role name (cluster name + \"-task-execution\")"]
        : ["iam.taskExecutionRoleName", "iam.instanceRoleName"];
    error(path, `${q(executionRole)} is also ${other}; the instances' role and the task execution role are different roles: give each its own name`);
  }

  // --- Volumes --------------------------------------------------------------------------------
  const volumeChecks: [string, Loose, readonly string[]][] = [
    ["jitsi.volumes", jitsi, JITSI_VOLUMES],
    ["matrix.volumes", matrix, MATRIX_VOLUMES],
  ];
  for (const [field, section, required] of volumeChecks) {
    if (!Array.isArray(section.volumes)) continue;
    const names = section.volumes.map((volume) => str(obj(volume).name));
    const missing = required.filter((name) => !names.includes(name));
    if (missing.length > 0) {
      error(field, `has no volume ${missing.map(q).join(", ")}, which the containers mount; add it with its root directory on EFS`);
    }
    names.forEach((name, index) => {
      if (name !== undefined && names.indexOf(name) < index) {
        error(`${field}[${index}].name`, `${q(name)} is also ${field}[${names.indexOf(name)}].name; a task's volumes need distinct names: remove or rename one`);
      }
    });
    section.volumes.forEach((volume, index) => {
      if (obj(volume).transitEncryption === false) {
        breach("efs-transit-encryption", `${field}[${index}].transitEncryption`, "false sends NFS traffic in clear text");
      }
    });
  }

  // --- What the tasks ask of one instance ------------------------------------------------------
  const jitsiMemory = obj(jitsi.memory);
  const layouts = taskLayouts({
    jitsi: {
      webHostPort: int(jitsi.webHostPort),
      memory: Object.fromEntries(
        Object.entries(jitsiMemory).filter((entry): entry is [string, number] => int(entry[1]) !== undefined),
      ),
    },
    matrix: {
      containerMemory: int(matrix.containerMemory),
      synapseHostPort: int(matrix.synapseHostPort),
      elementHostPort: int(matrix.elementHostPort),
    },
    postgresUpgrade: { memory: int(upgrade.memory) },
    jvbPerInstance,
  });
  const instanceType = str(capacity.instanceType);
  const givenMemory = int(capacity.instanceMemoryMiB);
  const knownMemory = instanceType === undefined ? undefined : instanceMemoryMiB(instanceType);
  if (givenMemory !== undefined && knownMemory !== undefined && givenMemory !== knownMemory) {
    error(
      "capacity.instanceMemoryMiB",
      `${givenMemory} is not the ${knownMemory} MiB of a ${instanceType}, whose memory validation knows; remove capacity.instanceMemoryMiB, which is for types it does not know`,
    );
  }
  if (instanceType !== undefined && INSTANCE_TYPE.test(instanceType) && knownMemory === undefined && capacity.instanceMemoryMiB === undefined) {
    // Never a silent skip: an unknown type means the tasks' memory goes unchecked, which an adopted environment may live with for now.
    (env.legacy === undefined ? errors : warnings).push({
      path: "capacity.instanceType",
      message: `validation does not know how much memory a ${q(instanceType)} has, so it cannot tell whether the tasks fit on one instance; use a type it knows (${KNOWN_INSTANCE_TYPES}), or give the type's memory as capacity.instanceMemoryMiB`,
    });
  }
  const available = instanceType === undefined ? undefined : taskMemoryMiB(instanceType, givenMemory);
  if (available !== undefined) {
    for (const layout of layouts) {
      const total = layout.memory.reduce((sum, container) => sum + container.mib, 0);
      if (total > available) {
        error(
          layout.memoryField,
          `the ${layout.task} task's containers together reserve ${total} MiB (${layout.memory.map((c) => `${c.container} ${c.mib}`).join(", ")}), more than the ${available} MiB a ${instanceType} offers to tasks, so the task could never be placed; lower the memory or choose a larger capacity.instanceType`,
        );
      }
    }
  }
  const portText = (use: HostPortUse) => `${use.port}/${use.protocol}`;
  // Only ports the environment sets can clash: the constructs' own ports are distinct by design.
  const isSet = (use: HostPortUse) => use.field !== undefined && obj(env[use.field.split(".")[0]])[use.field.split(".")[1]] !== undefined;
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

  // --- Operations options ---------------------------------------------------------------------
  const isOn = (option: SwitchedOption) => bool(obj(env[option]).enabled) ?? true;
  if (env.legacy !== undefined) {
    // Left out, an option is on: a legacy environment must decide, or its adoption would change what runs.
    for (const option of SWITCHED_OPTIONS) {
      if (obj(env[option]).enabled === undefined) {
        error(
          `${option}.enabled`,
          `is not set, and the environment has a legacy block: left out, ${option} is on and the adoption would ${SWITCHED_ON_BY_DEFAULT[option]}; set ${option}: { enabled: false } to keep the adoption a no-op, and switch it on later (docs/operations-options.md)`,
        );
      }
    }
    if (obj(env.alarms).containerInsights === undefined) {
      error(
        "alarms.containerInsights",
        "is not set, and the environment has a legacy block: left out, it is true and the adoption would turn on Container Insights on the cluster (an update of the cluster, and a CloudWatch bill); set alarms: { ..., containerInsights: false } to keep the adoption a no-op, and switch it on later (docs/operations-options.md)",
      );
    }
    if (capacity.launchTemplate === undefined) {
      error(
        "capacity.launchTemplate",
        "is not set, and the environment has a legacy block: left out, it is true and the adoption would destroy the legacy launch configuration; set launchTemplate: false to keep the adoption a no-op, and switch as docs/launch-template-switch.md says",
      );
    }
  }

  const alarms = obj(env.alarms);
  if (isOn("alarms") && (alarms.emailAddresses === undefined || (Array.isArray(alarms.emailAddresses) && alarms.emailAddresses.length === 0))) {
    error(
      "alarms.emailAddresses",
      `${alarms.emailAddresses === undefined ? "is not set" : "is empty"} while alarms are on (alarms.enabled, default true), so every alarm would tell nobody; add the operators' addresses, e.g. ["ops@example.org"], or set alarms.enabled: false`,
    );
  }

  if (scaling.jvbPerInstance === true && scalingMode === "ecs-managed") {
    error(
      "scaling.jvbPerInstance",
      'true with scaling.mode "ecs-managed": ECS managed scaling does not scale out for daemon tasks, so the JVBs would never get more instances; use mode "cpu" (the default), or set jvbPerInstance: false',
    );
  }
  if (scalingMode === "ecs-managed") {
    for (const field of ["scaleOutCpuPercent", "scaleInCpuPercent"]) {
      if (scaling[field] !== undefined) {
        error(`scaling.${field}`, `applies to mode "cpu" only, and scaling.mode is "ecs-managed", whose own target tracking sizes the group; remove it, or use mode "cpu"`);
      }
    }
  } else if (scaling.targetCapacityPercent !== undefined) {
    error("scaling.targetCapacityPercent", `applies to mode "ecs-managed" only, and scaling.mode is ${q(scalingMode)}; remove it, or set mode "ecs-managed"`);
  }
  if (scalingMode === "cpu") {
    const scaleOut = num(scaling.scaleOutCpuPercent) ?? OPERATIONS_DEFAULTS.scaleOutCpuPercent;
    const scaleIn = num(scaling.scaleInCpuPercent) ?? OPERATIONS_DEFAULTS.scaleInCpuPercent;
    if (scaleIn >= scaleOut) {
      error(
        scaling.scaleInCpuPercent !== undefined ? "scaling.scaleInCpuPercent" : "scaling.scaleOutCpuPercent",
        `${scaling.scaleInCpuPercent !== undefined ? scaleIn : scaleOut} leaves no gap: scale-in at ${scaleIn} % is not below scale-out at ${scaleOut} %, so the group would scale in and out in turn; keep scaleInCpuPercent well below scaleOutCpuPercent, e.g. 25 and 75`,
      );
    }
  }
  const groupName = str(capacity.autoScalingGroupName);
  if (isOn("scaling") && groupName !== undefined && /^(aws|ecs|fargate)/i.test(groupName)) {
    error(
      "capacity.autoScalingGroupName",
      `${q(groupName)} starts with "${/^(aws|ecs|fargate)/i.exec(groupName)![1]}", which AWS reserves in capacity provider names, and scaling names the capacity provider after the group; rename the group, or set scaling.enabled: false`,
    );
  }
  if (jvbPerInstance) {
    const why = "with a JVB per instance (scaling.jvbPerInstance, by default on with CPU scaling)";
    if (jitsi.jvbAdvertiseAddress !== undefined) {
      error(
        "jitsi.jvbAdvertiseAddress",
        `is set, but ${why} each JVB advertises its own instance's public address, found at start; remove it, or set scaling.jvbPerInstance: false to keep one JVB at this address`,
      );
    }
    for (const name of Object.keys(obj(obj(jitsi.environment).jvb))) {
      if (JVB_DAEMON_OWN_VARIABLES.includes(name)) {
        error(
          `jitsi.environment.jvb.${name}`,
          `is set, but ${why} the JVB daemon sets it itself (its instance's address, fixed host ports, the XMPP load balancer); remove it`,
        );
      }
      const fixed = JVB_DAEMON_FIXED_VARIABLES[name];
      const value = obj(obj(jitsi.environment).jvb)[name];
      if (fixed !== undefined && value !== fixed) {
        error(
          `jitsi.environment.jvb.${name}`,
          `${JSON.stringify(value)} cannot work ${why}: the web container's websocket proxy reaches only a bridge in its own task, so the daemon sets ${JSON.stringify(fixed)} itself; remove it`,
        );
      }
    }
    // The web container must not offer clients the bridge websocket either: its proxy would point at a jvb it no longer has.
    for (const [name, fixed] of Object.entries(JVB_DAEMON_FIXED_VARIABLES)) {
      const value = obj(obj(jitsi.environment).web)[name];
      if (value !== undefined && value !== fixed) {
        error(
          `jitsi.environment.web.${name}`,
          `${JSON.stringify(value)} cannot work ${why}: the web container would proxy the bridge websocket to a jvb in its own task, which has none; the jitsi task sets ${JSON.stringify(fixed)} itself, remove it`,
        );
      }
    }
  }

  const launchTemplate = bool(capacity.launchTemplate) ?? OPERATIONS_DEFAULTS.launchTemplate;
  const requireImdsv2 = bool(capacity.requireImdsv2);
  if (launchTemplate && requireImdsv2 === false) {
    error(
      "capacity.requireImdsv2",
      "false with a launch template (capacity.launchTemplate, default true), which always requires IMDSv2; remove requireImdsv2 and the imdsv2-required waiver, or set launchTemplate: false to keep a legacy launch configuration",
    );
  }
  if (!launchTemplate && requireImdsv2 !== false) {
    error(
      "capacity.launchTemplate",
      `false with capacity.requireImdsv2 ${requireImdsv2 === undefined ? "true (its default)" : "true"}: a launch configuration is kept only as a legacy environment has it, and adding IMDSv2 to it replaces it; set launchTemplate: true (a launch template always requires IMDSv2), or requireImdsv2: false with the imdsv2-required waiver to keep the legacy launch configuration unchanged`,
    );
  }
  if (!launchTemplate && capacity.imageId === undefined) {
    error(
      "capacity.imageId",
      "is not set, and a launch configuration (capacity.launchTemplate: false) needs an AMI; give the AMI ID, or set launchTemplate: true for the ECS-optimized AMI that AWS names at each launch",
    );
  }

  // --- Settings the security baseline allows only with a waiver --------------------------------
  const legacy = obj(env.legacy);
  arr(legacy.sshIngressCidrs).forEach((cidr, index) => {
    if (typeof cidr === "string" && ANYWHERE_CIDRS.includes(cidr)) {
      breach("admin-ports-closed", `legacy.sshIngressCidrs[${index}]`, `${q(cidr)} opens SSH to the whole internet`);
    }
  });
  if (legacy.loadBalancerUdpMediaIngress === true) {
    breach("no-udp-to-load-balancer", "legacy.loadBalancerUdpMediaIngress", "true opens UDP on the load balancer's group, which an ALB cannot carry");
  }
  if (legacy.untaggedAutoScalingGroup === true) {
    breach(
      "autoscaling-tags",
      "legacy.untaggedAutoScalingGroup",
      "true leaves the Auto Scaling group without the environment's tags, and so its instances (the provider's default_tags reach neither)",
    );
  }
  const sslPolicy = str(loadBalancer.sslPolicy);
  if (sslPolicy !== undefined && !isCurrentTlsPolicy(sslPolicy)) {
    breach("current-tls-policy", "loadBalancer.sslPolicy", `${q(sslPolicy)} is not a current TLS policy (TLS 1.3 with TLS 1.2 at least); use ${q(RECOMMENDED_TLS_POLICY)}`);
  }
  if (bool(capacity.requireImdsv2) === false) {
    breach("imdsv2-required", "capacity.requireImdsv2", "false lets the instances answer IMDSv1");
  }
  if ((bool(env.production) ?? true) && bool(loadBalancer.deletionProtection) === false) {
    breach(
      "production-deletion-protection",
      "loadBalancer.deletionProtection",
      "false leaves a production load balancer unprotected from deletion (production is true unless the environment sets production: false)",
    );
  }
  const imageTags: [string, unknown][] = [
    ["jitsi.imageTag", jitsi.imageTag],
    ...Object.entries(obj(matrix.imageTags)).map(([key, tag]): [string, unknown] => [`matrix.imageTags.${key}`, tag]),
    ["postgresUpgrade.imageTag", upgrade.imageTag],
  ];
  for (const [path, tag] of imageTags) {
    if (typeof tag === "string" && isFloatingImageTag(tag)) {
      breach("pinned-image-tags", path, `${q(tag)} runs whatever was pushed last, so a restart can change the version`);
    }
  }

  const waivers = obj(env.waivers);
  // Waivers are for settings an adopted deployment keeps; a new environment starts on the secure ones.
  const mayWaive = env.legacy !== undefined;
  if (!mayWaive) {
    for (const rule of Object.keys(waivers)) {
      error(
        waiverPath(rule as WaivableRuleId),
        "is a waiver in an environment without a legacy block: a new environment gets no waivers, since waivers only keep the settings of an adopted legacy deployment; remove the waiver and change the setting it excuses",
      );
    }
  }
  for (const [rule, problems] of breaches) {
    const waived = mayWaive && typeof waivers[rule] === "string";
    for (const problem of problems) {
      if (rule === "pinned-image-tags") {
        // A legacy environment keeps running; a new one must not start on a moving tag.
        const target = waived ? warnings : errors;
        target.push({
          path: problem.path,
          message: `${problem.message}${waived ? ` (waived: ${rule})` : ""}; pin a version tag${waived || !mayWaive ? "" : `, or add ${waiverPath(rule)} with the reason the environment keeps it`}`,
        });
      } else if (!waived) {
        error(
          problem.path,
          `${problem.message}, which the security baseline forbids (${rule}: ${BASELINE_RULES[rule].title}); ${mayWaive ? `change it, or add ${waiverPath(rule)} with the reason the environment keeps it` : "change it (a new environment gets no waivers)"}`,
        );
      }
    }
  }
  for (const rule of Object.keys(waivers)) {
    if (rule in BASELINE_RULES && BASELINE_RULES[rule as WaivableRuleId].waivable && !breaches.has(rule as WaivableRuleId)) {
      error(waiverPath(rule as WaivableRuleId), `nothing in this environment breaks ${rule}, so there is nothing to waive; remove the waiver`);
    }
  }

  return { errors, warnings };
}

/** An IPv4 range contains another: used by cross-environment checks. */
export function cidrsOverlap(a: string, b: string): boolean {
  const [x, y] = [parseIpv4Cidr(a), parseIpv4Cidr(b)];
  if (typeof x === "string" || typeof y === "string") return false;
  return x.address.match(y.address, y.prefix) || y.address.match(x.address, x.prefix);
}
