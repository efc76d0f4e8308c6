import {
  CloudwatchMetricAlarm,
  CloudwatchMetricAlarmConfig,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Token } from "cdktf";
import { Construct } from "constructs";

/** Defaults of every threshold, in one place so docs and environments can name them. */
export const ALARM_DEFAULTS = {
  instanceCpuPercent: 75,
  instanceCpuMinutes: 5,
  taskCountMinutes: 5,
  unhealthyTargetMinutes: 5,
  loadBalancer5xxCount: 10,
  loadBalancer5xxMinutes: 5,
  efsBurstCreditBalanceGiB: 1024,
} as const;

/** EC2 basic monitoring reports instance metrics every five minutes. */
const EC2_BASIC_PERIOD_SECONDS = 300;
const MINUTE = 60;
/** CloudWatch refuses alarms that evaluate more than a day of data. */
const MAX_EVALUATION_MINUTES = 24 * 60;
const GIB = 1024 ** 3;

export interface InstanceCpuAlarmProps {
  readonly autoScalingGroupName: string;
  /** Average CPU of the group's instances that raises the alarm. @default 75 */
  readonly thresholdPercent?: number;
  /**
   * How long the average must stay above the threshold: a multiple of 5, since EC2's basic
   * monitoring reports every five minutes.
   * @default 5
   */
  readonly minutes?: number;
}

/**
 * How a service's running tasks are counted.
 * - `service-utilization`: AWS/ECS MemoryUtilization, which ECS publishes for free each minute
 *   for every service with at least one RUNNING task, and not at all for a service with none.
 *   The alarm counts the samples and treats a minute without data as breaching: it fires when
 *   no task of the service runs, which for the platform's one-task services is "below desired".
 *   It cannot see one task missing out of several (the sample count is not a task count).
 * - `container-insights`: ECS/ContainerInsights DesiredTaskCount minus RunningTaskCount, exact
 *   for any desired count, including daemon services; needs Container Insights on the cluster
 *   (a paid CloudWatch feature, off on the legacy clusters).
 */
export type TaskCountMetric = "service-utilization" | "container-insights";

export interface ServiceTaskAlarmsProps {
  readonly clusterName: string;
  /** ECS service names keyed by what they run (`jitsi`, `matrix`); the key goes into alarm names and addresses. */
  readonly serviceNames: Readonly<Record<string, string>>;
  /** @default "service-utilization" */
  readonly metric?: TaskCountMetric;
  /**
   * Minutes a service must stay short of tasks before the alarm fires; covers a deployment,
   * which with a minimum healthy percent of 0 stops the old task before starting the new one.
   * @default 5
   */
  readonly minutes?: number;
}

export interface LoadBalancerAlarmsProps {
  /** The load balancer's `arn_suffix` (`app/<name>/<id>`), the CloudWatch dimension. */
  readonly arnSuffix: string;
  /** Target group `arn_suffix`es keyed by what they serve; one unhealthy-targets alarm each. */
  readonly targetGroupArnSuffixes: Readonly<Record<string, string>>;
  /** Minutes a target must stay unhealthy before the alarm fires. @default 5 */
  readonly unhealthyTargetMinutes?: number;
  /** 5xx responses the load balancer itself generates (no healthy target, target timeout) per window that raise the alarm. @default 10 */
  readonly elb5xxThreshold?: number;
  /** The window of `elb5xxThreshold`, in minutes. @default 5 */
  readonly elb5xxMinutes?: number;
}

export interface NetworkLoadBalancerAlarmsProps {
  /** The network load balancer's `arn_suffix` (`net/<name>/<id>`), the CloudWatch dimension. */
  readonly arnSuffix: string;
  /** Target group `arn_suffix`es keyed by what they serve; one unhealthy-targets alarm each. */
  readonly targetGroupArnSuffixes: Readonly<Record<string, string>>;
  /** Minutes a target must stay unhealthy before the alarm fires. @default 5 */
  readonly unhealthyTargetMinutes?: number;
}

export interface EfsBurstCreditAlarmProps {
  readonly fileSystemId: string;
  /**
   * Burst credit balance, in GiB, below which the alarm fires. A file system under 1 TiB holds
   * at most 2.1 TiB of credits; at the full 100 MiB/s burst 1 TiB lasts about three hours, time
   * to find the cause before throughput falls to the baseline (50 KiB/s per GiB stored).
   * Meaningless in Elastic or Provisioned throughput mode: leave the alarm out there.
   * @default 1024
   */
  readonly minimumBalanceGiB?: number;
}

export interface PlatformAlarmsProps {
  /** Start of every alarm name, e.g. `jitsi-matrix-staging`. */
  readonly namePrefix: string;
  /** ARNs (the AlarmTopic's) notified when an alarm fires and when it recovers. */
  readonly notificationArns: readonly string[];
  /** @default - no instance CPU alarm */
  readonly instanceCpu?: InstanceCpuAlarmProps;
  /** @default - no task count alarms */
  readonly services?: ServiceTaskAlarmsProps;
  /** @default - no load balancer alarms */
  readonly loadBalancer?: LoadBalancerAlarmsProps;
  /** @default - no network load balancer alarms */
  readonly networkLoadBalancer?: NetworkLoadBalancerAlarmsProps;
  /** @default - no EFS alarm */
  readonly efsBurstCredits?: EfsBurstCreditAlarmProps;
}

type AlarmSpec = Omit<
  CloudwatchMetricAlarmConfig,
  "alarmName" | "alarmActions" | "okActions" | "actionsEnabled"
> & { readonly nameSuffix: string };

function checkWholeMinutes(field: string, minutes: number, multipleOf = 1): void {
  if (Token.isUnresolved(minutes)) return;
  if (!Number.isInteger(minutes) || minutes < multipleOf || minutes % multipleOf !== 0 || minutes > MAX_EVALUATION_MINUTES) {
    const unit = multipleOf === 1 ? "a whole number of minutes" : `a multiple of ${multipleOf} minutes`;
    const examples = multipleOf === 1 ? "5" : `${multipleOf}, ${2 * multipleOf} or ${3 * multipleOf}`;
    throw new Error(`${field}: ${minutes} is not ${unit} from ${multipleOf} to ${MAX_EVALUATION_MINUTES}; use e.g. ${examples}.`);
  }
}

function checkPositive(field: string, value: number, max = Number.POSITIVE_INFINITY): void {
  if (Token.isUnresolved(value)) return;
  if (!(value > 0 && value <= max)) {
    throw new Error(`${field}: ${value} is out of range; use a number above 0${max === Number.POSITIVE_INFINITY ? "" : ` and at most ${max}`}.`);
  }
}

/**
 * The platform's CloudWatch alarms, each notifying `notificationArns` when it fires and
 * when it recovers: instance CPU, running tasks per service, unhealthy targets per target
 * group, 5xx generated by the load balancer, EFS burst credits. Each group is optional;
 * missing data is treated per alarm as what its absence means.
 */
export class PlatformAlarms extends Construct {
  /** Alarm names keyed by construct id (`instance_cpu_high`, `service_jitsi_tasks`, ...). */
  public readonly alarmNames: Readonly<Record<string, string>>;
  private readonly names: Record<string, string> = {};
  private readonly props: PlatformAlarmsProps;

  constructor(scope: Construct, id: string, props: PlatformAlarmsProps) {
    super(scope, id);
    if (props.notificationArns.length === 0) {
      throw new Error("notificationArns: empty, so the alarms would tell nobody; pass the AlarmTopic's topicArn.");
    }
    this.props = props;
    this.alarmNames = this.names;
    if (props.instanceCpu !== undefined) this.instanceCpu(props.instanceCpu);
    if (props.services !== undefined) this.serviceTasks(props.services);
    if (props.loadBalancer !== undefined) this.loadBalancer(props.loadBalancer);
    if (props.networkLoadBalancer !== undefined) this.networkLoadBalancer(props.networkLoadBalancer);
    if (props.efsBurstCredits !== undefined) this.efsBurstCredits(props.efsBurstCredits);
  }

  private instanceCpu(props: InstanceCpuAlarmProps): void {
    const threshold = props.thresholdPercent ?? ALARM_DEFAULTS.instanceCpuPercent;
    const minutes = props.minutes ?? ALARM_DEFAULTS.instanceCpuMinutes;
    checkPositive("instanceCpu.thresholdPercent", threshold, 100);
    checkWholeMinutes("instanceCpu.minutes", minutes, EC2_BASIC_PERIOD_SECONDS / MINUTE);
    this.alarm("instance_cpu_high", {
      nameSuffix: "instance-cpu-high",
      alarmDescription:
        `Average CPU of the instances of ${props.autoScalingGroupName} above ${threshold} % for ${minutes} minutes: ` +
        "conferences may stutter; check which service is busy, scale out or use a larger instance type.",
      namespace: "AWS/EC2",
      metricName: "CPUUtilization",
      dimensions: { AutoScalingGroupName: props.autoScalingGroupName },
      statistic: "Average",
      period: EC2_BASIC_PERIOD_SECONDS,
      evaluationPeriods: minutes / (EC2_BASIC_PERIOD_SECONDS / MINUTE),
      comparisonOperator: "GreaterThanThreshold",
      threshold,
      // No instance reports no CPU: nothing is overloaded (the task alarms see the outage).
      treatMissingData: "notBreaching",
    });
  }

  private serviceTasks(props: ServiceTaskAlarmsProps): void {
    const minutes = props.minutes ?? ALARM_DEFAULTS.taskCountMinutes;
    checkWholeMinutes("services.minutes", minutes);
    const metric = props.metric ?? "service-utilization";
    for (const [key, serviceName] of Object.entries(props.serviceNames)) {
      const dimensions = { ClusterName: props.clusterName, ServiceName: serviceName };
      const window = { evaluationPeriods: minutes, datapointsToAlarm: minutes };
      if (metric === "service-utilization") {
        this.alarm(`service_${key}_tasks`, {
          nameSuffix: `${key}-no-running-task`,
          alarmDescription:
            `No task of ECS service ${serviceName} has run for ${minutes} minutes (no AWS/ECS metric was published): ` +
            `the service is down; see its events with aws ecs describe-services --cluster ${props.clusterName} --services ${serviceName}.`,
          namespace: "AWS/ECS",
          metricName: "MemoryUtilization",
          dimensions,
          statistic: "SampleCount",
          period: MINUTE,
          ...window,
          comparisonOperator: "LessThanThreshold",
          threshold: 1,
          // The metric's absence is the signal: ECS publishes nothing for a service without a running task.
          treatMissingData: "breaching",
        });
      } else {
        const insight = (id: string, metricName: string) => ({
          id,
          metric: { namespace: "ECS/ContainerInsights", metricName, dimensions, stat: "Average", period: MINUTE },
        });
        this.alarm(`service_${key}_tasks`, {
          nameSuffix: `${key}-tasks-below-desired`,
          alarmDescription:
            `ECS service ${serviceName} has run fewer tasks than desired for ${minutes} minutes: ` +
            `see its events with aws ecs describe-services --cluster ${props.clusterName} --services ${serviceName}.`,
          metricQuery: [
            insight("running", "RunningTaskCount"),
            insight("desired", "DesiredTaskCount"),
            // A service with no running task may publish no RunningTaskCount at all: that counts as 0.
            { id: "missing", expression: "desired - FILL(running, 0)", label: "Tasks missing", returnData: true },
          ],
          ...window,
          comparisonOperator: "GreaterThanThreshold",
          threshold: 0,
          // Container Insights publishes for every service each minute; silence means it stopped seeing the cluster.
          treatMissingData: "breaching",
        });
      }
    }
  }

  private loadBalancer(props: LoadBalancerAlarmsProps): void {
    const unhealthyMinutes = props.unhealthyTargetMinutes ?? ALARM_DEFAULTS.unhealthyTargetMinutes;
    const errorThreshold = props.elb5xxThreshold ?? ALARM_DEFAULTS.loadBalancer5xxCount;
    const errorMinutes = props.elb5xxMinutes ?? ALARM_DEFAULTS.loadBalancer5xxMinutes;
    checkWholeMinutes("loadBalancer.unhealthyTargetMinutes", unhealthyMinutes);
    checkWholeMinutes("loadBalancer.elb5xxMinutes", errorMinutes);
    if (!Token.isUnresolved(errorThreshold) && !(Number.isInteger(errorThreshold) && errorThreshold >= 1)) {
      throw new Error(`loadBalancer.elb5xxThreshold: ${errorThreshold} is not a count of responses; use a whole number of at least 1.`);
    }

    this.unhealthyTargets("AWS/ApplicationELB", props.arnSuffix, props.targetGroupArnSuffixes, unhealthyMinutes);

    this.alarm("load_balancer_5xx", {
      nameSuffix: "alb-5xx",
      alarmDescription:
        `The load balancer answered ${errorThreshold} or more requests with its own 5xx within ${errorMinutes} minutes ` +
        "(502/503/504: no healthy target, a target closed or timed out); see the unhealthy-targets alarms.",
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_ELB_5XX_Count",
      dimensions: { LoadBalancer: props.arnSuffix },
      statistic: "Sum",
      period: errorMinutes * MINUTE,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: errorThreshold,
      // The count is published only in minutes that had such errors.
      treatMissingData: "notBreaching",
    });
  }

  private networkLoadBalancer(props: NetworkLoadBalancerAlarmsProps): void {
    const unhealthyMinutes = props.unhealthyTargetMinutes ?? ALARM_DEFAULTS.unhealthyTargetMinutes;
    checkWholeMinutes("networkLoadBalancer.unhealthyTargetMinutes", unhealthyMinutes);
    this.unhealthyTargets("AWS/NetworkELB", props.arnSuffix, props.targetGroupArnSuffixes, unhealthyMinutes);
  }

  /** One alarm per target group with a target failing its health checks for `minutes`. */
  private unhealthyTargets(namespace: string, loadBalancer: string, targetGroups: Readonly<Record<string, string>>, minutes: number): void {
    for (const [key, targetGroup] of Object.entries(targetGroups)) {
      this.alarm(`unhealthy_targets_${key}`, {
        nameSuffix: `${key}-unhealthy-targets`,
        alarmDescription:
          `A target of the ${key} target group has failed its health check for ${minutes} minutes: ` +
          "the container behind it answers wrongly or not at all; read its logs.",
        namespace,
        metricName: "UnHealthyHostCount",
        dimensions: { LoadBalancer: loadBalancer, TargetGroup: targetGroup },
        statistic: "Maximum",
        period: MINUTE,
        evaluationPeriods: minutes,
        datapointsToAlarm: minutes,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        // Reported only while targets are registered; no target at all is the task alarms' business.
        treatMissingData: "notBreaching",
      });
    }
  }

  private efsBurstCredits(props: EfsBurstCreditAlarmProps): void {
    const minimumGiB = props.minimumBalanceGiB ?? ALARM_DEFAULTS.efsBurstCreditBalanceGiB;
    checkPositive("efsBurstCredits.minimumBalanceGiB", minimumGiB);
    this.alarm("efs_burst_credits_low", {
      nameSuffix: "efs-burst-credits-low",
      alarmDescription:
        `EFS ${props.fileSystemId} holds less than ${minimumGiB} GiB of burst credits: once they are gone its throughput ` +
        "falls to the baseline and every service on it slows down; find what reads or writes so much, or switch to Elastic throughput.",
      namespace: "AWS/EFS",
      metricName: "BurstCreditBalance",
      dimensions: { FileSystemId: props.fileSystemId },
      statistic: "Minimum",
      period: 5 * MINUTE,
      evaluationPeriods: 1,
      comparisonOperator: "LessThanThreshold",
      threshold: minimumGiB * GIB,
      // EFS publishes every minute; a gap is not a low balance, so the alarm shows INSUFFICIENT_DATA rather than guess.
      treatMissingData: "missing",
    });
  }

  private alarm(id: string, spec: AlarmSpec): void {
    const { nameSuffix, ...config } = spec;
    const alarmName = `${this.props.namePrefix}-${nameSuffix}`;
    if (!Token.isUnresolved(alarmName) && alarmName.length > 255) {
      throw new Error(`namePrefix: alarm name ${JSON.stringify(alarmName)} is longer than 255 characters; shorten the prefix or the key.`);
    }
    new CloudwatchMetricAlarm(this, id, {
      ...config,
      alarmName,
      actionsEnabled: true,
      alarmActions: [...this.props.notificationArns],
      okActions: [...this.props.notificationArns],
    });
    this.names[id] = alarmName;
  }
}
