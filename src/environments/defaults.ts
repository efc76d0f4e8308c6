/**
 * Defaults of environment fields that both the stacks (which apply them) and
 * validation (which checks the values they produce) need, and the operations
 * options (`logs`, `alarms`, `scaling`, `backups`, `capacity.launchTemplate`)
 * resolved to what the stacks build.
 */
import { ScalingMode } from "../modules/autoscaling-capacity";
import { DEFAULT_SCALE_IN, DEFAULT_SCALE_OUT } from "../modules/cpu-scaling-policies";
import { EFS_BACKUP_DEFAULTS } from "../modules/efs-backup";
import { ALARM_DEFAULTS } from "../modules/platform-alarms";
import { DEFAULT_LOG_RETENTION_DAYS } from "../modules/service-log-group";
import type { AlarmThresholds, Environment, ScalingOptions } from "./environment";

/** Priorities of the HTTPS listener's host rules, as the legacy rules had them. */
export const DEFAULT_RULE_PRIORITIES = { element: 99, synapse: 100 } as const;

/** What the operations options default to; each option is on unless the environment says `enabled: false`. */
export const OPERATIONS_DEFAULTS = {
  logRetentionDays: DEFAULT_LOG_RETENTION_DAYS,
  alarmThresholds: ALARM_DEFAULTS,
  scalingMode: "cpu" as ScalingMode,
  scaleOutCpuPercent: DEFAULT_SCALE_OUT.thresholdPercent,
  scaleInCpuPercent: DEFAULT_SCALE_IN.thresholdPercent,
  backupRetentionDays: EFS_BACKUP_DEFAULTS.retentionDays,
  backupSchedule: EFS_BACKUP_DEFAULTS.schedule,
  launchTemplate: true,
  containerInsights: true,
} as const;

/** The options that are on unless switched off, by their field name. */
export const SWITCHED_OPTIONS = ["logs", "alarms", "scaling", "backups"] as const;
export type SwitchedOption = (typeof SWITCHED_OPTIONS)[number];

/** Whether an option with an `enabled` switch is on: left out, it is. */
export function isOn(option: { readonly enabled?: boolean } | undefined): boolean {
  return option?.enabled ?? true;
}

/** The scaling mode, `"cpu"` unless the environment says otherwise. */
export function scalingModeOf(scaling: ScalingOptions | undefined): ScalingMode {
  return scaling?.mode ?? OPERATIONS_DEFAULTS.scalingMode;
}

/** Whether the JVB runs as a daemon on every instance: by default where CPU scaling adds instances. */
export function runsJvbPerInstance(scaling: ScalingOptions | undefined): boolean {
  return scaling?.jvbPerInstance ?? (isOn(scaling) && scalingModeOf(scaling) === "cpu");
}

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
});

/** The operations options of an environment as the stacks build them; an option that is off is undefined. */
export interface Operations {
  readonly logs?: { readonly retentionDays: number };
  readonly alarms?: {
    readonly topicName: string;
    readonly namePrefix: string;
    readonly emailAddresses: readonly string[];
    readonly thresholds: Required<AlarmThresholds>;
    readonly efsBurstCredits: boolean;
  };
  readonly scaling?: {
    readonly mode: ScalingMode;
    /** Mode `"cpu"` only; undefined keeps the construct's defaults. */
    readonly scaleOutCpuPercent?: number;
    readonly scaleInCpuPercent?: number;
    /** Mode `"ecs-managed"` only. */
    readonly targetCapacityPercent?: number;
  };
  readonly jvbPerInstance?: {
    readonly xmppLoadBalancerName: string;
    readonly serviceName: string;
    readonly taskFamily: string;
  };
  readonly backups?: { readonly name: string; readonly retentionDays: number; readonly schedule: string };
  readonly launchTemplate: boolean;
  /** Container Insights on the cluster; the task alarms then count tasks against the desired count. */
  readonly containerInsights: boolean;
}

export function operationsOf(env: Environment): Operations {
  const names = operationsNames(env.name);
  const { logs, alarms, scaling, backups } = env;
  return {
    logs: isOn(logs) ? { retentionDays: logs?.retentionDays ?? OPERATIONS_DEFAULTS.logRetentionDays } : undefined,
    alarms: isOn(alarms)
      ? {
          topicName: alarms?.topicName ?? names.alarmTopic,
          namePrefix: names.alarmPrefix,
          emailAddresses: alarms?.emailAddresses ?? [],
          thresholds: { ...OPERATIONS_DEFAULTS.alarmThresholds, ...alarms?.thresholds },
          efsBurstCredits: alarms?.efsBurstCredits ?? true,
        }
      : undefined,
    scaling: isOn(scaling)
      ? {
          mode: scalingModeOf(scaling),
          scaleOutCpuPercent: scaling?.scaleOutCpuPercent,
          scaleInCpuPercent: scaling?.scaleInCpuPercent,
          targetCapacityPercent: scaling?.targetCapacityPercent,
        }
      : undefined,
    jvbPerInstance: runsJvbPerInstance(scaling)
      ? {
          xmppLoadBalancerName: scaling?.xmppLoadBalancerName ?? names.xmppLoadBalancer,
          serviceName: names.jvbService,
          taskFamily: names.jvbTaskFamily,
        }
      : undefined,
    backups: isOn(backups)
      ? {
          name: names.backup,
          retentionDays: backups?.retentionDays ?? OPERATIONS_DEFAULTS.backupRetentionDays,
          schedule: backups?.schedule ?? OPERATIONS_DEFAULTS.backupSchedule,
        }
      : undefined,
    launchTemplate: env.capacity.launchTemplate ?? OPERATIONS_DEFAULTS.launchTemplate,
    containerInsights: alarms?.containerInsights ?? OPERATIONS_DEFAULTS.containerInsights,
  };
}
