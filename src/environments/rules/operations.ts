/** The group's sizes and the operations options (logs, alarms, scaling, the JVB per instance, backups, the launch template) against each other and a legacy block. */
import { JVB_DAEMON_FIXED_VARIABLES, JVB_DAEMON_OWN_VARIABLES } from "../../modules/jvb-daemon";
import { cpuThresholdsOf, isOn, jvbPerInstanceOf, launchTemplateOf, SWITCHED_OPTIONS, SwitchedOption } from "../defaults";
import { q } from "./problem";
import { EnvironmentRule } from "./rule";

/** What the adoption of a legacy environment would do with an operations option left out, and so on. */
const SWITCHED_ON_BY_DEFAULT: Readonly<Record<SwitchedOption, string>> = {
  logs: "replace the task definitions to send the logs to new log groups",
  alarms: "create an SNS topic and alarms",
  scaling: "change the Auto Scaling group, add a capacity provider and move the JVB out of the jitsi task",
  backups: "create a backup plan",
  encryptionKey: "create a KMS key and write every password parameter anew under it, each with a new value",
  accessLogs: "create a log bucket and switch the load balancer's access logs on",
  circuitBreakers: "update every ECS service in place to add the deployment circuit breaker",
  wellKnown: "add listener rules that answer Matrix's .well-known documents",
  synapseAdminBlock: "add a listener rule that refuses /_synapse/admin",
  elementConfig: "add a listener rule that answers Element's config.json, and serve Element from its image instead of EFS",
  rds: "create an RDS instance for Synapse's database",
  databaseBackups: "create a scheduled task that dumps Synapse's database",
};

/** minSize <= desiredCapacity <= maxSize, and room for at least one instance. */
export const capacitySizeRules: EnvironmentRule = {
  reads: [],
  check(env, { error, valid }) {
    const size = (field: "desiredCapacity" | "minSize" | "maxSize") => (valid(`capacity.${field}`) ? env.capacity[field] : undefined);
    const [desired, min, max] = [size("desiredCapacity"), size("minSize"), size("maxSize")];
    if (min !== undefined && desired !== undefined && min > desired) {
      error("capacity.minSize", `${min} is more than capacity.desiredCapacity (${desired}); the group needs minSize <= desiredCapacity <= maxSize: lower minSize or raise desiredCapacity`);
    }
    if (desired !== undefined && max !== undefined && desired > max) {
      error("capacity.desiredCapacity", `${desired} is more than capacity.maxSize (${max}); the group needs minSize <= desiredCapacity <= maxSize: lower desiredCapacity or raise maxSize`);
    }
    if (max === 0) {
      error("capacity.maxSize", "0 leaves no instance to run the services; set it to 1 or more");
    }
  },
};

/** A legacy environment decides each option itself: left out, an option is on, and its adoption would change what runs. */
export const legacyDecisionRules: EnvironmentRule = {
  reads: ["legacy", ...SWITCHED_OPTIONS, "capacity.launchTemplate"],
  check(env, { error }) {
    if (env.legacy === undefined) return;
    for (const option of SWITCHED_OPTIONS) {
      if (env[option].enabled === undefined) {
        error(
          `${option}.enabled`,
          `is not set, and the environment has a legacy block: left out, ${option} is on and the adoption would ${SWITCHED_ON_BY_DEFAULT[option]}; set ${option}: { enabled: false } to keep the adoption a no-op, and switch it on later (docs/operations-options.md)`,
        );
      }
    }
    if (env.alarms.containerInsights === undefined) {
      error(
        "alarms.containerInsights",
        "is not set, and the environment has a legacy block: left out, it is true and the adoption would turn on Container Insights on the cluster (an update of the cluster, and a CloudWatch bill); set alarms: { ..., containerInsights: false } to keep the adoption a no-op, and switch it on later (docs/operations-options.md)",
      );
    }
    if (env.capacity.launchTemplate === undefined) {
      error(
        "capacity.launchTemplate",
        "is not set, and the environment has a legacy block: left out, it is true and the adoption would destroy the legacy launch configuration; set launchTemplate: false to keep the adoption a no-op, and switch as docs/launch-template-switch.md says",
      );
    }
  },
};

/** Alarms that tell someone. */
export const alarmRules: EnvironmentRule = {
  reads: ["alarms"],
  check(env, { error }) {
    const { alarms } = env;
    if (isOn(alarms) && (alarms.emailAddresses === undefined || alarms.emailAddresses.length === 0)) {
      error(
        "alarms.emailAddresses",
        `${alarms.emailAddresses === undefined ? "is not set" : "is empty"} while alarms are on (alarms.enabled, default true), so every alarm would tell nobody; add the operators' addresses, e.g. ["ops@example.org"], or set alarms.enabled: false`,
      );
    }
  },
};

/** The scaling mode's own settings, and a group name a capacity provider can take. */
export const scalingRules: EnvironmentRule = {
  reads: ["scaling"],
  check(env, { error, valid }) {
    const { scaling } = env;
    if (scaling.jvbPerInstance === true && scaling.mode === "ecs-managed") {
      error(
        "scaling.jvbPerInstance",
        'true with scaling.mode "ecs-managed": ECS managed scaling does not scale out for daemon tasks, so the JVBs would never get more instances; use mode "cpu" (the default), or set jvbPerInstance: false',
      );
    }
    if (scaling.mode === "ecs-managed") {
      for (const field of ["scaleOutCpuPercent", "scaleInCpuPercent"] as const) {
        if (scaling[field] !== undefined) {
          error(`scaling.${field}`, `applies to mode "cpu" only, and scaling.mode is "ecs-managed", whose own target tracking sizes the group; remove it, or use mode "cpu"`);
        }
      }
    } else if (scaling.targetCapacityPercent !== undefined) {
      error("scaling.targetCapacityPercent", `applies to mode "ecs-managed" only, and scaling.mode is ${q(scaling.mode)}; remove it, or set mode "ecs-managed"`);
    }
    if (scaling.mode === "cpu") {
      const { scaleOut, scaleIn } = cpuThresholdsOf(scaling);
      if (scaleIn >= scaleOut) {
        error(
          scaling.scaleInCpuPercent !== undefined ? "scaling.scaleInCpuPercent" : "scaling.scaleOutCpuPercent",
          `${scaling.scaleInCpuPercent !== undefined ? scaleIn : scaleOut} leaves no gap: scale-in at ${scaleIn} % is not below scale-out at ${scaleOut} %, so the group would scale in and out in turn; keep scaleInCpuPercent well below scaleOutCpuPercent, e.g. 25 and 75`,
        );
      }
    }
    const groupName = valid("capacity.autoScalingGroupName") ? env.capacity.autoScalingGroupName : undefined;
    const reserved = groupName === undefined ? null : /^(aws|ecs|fargate)/i.exec(groupName);
    if (isOn(scaling) && reserved) {
      error(
        "capacity.autoScalingGroupName",
        `${q(groupName)} starts with "${reserved[1]}", which AWS reserves in capacity provider names, and scaling names the capacity provider after the group; rename the group, or set scaling.enabled: false`,
      );
    }
  },
};

/** With a JVB per instance, the daemon owns the bridge's settings. */
export const jvbDaemonRules: EnvironmentRule = {
  reads: ["scaling", "jitsi.jvbAdvertiseAddress", "jitsi.environment"],
  check(env, { error }) {
    if (!jvbPerInstanceOf(env.scaling)) return;
    const { jitsi } = env;
    const why = "with a JVB per instance (scaling.jvbPerInstance, by default on with CPU scaling)";
    if (jitsi.jvbAdvertiseAddress !== undefined) {
      error(
        "jitsi.jvbAdvertiseAddress",
        `is set, but ${why} each JVB advertises its own instance's public address, found at start; remove it, or set scaling.jvbPerInstance: false to keep one JVB at this address`,
      );
    }
    for (const [name, value] of Object.entries(jitsi.environment.jvb ?? {})) {
      if (JVB_DAEMON_OWN_VARIABLES.includes(name)) {
        error(
          `jitsi.environment.jvb.${name}`,
          `is set, but ${why} the JVB daemon sets it itself (its instance's address, fixed host ports, the XMPP load balancer); remove it`,
        );
      }
      const fixed = JVB_DAEMON_FIXED_VARIABLES[name];
      if (fixed !== undefined && value !== fixed) {
        error(
          `jitsi.environment.jvb.${name}`,
          `${JSON.stringify(value)} cannot work ${why}: the web container's websocket proxy reaches only a bridge in its own task, so the daemon sets ${JSON.stringify(fixed)} itself; remove it`,
        );
      }
    }
    // The web container must not offer clients the bridge websocket either: its proxy would point at a jvb it no longer has.
    for (const [name, fixed] of Object.entries(JVB_DAEMON_FIXED_VARIABLES)) {
      const value = jitsi.environment.web?.[name];
      if (value !== undefined && value !== fixed) {
        error(
          `jitsi.environment.web.${name}`,
          `${JSON.stringify(value)} cannot work ${why}: the web container would proxy the bridge websocket to a jvb in its own task, which has none; the jitsi task sets ${JSON.stringify(fixed)} itself, remove it`,
        );
      }
    }
  },
};

/** A launch template always requires IMDSv2; a launch configuration is kept only as a legacy environment has it. */
export const launchRules: EnvironmentRule = {
  reads: ["capacity.launchTemplate", "capacity.requireImdsv2", "capacity.imageId"],
  check(env, { error }) {
    const { capacity } = env;
    const launchTemplate = launchTemplateOf(capacity);
    const requireImdsv2 = capacity.requireImdsv2;
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
  },
};

/** The cache's default prefix must fit ECR's 30 characters. */
export const imageCacheRules: EnvironmentRule = {
  reads: ["imageCache", "name"],
  check(env, { error }) {
    const prefix = `docker-hub-${env.name}`;
    if (env.imageCache.enabled && env.imageCache.repositoryPrefix === undefined && prefix.length > 30) {
      error("imageCache.repositoryPrefix", `is not set, and its default ${q(prefix)} has ${prefix.length} characters, more than the 30 ECR allows; set a shorter one, e.g. ${q(prefix.slice(0, 30).replace(/-+$/, ""))}`);
    }
  },
};
