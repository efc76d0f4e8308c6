import { AutoscalingPolicy } from "@cdktf/provider-aws/lib/autoscaling-policy";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Token } from "cdktf";
import { Construct } from "constructs";

/** The legacy production rule: one more instance above 75 % average CPU, one fewer below 25 %. */
export const DEFAULT_SCALE_OUT = { thresholdPercent: 75, periodSeconds: 300, evaluationPeriods: 1 } as const;
// Three periods before scaling in: a conference that just moved to the new instance must not make it flap.
export const DEFAULT_SCALE_IN = { thresholdPercent: 25, periodSeconds: 300, evaluationPeriods: 3 } as const;
const DEFAULT_INSTANCE_WARMUP_SECONDS = 300;
/** CloudWatch evaluates at most one day of datapoints per alarm. */
const MAX_EVALUATION_SECONDS = 86400;

/** When the group's average CPU triggers a step. */
export interface CpuThreshold {
  /** Average CPU utilization of the group's instances, percent (above 0, below 100). */
  readonly thresholdPercent?: number;
  /**
   * Seconds per datapoint, a multiple of 60. 60 needs detailed monitoring, which launch templates and
   * launch configurations of this project turn on.
   * @default 300
   */
  readonly periodSeconds?: number;
  /** Datapoints in a row beyond the threshold before the group changes. */
  readonly evaluationPeriods?: number;
}

/** The CPU step scaling of one group, as `CapacityScaling` in mode `"cpu"` takes it. */
export interface CpuScalingOptions {
  /** @default DEFAULT_SCALE_OUT - above 75 % for one 5-minute period */
  readonly scaleOut?: CpuThreshold;
  /** @default DEFAULT_SCALE_IN - below 25 % for three 5-minute periods */
  readonly scaleIn?: CpuThreshold;
  /**
   * Seconds before a new instance's CPU counts towards the group's average.
   * @default 300
   */
  readonly instanceWarmupSeconds?: number;
}

export interface CpuScalingPoliciesProps extends CpuScalingOptions {
  readonly autoScalingGroupName: string;
  /**
   * Prefix of the policy and alarm names, unique in the account and region.
   * @default - the group's name
   */
  readonly namePrefix?: string;
}

function check(field: string, value: number, ok: boolean, fix: string): void {
  if (Token.isUnresolved(value) || ok) return;
  throw new Error(`${field}: ${JSON.stringify(value)} ${fix}.`);
}

function resolveThreshold(field: "scaleOut" | "scaleIn", given: CpuThreshold | undefined, defaults: Required<CpuThreshold>) {
  const threshold = { ...defaults, ...given };
  check(
    `${field}.thresholdPercent`,
    threshold.thresholdPercent,
    threshold.thresholdPercent > 0 && threshold.thresholdPercent < 100,
    "is not a CPU percentage; use a number above 0 and below 100",
  );
  check(
    `${field}.periodSeconds`,
    threshold.periodSeconds,
    Number.isInteger(threshold.periodSeconds) && threshold.periodSeconds >= 60 && threshold.periodSeconds % 60 === 0,
    "is not a period EC2 metrics have; use 60 (detailed monitoring) or a multiple of it such as 300",
  );
  check(
    `${field}.evaluationPeriods`,
    threshold.evaluationPeriods,
    Number.isInteger(threshold.evaluationPeriods) && threshold.evaluationPeriods >= 1,
    "is not a count of periods; use a whole number of at least 1",
  );
  check(
    `${field}.evaluationPeriods`,
    threshold.evaluationPeriods,
    threshold.evaluationPeriods * threshold.periodSeconds <= MAX_EVALUATION_SECONDS,
    `times periodSeconds ${threshold.periodSeconds} exceeds the ${MAX_EVALUATION_SECONDS} s a CloudWatch alarm can evaluate; use fewer or shorter periods`,
  );
  return threshold;
}

/**
 * CPU-based scaling of an Auto Scaling group: two CloudWatch alarms on the group's
 * average `CPUUtilization`, each driving a step scaling policy that adds or removes
 * one instance. Step rather than simple scaling: a step policy keeps evaluating
 * during an activity and honours the instance warmup instead of a cooldown.
 */
export class CpuScalingPolicies extends Construct {
  public readonly scaleOutPolicyArn: string;
  public readonly scaleInPolicyArn: string;

  constructor(scope: Construct, id: string, props: CpuScalingPoliciesProps) {
    super(scope, id);
    const out = resolveThreshold("scaleOut", props.scaleOut, DEFAULT_SCALE_OUT);
    const scaleIn = resolveThreshold("scaleIn", props.scaleIn, DEFAULT_SCALE_IN);
    if (!Token.isUnresolved(out.thresholdPercent) && !Token.isUnresolved(scaleIn.thresholdPercent) && scaleIn.thresholdPercent >= out.thresholdPercent) {
      throw new Error(
        `scaleIn.thresholdPercent: ${scaleIn.thresholdPercent} is not below scaleOut.thresholdPercent ${out.thresholdPercent}; ` +
          "keep a gap between them (e.g. 25 and 75) or the group scales in and out in turn.",
      );
    }
    const warmup = props.instanceWarmupSeconds ?? DEFAULT_INSTANCE_WARMUP_SECONDS;
    check("instanceWarmupSeconds", warmup, Number.isInteger(warmup) && warmup >= 0, "is not a number of seconds; use a whole number of at least 0");

    const prefix = props.namePrefix ?? props.autoScalingGroupName;
    const policy = (policyId: string, adjustment: 1 | -1) =>
      new AutoscalingPolicy(this, policyId, {
        name: `${prefix}-${policyId.replace("_", "-")}`,
        autoscalingGroupName: props.autoScalingGroupName,
        policyType: "StepScaling",
        adjustmentType: "ChangeInCapacity",
        metricAggregationType: "Average",
        estimatedInstanceWarmup: warmup,
        // Bounds are relative to the alarm's threshold: any breach is one step of one instance.
        stepAdjustment: [
          adjustment > 0
            ? { metricIntervalLowerBound: "0", scalingAdjustment: adjustment }
            : { metricIntervalUpperBound: "0", scalingAdjustment: adjustment },
        ],
      });
    const scaleOutPolicy = policy("scale_out", 1);
    const scaleInPolicy = policy("scale_in", -1);

    const alarm = (alarmId: string, threshold: Required<CpuThreshold>, above: boolean, policyArn: string) =>
      new CloudwatchMetricAlarm(this, alarmId, {
        alarmName: `${prefix}-${alarmId.replace("_", "-")}`,
        alarmDescription: `${above ? "Adds" : "Removes"} an instance of ${props.autoScalingGroupName} when its average CPU stays ${
          above ? "above" : "below"
        } ${threshold.thresholdPercent} % for ${threshold.evaluationPeriods * threshold.periodSeconds} s.`,
        namespace: "AWS/EC2",
        metricName: "CPUUtilization",
        dimensions: { AutoScalingGroupName: props.autoScalingGroupName },
        statistic: "Average",
        period: threshold.periodSeconds,
        evaluationPeriods: threshold.evaluationPeriods,
        threshold: threshold.thresholdPercent,
        comparisonOperator: above ? "GreaterThanThreshold" : "LessThanThreshold",
        alarmActions: [policyArn],
      });
    alarm("cpu_high", out, true, scaleOutPolicy.arn);
    alarm("cpu_low", scaleIn, false, scaleInPolicy.arn);

    this.scaleOutPolicyArn = scaleOutPolicy.arn;
    this.scaleInPolicyArn = scaleInPolicy.arn;
  }
}
