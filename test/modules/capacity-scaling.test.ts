import { EcsService as AwsEcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { ScalingMode } from "../../src/modules/autoscaling-capacity";
import { CapacityScaling, CapacityScalingProps } from "../../src/modules/capacity-scaling";
import { CpuScalingPolicies, CpuScalingPoliciesProps } from "../../src/modules/cpu-scaling-policies";
import { EcsCapacityProvider, EcsCapacityProviderProps } from "../../src/modules/ecs-capacity-provider";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

const policies = (overrides: Partial<CpuScalingPoliciesProps> = {}) =>
  synthConstructs((scope) => new CpuScalingPolicies(scope, "scaling", { autoScalingGroupName: "my-asg", ...overrides })).json;

const providerProps: EcsCapacityProviderProps = {
  name: "my-capacity",
  clusterName: "my-cluster",
  autoScalingGroupArn: "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:1:autoScalingGroupName/my-asg",
};
const provider = (overrides: Partial<EcsCapacityProviderProps> = {}) =>
  synthConstructs((scope) => new EcsCapacityProvider(scope, "provider", { ...providerProps, ...overrides })).json;

const group = (scaling?: ScalingMode) => ({ autoScalingGroupName: "my-asg", autoScalingGroupArn: providerProps.autoScalingGroupArn, scaling });
const scaling = (props: Partial<CapacityScalingProps> & Pick<CapacityScalingProps, "mode">) =>
  synthConstructs((scope) => new CapacityScaling(scope, "capacity_scaling", { clusterName: "my-cluster", group: group(props.mode), ...props })).json;

describe("CpuScalingPolicies", () => {
  it("adds an instance when the group's average CPU is above 75 % for 5 minutes (the legacy production rule)", () => {
    const json = policies();
    expect(resourcesOf(json, "aws_cloudwatch_metric_alarm").scaling_cpu_high).toMatchObject({
      alarm_name: "my-asg-cpu-high",
      namespace: "AWS/EC2",
      metric_name: "CPUUtilization",
      dimensions: { AutoScalingGroupName: "my-asg" },
      statistic: "Average",
      comparison_operator: "GreaterThanThreshold",
      threshold: 75,
      period: 300,
      evaluation_periods: 1,
      alarm_actions: ["${aws_autoscaling_policy.scaling_scale_out.arn}"],
    });
    expect(resourcesOf(json, "aws_autoscaling_policy").scaling_scale_out).toMatchObject({
      autoscaling_group_name: "my-asg",
      policy_type: "StepScaling",
      adjustment_type: "ChangeInCapacity",
      estimated_instance_warmup: 300,
      step_adjustment: [{ metric_interval_lower_bound: "0", scaling_adjustment: 1 }],
    });
  });

  it("removes an instance when the average CPU stays below 25 % for 15 minutes", () => {
    const json = policies();
    expect(resourcesOf(json, "aws_cloudwatch_metric_alarm").scaling_cpu_low).toMatchObject({
      comparison_operator: "LessThanThreshold",
      threshold: 25,
      period: 300,
      evaluation_periods: 3,
      alarm_actions: ["${aws_autoscaling_policy.scaling_scale_in.arn}"],
    });
    expect(resourcesOf(json, "aws_autoscaling_policy").scaling_scale_in).toMatchObject({
      step_adjustment: [{ metric_interval_upper_bound: "0", scaling_adjustment: -1 }],
    });
  });

  it("takes thresholds and periods from its props", () => {
    const json = policies({ scaleOut: { thresholdPercent: 60, periodSeconds: 60, evaluationPeriods: 5 }, scaleIn: { thresholdPercent: 10 }, instanceWarmupSeconds: 120 });
    expect(resourcesOf(json, "aws_cloudwatch_metric_alarm").scaling_cpu_high).toMatchObject({ threshold: 60, period: 60, evaluation_periods: 5 });
    expect(resourcesOf(json, "aws_cloudwatch_metric_alarm").scaling_cpu_low).toMatchObject({ threshold: 10, period: 300, evaluation_periods: 3 });
    expect(resourcesOf(json, "aws_autoscaling_policy").scaling_scale_out.estimated_instance_warmup).toBe(120);
  });

  it.each([
    [{ scaleOut: { thresholdPercent: 100 } }, "scaleOut.thresholdPercent: 100 is not a CPU percentage"],
    [{ scaleIn: { thresholdPercent: 80 } }, "scaleIn.thresholdPercent: 80 is not below scaleOut.thresholdPercent 75"],
    [{ scaleOut: { periodSeconds: 90 } }, "scaleOut.periodSeconds: 90 is not a period EC2 metrics have"],
    [{ scaleIn: { evaluationPeriods: 0 } }, "scaleIn.evaluationPeriods: 0 is not a count of periods"],
    [{ scaleIn: { evaluationPeriods: 300 } }, "scaleIn.evaluationPeriods: 300 times periodSeconds 300 exceeds the 86400 s"],
    [{ instanceWarmupSeconds: -1 }, "instanceWarmupSeconds: -1 is not a number of seconds"],
  ] as [Partial<CpuScalingPoliciesProps>, string][])("refuses %j", (overrides, message) => {
    expect(() => policies(overrides)).toThrow(message);
  });
});

describe("EcsCapacityProvider", () => {
  it("without managed scaling leaves the size to the group's own policies but drains instances before they go", () => {
    const cp = onlyResource(provider(), "aws_ecs_capacity_provider");
    expect(cp.auto_scaling_group_provider).toEqual({
      auto_scaling_group_arn: providerProps.autoScalingGroupArn,
      managed_scaling: { status: "DISABLED" },
      managed_termination_protection: "DISABLED",
      managed_draining: "ENABLED",
    });
  });

  it("with managed scaling and termination protection grows one instance at a time to a target capacity of 100 %", () => {
    const cp = onlyResource(provider({ managedScaling: {}, managedTerminationProtection: true }), "aws_ecs_capacity_provider");
    expect(cp.auto_scaling_group_provider).toMatchObject({
      managed_termination_protection: "ENABLED",
      managed_scaling: { status: "ENABLED", target_capacity: 100, minimum_scaling_step_size: 1, maximum_scaling_step_size: 1, instance_warmup_period: 300 },
    });
  });

  it("is the cluster's capacity provider and default strategy", () => {
    const json = provider();
    expect(onlyResource(json, "aws_ecs_cluster_capacity_providers")).toEqual({
      cluster_name: "my-cluster",
      capacity_providers: ["${aws_ecs_capacity_provider.provider.name}"],
      default_capacity_provider_strategy: [{ capacity_provider: "${aws_ecs_capacity_provider.provider.name}", weight: 1, base: 0 }],
    });
  });

  it.each([
    [{ name: "ecs-capacity" }, 'name: "ecs-capacity" is not a capacity provider name'],
    [{ managedTerminationProtection: true }, "managedTerminationProtection: true without managedScaling"],
    [{ managedScaling: { targetCapacityPercent: 0 } }, "managedScaling.targetCapacityPercent: 0 is out of range"],
    [{ managedScaling: { minimumScalingStepSize: 3, maximumScalingStepSize: 2 } }, "managedScaling.minimumScalingStepSize: 3 is above maximumScalingStepSize 2"],
  ] as [Partial<EcsCapacityProviderProps>, string][])("refuses %j", (overrides, message) => {
    expect(() => provider(overrides)).toThrow(message);
  });
});

describe("CapacityScaling", () => {
  it('in mode "cpu" creates the CPU policies and a capacity provider without managed scaling or termination protection', () => {
    const json = scaling({ mode: "cpu" });
    expect(Object.keys(resourcesOf(json, "aws_autoscaling_policy")).sort()).toEqual(["capacity_scaling_cpu_scale_in", "capacity_scaling_cpu_scale_out"]);
    expect(Object.keys(resourcesOf(json, "aws_cloudwatch_metric_alarm"))).toHaveLength(2);
    expect(onlyResource(json, "aws_ecs_capacity_provider")).toMatchObject({
      name: "my-asg",
      auto_scaling_group_provider: { managed_scaling: { status: "DISABLED" }, managed_termination_protection: "DISABLED", managed_draining: "ENABLED" },
    });
  });

  it('in mode "ecs-managed" creates no policy of its own and lets ECS scale and protect instances that run tasks', () => {
    const json = scaling({ mode: "ecs-managed", capacityProviderName: "jitsi-capacity", managedScaling: { targetCapacityPercent: 90 } });
    expect(resourcesOf(json, "aws_autoscaling_policy")).toEqual({});
    expect(resourcesOf(json, "aws_cloudwatch_metric_alarm")).toEqual({});
    expect(onlyResource(json, "aws_ecs_capacity_provider")).toMatchObject({
      name: "jitsi-capacity",
      auto_scaling_group_provider: { managed_scaling: { status: "ENABLED", target_capacity: 90 }, managed_termination_protection: "ENABLED" },
    });
  });

  it("refuses to combine CPU policies with ECS managed scaling, in either direction", () => {
    expect(() => scaling({ mode: "cpu", managedScaling: {} })).toThrow(/managedScaling: set with mode "cpu"; AWS warns against combining/);
    expect(() => scaling({ mode: "ecs-managed", cpu: { scaleOut: { thresholdPercent: 80 } } })).toThrow(/cpu: set with mode "ecs-managed"; AWS warns/);
  });

  it("refuses a group that was not built for the mode, since Terraform would reset its size or leave instances unprotected", () => {
    expect(() => scaling({ mode: "cpu", group: group() })).toThrow('group.scaling: "none" does not match mode "cpu"');
    expect(() => scaling({ mode: "ecs-managed", group: group("cpu") })).toThrow(/group.scaling: "cpu" does not match mode "ecs-managed".*protected from scale-in/);
  });

  it("hands services the strategy that names its capacity provider", () => {
    const { json } = synthConstructs((scope) => {
      const built = new CapacityScaling(scope, "capacity_scaling", { mode: "ecs-managed", clusterName: "c", group: group("ecs-managed") });
      new AwsEcsService(scope, "service", { name: "s", capacityProviderStrategy: built.capacityProviderStrategy.map((item) => ({ ...item })) });
    });
    expect(onlyResource(json, "aws_ecs_service").capacity_provider_strategy).toEqual([
      { capacity_provider: "${aws_ecs_capacity_provider.capacity_scaling_provider.name}", weight: 1, base: 0 },
    ]);
  });
});
