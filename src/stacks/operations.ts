/**
 * The operations options of an environment (`logs`, `alarms`, `scaling`,
 * `backups`, and the JVB per instance) as resources of `jitsi-matrix-<env>`,
 * one function per concern. Each creates its constructs directly under the
 * stack, so their addresses read like the stack's own (`aws_cloudwatch_log_group.logs_jitsi`,
 * `aws_sns_topic.alarm_topic`, `aws_backup_plan.backup_plan`); docs/operations-options.md
 * lists them per option.
 */
import { EcsService as AwsEcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { dependable, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { environmentAccountId } from "../environments/account";
import { operationsNames } from "../environments/defaults";
import { Operations } from "../environments/operations";
import { Environment } from "../environments/environment";
import { AutoscalingCapacity, AutoscalingCapacityProps } from "../modules/autoscaling-capacity";
import { AlarmTopic } from "../modules/alarm-topic";
import { DeploymentFailureAlarm } from "../modules/deployment-circuit-breaker";
import { partitionOf } from "../modules/platform-secrets";
import { CapacityScaling } from "../modules/capacity-scaling";
import { EfsBackup } from "../modules/efs-backup";
import { JvbDaemon } from "../modules/jvb-daemon";
import { LoadBalancer } from "../modules/load-balancer";
import { PlatformAlarms } from "../modules/platform-alarms";
import { StatefulInstanceProtection } from "../modules/stateful-instance-protection";
import { LogConfiguration, ServiceLogGroup } from "../modules/service-log-group";
import { XmppLoadBalancer } from "../modules/xmpp-load-balancer";

/** Scale-in takes the newest instance first: the stateful services usually run on the oldest. */
export const SCALE_IN_ORDER = ["NewestInstance"] as const;

/** The log group of one service (`logs_<key>`, named `/ecs/<cluster>/<service>`), or undefined when logs are off. */
export function serviceLogGroup(scope: Construct, env: Environment, ops: Operations, key: string, serviceName: string): ServiceLogGroup | undefined {
  if (ops.logs === undefined) return undefined;
  return new ServiceLogGroup(scope, `logs_${key}`, {
    clusterName: env.cluster.name,
    serviceName,
    region: env.region,
    retentionDays: ops.logs.retentionDays,
    kmsKeyArn: ops.encryptionKeyArn,
  });
}

/** The `awslogs` configuration for the containers of one service, with its log group (`serviceLogGroup`), or undefined when logs are off. */
export function serviceLogConfiguration(
  scope: Construct,
  env: Environment,
  ops: Operations,
  key: string,
  serviceName: string,
): LogConfiguration | undefined {
  return serviceLogGroup(scope, env, ops, key, serviceName)?.logConfiguration();
}

/**
 * Stream prefix of the postgres-upgrade task in Matrix's log group: the upgrade is part of
 * Matrix's history, and a group of its own would be destroyed, logs and all, by the switch off.
 */
export const POSTGRES_UPGRADE_LOG_STREAM_PREFIX = "postgres-upgrade";

/**
 * What `AutoscalingCapacity` needs from the options: the launch template or the legacy
 * launch configuration, and the scaling the group is built for.
 */
export function capacityOptions(
  env: Environment,
  ops: Operations,
): Pick<AutoscalingCapacityProps, "launchTemplate" | "instanceTags" | "scaling" | "terminationPolicies"> {
  return {
    launchTemplate: ops.launchTemplate,
    // Instances launched by a template carry the environment's tags; the provider's default tags reach only the template.
    instanceTags: ops.launchTemplate ? { ...env.tags, Name: env.capacity.autoScalingGroupName } : undefined,
    scaling: ops.scaling?.mode,
    terminationPolicies: ops.scaling ? [...SCALE_IN_ORDER] : undefined,
  };
}

/** The capacity provider and, in mode `"cpu"`, the CPU scaling policies (`scaling_*`); nothing when scaling is off. */
/** `clusterName` is the cluster resource's, not the environment's string: the association must be made after the cluster. */
export function addCapacityScaling(scope: Construct, ops: Operations, group: AutoscalingCapacity, clusterName: string): CapacityScaling | undefined {
  const scaling = ops.scaling;
  if (scaling === undefined) return undefined;
  const threshold = (percent: number | undefined) => (percent === undefined ? undefined : { thresholdPercent: percent });
  return new CapacityScaling(scope, "scaling", {
    mode: scaling.mode,
    clusterName,
    group,
    cpu:
      scaling.mode === "cpu" && (scaling.scaleOutCpuPercent !== undefined || scaling.scaleInCpuPercent !== undefined)
        ? { scaleOut: threshold(scaling.scaleOutCpuPercent), scaleIn: threshold(scaling.scaleInCpuPercent) }
        : undefined,
    managedScaling: scaling.mode === "ecs-managed" ? { targetCapacityPercent: scaling.targetCapacityPercent } : undefined,
  });
}

/**
 * In mode `"ecs-managed"`, the replica services of a new environment (no `legacy` block) run on
 * the capacity provider (`capacity_provider_strategy`, no `launch_type`): a task without room then
 * waits in PROVISIONING, which is what makes managed scaling add an instance. An adopted
 * environment keeps `launch_type = "EC2"`, since the provider replaces a service whose launch
 * type goes, and managed scaling then only keeps the instances tasks run on
 * (docs/operations-options.md). Daemon services (the JVBs) cannot use a strategy.
 */
export function placeServicesOnCapacityProvider(scope: Construct, env: Environment, ops: Operations, scaling: CapacityScaling | undefined): void {
  if (ops.scaling?.mode !== "ecs-managed" || scaling === undefined || env.legacy !== undefined) return;
  for (const node of scope.node.findAll()) {
    if (node instanceof AwsEcsService && node.schedulingStrategyInput === "REPLICA") {
      node.resetLaunchType();
      node.putCapacityProviderStrategy(scaling.capacityProviderStrategy.map((item) => ({ ...item })));
      node.dependsOn = [...(node.dependsOn ?? []), dependable(scaling.capacityProviderAssociation)];
    }
  }
}

export interface StatefulInstanceProtectionRefs {
  readonly clusterArn: string;
  readonly group: AutoscalingCapacity;
  /**
   * The services whose tasks hold state: jitsi (prosody, jicofo), matrix and postgres-upgrade, not the JVBs;
   * both of the latter whatever the switch, so that the switch does not change the protection.
   */
  readonly serviceNames: readonly string[];
}

/**
 * In mode `"cpu"`, scale-in protection for the instances the stateful services run on
 * (`stateful_protection`); mode `"ecs-managed"` has ECS's managed termination protection instead.
 */
export function addStatefulInstanceProtection(scope: Construct, env: Environment, ops: Operations, refs: StatefulInstanceProtectionRefs): void {
  if (ops.scaling?.mode !== "cpu") return;
  new StatefulInstanceProtection(scope, "stateful_protection", {
    name: operationsNames(env.name).statefulInstanceProtection,
    clusterArn: refs.clusterArn,
    autoScalingGroupName: refs.group.autoScalingGroupName,
    autoScalingGroupArn: refs.group.autoScalingGroupArn,
    serviceNames: refs.serviceNames,
  });
}

export interface XmppLoadBalancerRefs {
  readonly subnetIds: readonly string[];
  /** The instances' group; a lazy reference, since that group's rules refer back to the load balancer's. */
  readonly instanceSecurityGroupId: string;
}

/** The internal NLB (`xmpp`) through which the JVBs reach prosody; undefined unless the JVB runs per instance. */
export function addXmppLoadBalancer(scope: Construct, env: Environment, ops: Operations, refs: XmppLoadBalancerRefs): XmppLoadBalancer | undefined {
  if (ops.jvbPerInstance === undefined) return undefined;
  return new XmppLoadBalancer(scope, "xmpp", {
    name: ops.jvbPerInstance.xmppLoadBalancerName,
    vpcId: env.network.vpcId,
    subnetIds: refs.subnetIds,
    instanceSecurityGroupId: refs.instanceSecurityGroupId,
    deletionProtection: env.loadBalancer.deletionProtection,
  });
}

export interface JvbDaemonRefs {
  readonly clusterArn: string;
  readonly xmpp: XmppLoadBalancer;
  readonly jvbAuthPasswordParameter: string;
  readonly executionRoleArn: string;
  readonly logConfiguration?: LogConfiguration;
  readonly dependsOn: readonly ITerraformDependable[];
}

/** The JVB daemon service (`jvb`), one bridge on every instance, with the jitsi task's image tag and JVB settings. */
export function addJvbDaemon(scope: Construct, env: Environment, ops: Operations, refs: JvbDaemonRefs): JvbDaemon | undefined {
  if (ops.jvbPerInstance === undefined) return undefined;
  return new JvbDaemon(scope, "jvb", {
    clusterArn: refs.clusterArn,
    serviceName: ops.jvbPerInstance.serviceName,
    taskFamily: ops.jvbPerInstance.taskFamily,
    imageTag: env.jitsi.imageTag,
    publicUrl: `https://${env.dns.hosts.jitsi}`,
    xmppServer: refs.xmpp.dnsName,
    jvbAuthPasswordParameter: refs.jvbAuthPasswordParameter,
    executionRoleArn: refs.executionRoleArn,
    memoryReservation: env.jitsi.memory.jvb,
    environment: env.jitsi.environment.jvb,
    logConfiguration: refs.logConfiguration,
    dependsOn: refs.dependsOn,
  });
}

export interface AlarmRefs {
  readonly autoScalingGroupName: string;
  /** The cluster resource's name, so that the alarms are made after the cluster they watch. */
  readonly clusterName: string;
  /** ECS service names keyed by what they run; one running-task alarm each. */
  readonly serviceNames: Readonly<Record<string, string>>;
  readonly loadBalancer: LoadBalancer;
  /** The JVBs' way to prosody, when they run per instance; its target group gets an alarm too. */
  readonly xmpp?: XmppLoadBalancer;
}

/**
 * The SNS topic (`alarm_topic`) with its e-mail subscriptions and the platform's alarms (`alarms_*`), returning the
 * topic for the alarms other parts raise; nothing when alarms are off.
 */
export function addAlarms(scope: Construct, env: Environment, ops: Operations, refs: AlarmRefs): AlarmTopic | undefined {
  const alarms = ops.alarms;
  if (alarms === undefined) return undefined;
  const topic = new AlarmTopic(scope, "alarm_topic", {
    topicName: alarms.topicName,
    emailAddresses: alarms.emailAddresses,
    kmsMasterKeyId: ops.encryptionKeyArn,
    // Failed deployments and failed database backups are EventBridge's events.
    eventBridgePublishes: ops.circuitBreakers || env.databaseBackups.enabled,
  });
  if (ops.circuitBreakers) {
    new DeploymentFailureAlarm(scope, "deployment_failed", {
      name: operationsNames(env.name).deploymentFailed,
      serviceArnPrefix: `arn:${partitionOf(env.region)}:ecs:${env.region}:${environmentAccountId(env)}:service/${env.cluster.name}/`,
      topicArn: topic.topicArn,
    });
  }
  const thresholds = alarms.thresholds;
  new PlatformAlarms(scope, "alarms", {
    namePrefix: alarms.namePrefix,
    notificationArns: [topic.topicArn],
    instanceCpu: {
      autoScalingGroupName: refs.autoScalingGroupName,
      thresholdPercent: thresholds.instanceCpuPercent,
      minutes: thresholds.instanceCpuMinutes,
    },
    services: {
      clusterName: refs.clusterName,
      serviceNames: refs.serviceNames,
      minutes: thresholds.taskCountMinutes,
      // Desired minus running, exact for any count, where the cluster has Container Insights; else no task at all.
      metric: ops.containerInsights ? "container-insights" : "service-utilization",
    },
    loadBalancer: {
      arnSuffix: refs.loadBalancer.arnSuffix,
      targetGroupArnSuffixes: refs.loadBalancer.targetGroupArnSuffixes,
      unhealthyTargetMinutes: thresholds.unhealthyTargetMinutes,
      elb5xxThreshold: thresholds.loadBalancer5xxCount,
      elb5xxMinutes: thresholds.loadBalancer5xxMinutes,
    },
    networkLoadBalancer: refs.xmpp
      ? {
          arnSuffix: refs.xmpp.arnSuffix,
          targetGroupArnSuffixes: { xmpp: refs.xmpp.targetGroupArnSuffix },
          unhealthyTargetMinutes: thresholds.unhealthyTargetMinutes,
        }
      : undefined,
    efsBurstCredits: alarms.efsBurstCredits
      ? { fileSystemId: env.efsFileSystemId, minimumBalanceGiB: thresholds.efsBurstCreditBalanceGiB }
      : undefined,
  });
  return topic;
}

/** The daily AWS Backup of the EFS file system (`backup`); nothing when backups are off. */
export function addBackups(scope: Construct, env: Environment, ops: Operations): void {
  const backups = ops.backups;
  if (backups === undefined) return;
  new EfsBackup(scope, "backup", {
    name: backups.name,
    fileSystemId: env.efsFileSystemId,
    region: env.region,
    // The certificate's account when the environment names none: the selection then names the file system's ARN at plan time.
    accountId: environmentAccountId(env),
    retentionDays: backups.retentionDays,
    schedule: backups.schedule,
    kmsKeyArn: ops.encryptionKeyArn,
  });
}
