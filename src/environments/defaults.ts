/**
 * The defaults `shape.ts` cannot give with `.default(...)`: those derived from other fields
 * (names), and those of fields whose absence a rule must see (a legacy environment decides its
 * operations options; a setting of the other scaling mode is a mistake). The rules read them
 * through these functions and `schema.ts` resolves them with `resolveEnvironment`, so each
 * default is written here once.
 */
import { DEFAULT_SCALE_IN, DEFAULT_SCALE_OUT } from "../modules/cpu-scaling-policies";
import { DEFAULT_TARGET_CAPACITY_PERCENT } from "../modules/ecs-capacity-provider";
import { hasSynapseSettings } from "../modules/synapse-settings";
import { SYNAPSE_DEFAULT_MEMORY } from "../modules/matrix";
import { environmentAccountId } from "./account";
import type { EnvironmentFields } from "./shape";

/** The options that are on unless switched off, by their field name. */
export const SWITCHED_OPTIONS = ["logs", "alarms", "scaling", "backups", "encryptionKey", "accessLogs", "circuitBreakers", "wellKnown", "synapseAdminBlock", "elementConfig", "rds", "databaseBackups"] as const;
export type SwitchedOption = (typeof SWITCHED_OPTIONS)[number];

/** Whether an option with an `enabled` switch is on: left out, it is. */
export const isOn = (option: { readonly enabled?: boolean }): boolean => option.enabled ?? true;

/** A launch template, unless a legacy environment keeps its launch configuration. */
export const launchTemplateOf = (capacity: EnvironmentFields["capacity"]): boolean => capacity.launchTemplate ?? true;

/** IMDSv2 required, unless a legacy launch configuration keeps IMDSv1. */
export const requireImdsv2Of = (capacity: EnvironmentFields["capacity"]): boolean => capacity.requireImdsv2 ?? true;

/** Container Insights on the cluster, independent of the alarms' switch. */
export const containerInsightsOf = (alarms: EnvironmentFields["alarms"]): boolean => alarms.containerInsights ?? true;

/** Whether the JVB runs as a daemon on every instance: by default where CPU scaling adds instances. */
export const jvbPerInstanceOf = (scaling: EnvironmentFields["scaling"]): boolean =>
  scaling.jvbPerInstance ?? (isOn(scaling) && scaling.mode === "cpu");

/** What decides where Synapse's database is. */
interface DatabaseChoice {
  readonly matrix: { readonly database?: "rds" | "container" };
  readonly rds: { readonly enabled?: boolean };
  readonly legacy?: unknown;
}

/** Where Synapse's database is: on RDS for a new environment that has the instance, else in its container. */
export const matrixDatabaseOf = (env: DatabaseChoice): "rds" | "container" =>
  env.matrix.database ?? (isOn(env.rds) && env.legacy === undefined ? "rds" : "container");

/** What the matrix task holds beyond Synapse, Element and Redis: the postgres container, the writer of Synapse's settings. */
export const matrixTaskShapeOf = (env: DatabaseChoice & { readonly turn?: unknown; readonly smtp?: unknown }) => ({
  postgresInTask: matrixDatabaseOf(env) === "container",
  synapseSettings: hasSynapseSettings({ database: matrixDatabaseOf(env) === "rds" ? "rds" : undefined, turn: env.turn, smtp: env.smtp }),
});

/** Synapse's memory: as given, else the legacy task's for an adopted environment, else a current Synapse's. */
export const synapseMemoryOf = (env: Pick<EnvironmentFields, "legacy" | "matrix">): number =>
  env.matrix.synapseMemory ?? (env.legacy === undefined ? SYNAPSE_DEFAULT_MEMORY : env.matrix.containerMemory);

/** coturn's share of an instance, where the environment runs it: the task layout's input. */
export const coturnLayoutInput = (turn: EnvironmentFields["turn"]) =>
  turn?.coturn.enabled ? { port: turn.port, relayPorts: turn.coturn.relayPorts, memory: turn.coturn.memory } : undefined;

/** The CPU thresholds of mode `"cpu"`. */
export const cpuThresholdsOf = (scaling: EnvironmentFields["scaling"]) => ({
  scaleOut: scaling.scaleOutCpuPercent ?? DEFAULT_SCALE_OUT.thresholdPercent,
  scaleIn: scaling.scaleInCpuPercent ?? DEFAULT_SCALE_IN.thresholdPercent,
});

/** The role ECS starts the tasks with. */
export const defaultTaskExecutionRoleName = (clusterName: string) => `${clusterName}-task-execution`;

/** Names the operations resources derive from the environment's name, each within its AWS limit for any valid name. */
export const operationsNames = (environmentName: string) => ({
  /** Start of every alarm name. */
  alarmPrefix: `jitsi-matrix-${environmentName}`,
  alarmTopic: `jitsi-matrix-${environmentName}-alarms`,
  /** The backup vault and plan; the role is `<backup>-backup`. */
  backup: `jitsi-matrix-${environmentName}`,
  /** Can exceed the 32 characters of a load balancer name; validation says so and asks for `scaling.xmppLoadBalancerName`. */
  xmppLoadBalancer: `jitsi-xmpp-${environmentName}`,
  jvbService: `jvb-service-${environmentName}`,
  /** The automation, rule and roles that protect the stateful services' instances from CPU scale-in. */
  statefulInstanceProtection: `jitsi-matrix-${environmentName}-protect`,
  jvbTaskFamily: `jvb-task-${environmentName}`,
  /** The EventBridge rule that mails a failed deployment. */
  deploymentFailed: `jitsi-matrix-${environmentName}-deployment-failed`,
  /** Synapse's RDS instance, and its subnet, parameter and security groups. */
  database: `jitsi-matrix-${environmentName}`,
  /** The role RDS's enhanced monitoring writes the database host's metrics with; at most 52 characters. */
  databaseMonitoring: `jitsi-matrix-${environmentName}-rds-monitoring`,
  /** The pull-through cache's repository prefix, at most 30 characters: validation says so for a long name. */
  imageCachePrefix: `docker-hub-${environmentName}`,
  /** The scheduled task definition of the logical database backups, and its rules and role. */
  databaseBackup: `matrix-database-backup-${environmentName}`,
  /** The one-off task definition of the RDS runbook's steps. */
  databaseTools: `matrix-database-tools-${environmentName}`,
  /** coturn's network load balancer, its security group (`<turnLoadBalancer>-sg`) and its TURN target group. */
  turnLoadBalancer: `turn-${environmentName}`,
  /** The target group of TURN over TLS, which the load balancer ends. */
  turnTlsTargetGroup: `turns-${environmentName}`,
  coturnService: `coturn-service-${environmentName}`,
  coturnTaskFamily: `coturn-task-${environmentName}`,
  /** The WAF web ACL; its log group is `aws-waf-logs-<webAcl>`. */
  webAcl: `jitsi-matrix-${environmentName}`,
});

/** The access log bucket's default name: bucket names are global, so the account makes it unique. */
export const accessLogBucketNameOf = (env: Pick<EnvironmentFields, "name" | "accountId" | "loadBalancer">): string =>
  `jitsi-matrix-${env.name}-logs-${environmentAccountId(env)}`;

/** The XMPP load balancer's name, as given or derived. */
export const xmppLoadBalancerNameOf = (env: Pick<EnvironmentFields, "name" | "scaling">): string =>
  env.scaling.xmppLoadBalancerName ?? operationsNames(env.name).xmppLoadBalancer;

/** The environment with every default resolved: what the stacks read. */
export function resolveEnvironment(env: EnvironmentFields) {
  const { iam, capacity, loadBalancer, logs, alarms, scaling, backups, encryptionKey, accessLogs, circuitBreakers, wellKnown, synapseAdminBlock, elementConfig, rds } = env;
  const cpu = scaling.mode === "cpu" ? cpuThresholdsOf(scaling) : undefined;
  return {
    ...env,
    iam: { ...iam, taskExecutionRoleName: iam.taskExecutionRoleName ?? defaultTaskExecutionRoleName(env.cluster.name) },
    loadBalancer: { ...loadBalancer, certificateDomain: loadBalancer.certificateDomain ?? env.dns.hosts.jitsi },
    capacity: { ...capacity, launchTemplate: launchTemplateOf(capacity), requireImdsv2: requireImdsv2Of(capacity) },
    logs: { ...logs, enabled: isOn(logs) },
    alarms: {
      ...alarms,
      enabled: isOn(alarms),
      emailAddresses: alarms.emailAddresses ?? [],
      topicName: alarms.topicName ?? operationsNames(env.name).alarmTopic,
      containerInsights: containerInsightsOf(alarms),
    },
    scaling: {
      ...scaling,
      enabled: isOn(scaling),
      // Each mode's own settings, and none of the other's.
      scaleOutCpuPercent: cpu?.scaleOut,
      scaleInCpuPercent: cpu?.scaleIn,
      targetCapacityPercent: cpu ? undefined : (scaling.targetCapacityPercent ?? DEFAULT_TARGET_CAPACITY_PERCENT),
      jvbPerInstance: jvbPerInstanceOf(scaling),
      xmppLoadBalancerName: xmppLoadBalancerNameOf(env),
    },
    backups: { ...backups, enabled: isOn(backups) },
    encryptionKey: { ...encryptionKey, enabled: isOn(encryptionKey) },
    circuitBreakers: { ...circuitBreakers, enabled: isOn(circuitBreakers) },
    wellKnown: { ...wellKnown, enabled: isOn(wellKnown), serverName: wellKnown.serverName ?? env.dns.hosts.matrix },
    synapseAdminBlock: { ...synapseAdminBlock, enabled: isOn(synapseAdminBlock) },
    elementConfig: { ...elementConfig, enabled: isOn(elementConfig) },
    rds: { ...rds, enabled: isOn(rds), identifier: rds.identifier ?? operationsNames(env.name).database },
    databaseBackups: { ...env.databaseBackups, enabled: isOn(env.databaseBackups) },
    imageCache: { ...env.imageCache, repositoryPrefix: env.imageCache.repositoryPrefix ?? operationsNames(env.name).imageCachePrefix },
    matrix: { ...env.matrix, database: matrixDatabaseOf(env), synapseMemory: synapseMemoryOf(env) },
    accessLogs: { ...accessLogs, enabled: isOn(accessLogs), bucketName: accessLogs.bucketName ?? accessLogBucketNameOf(env) },
  };
}
