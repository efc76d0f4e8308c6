/**
 * The operations options of a parsed environment as the stacks build them: an option that is off
 * is undefined, so that a stack asks one question (`ops.alarms?`) and reads only what applies.
 */
import { ScalingMode } from "../modules/autoscaling-capacity";
import { operationsNames } from "./defaults";
import type { Environment } from "./environment";

export interface Operations {
  readonly logs?: { readonly retentionDays: number };
  readonly alarms?: {
    readonly topicName: string;
    readonly namePrefix: string;
    readonly emailAddresses: readonly string[];
    readonly thresholds: Environment["alarms"]["thresholds"];
    readonly efsBurstCredits: boolean;
  };
  readonly scaling?: {
    readonly mode: ScalingMode;
    /** Mode `"cpu"` only. */
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
  /** The deployment circuit breaker with rollback on every service, and with alarms, the alarm of a failed deployment. */
  readonly circuitBreakers: boolean;
  /**
   * ARN of the environment's KMS key, which encrypts the log groups, the alarm topic and the backup vault. The key
   * lives in `networking-<env>`, so `operationsOf` cannot know it: the stack that reads that state sets it.
   * @default - AWS-managed encryption
   */
  readonly encryptionKeyArn?: string;
}

export function operationsOf(env: Environment): Operations {
  const names = operationsNames(env.name);
  const { logs, alarms, scaling, backups } = env;
  return {
    logs: logs.enabled ? { retentionDays: logs.retentionDays } : undefined,
    alarms: alarms.enabled
      ? {
          topicName: alarms.topicName,
          namePrefix: names.alarmPrefix,
          emailAddresses: alarms.emailAddresses,
          thresholds: alarms.thresholds,
          efsBurstCredits: alarms.efsBurstCredits,
        }
      : undefined,
    scaling: scaling.enabled
      ? {
          mode: scaling.mode,
          scaleOutCpuPercent: scaling.scaleOutCpuPercent,
          scaleInCpuPercent: scaling.scaleInCpuPercent,
          targetCapacityPercent: scaling.targetCapacityPercent,
        }
      : undefined,
    jvbPerInstance: scaling.jvbPerInstance
      ? { xmppLoadBalancerName: scaling.xmppLoadBalancerName, serviceName: names.jvbService, taskFamily: names.jvbTaskFamily }
      : undefined,
    backups: backups.enabled ? { name: names.backup, retentionDays: backups.retentionDays, schedule: backups.schedule } : undefined,
    launchTemplate: env.capacity.launchTemplate,
    containerInsights: alarms.containerInsights,
    circuitBreakers: env.circuitBreakers.enabled,
  };
}
