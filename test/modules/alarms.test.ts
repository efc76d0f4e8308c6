import { AlarmTopic } from "../../src/modules/alarm-topic";
import { PlatformAlarms, PlatformAlarmsProps } from "../../src/modules/platform-alarms";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

describe("AlarmTopic", () => {
  const { json } = synthConstructs(
    (scope) => new AlarmTopic(scope, "alarm_topic", { topicName: "jm-staging-alarms", emailAddresses: ["ops@example.org", "on.call@example.org"] }),
  );

  it("is one unencrypted topic (CloudWatch cannot publish through the AWS-managed SNS key)", () => {
    expect(onlyResource(json, "aws_sns_topic")).toEqual(expect.objectContaining({ name: "jm-staging-alarms" }));
    expect(onlyResource(json, "aws_sns_topic")).not.toHaveProperty("kms_master_key_id");
  });

  it("subscribes each address by e-mail, keyed by the address", () => {
    expect(resourcesOf(json, "aws_sns_topic_subscription")).toEqual({
      "alarm_topic_email_ops-example-org": expect.objectContaining({
        topic_arn: "${aws_sns_topic.alarm_topic.arn}",
        protocol: "email",
        endpoint: "ops@example.org",
      }),
      "alarm_topic_email_on-call-example-org": expect.objectContaining({ protocol: "email", endpoint: "on.call@example.org" }),
    });
  });

  it("lets CloudWatch alarms of its account publish, since a topic policy replaces SNS's default one, and EventBridge only where asked", () => {
    const statementsOf = (eventBridgePublishes: boolean) => {
      const { json: topic } = synthConstructs((scope) => new AlarmTopic(scope, "alarm_topic", { topicName: "t", eventBridgePublishes }));
      return JSON.parse(onlyResource(topic, "aws_sns_topic_policy").policy as string).Statement;
    };
    const publisher = (service: string) => ({
      Effect: "Allow",
      Principal: { Service: service },
      Action: "sns:Publish",
      Resource: "${aws_sns_topic.alarm_topic.arn}",
      Condition: { StringEquals: { "aws:SourceAccount": "${aws_sns_topic.alarm_topic.owner}" } },
    });
    expect(statementsOf(false)).toEqual([{ Sid: "CloudWatchAlarmsPublish", ...publisher("cloudwatch.amazonaws.com") }]);
    expect(statementsOf(true)).toEqual([
      { Sid: "CloudWatchAlarmsPublish", ...publisher("cloudwatch.amazonaws.com") },
      { Sid: "EventBridgePublishes", ...publisher("events.amazonaws.com") },
    ]);
  });

  it("has no subscription when no address is given", () => {
    const { json: bare } = synthConstructs((scope) => new AlarmTopic(scope, "t", { topicName: "t" }));
    expect(resourcesOf(bare, "aws_sns_topic_subscription")).toEqual({});
  });

  it("fails on an address without @ and on a duplicate, naming its index", () => {
    expect(() => synthConstructs((scope) => new AlarmTopic(scope, "t", { topicName: "t", emailAddresses: ["ops.example.org"] }))).toThrow(
      'emailAddresses[0]: "ops.example.org" is not an e-mail address; write it as name@example.org.',
    );
    expect(() =>
      synthConstructs((scope) => new AlarmTopic(scope, "t", { topicName: "t", emailAddresses: ["a@example.org", "a@example.org"] })),
    ).toThrow(/^emailAddresses\[1\]: "a@example.org" is listed twice/);
  });

  it("fails on a topic name SNS refuses", () => {
    expect(() => synthConstructs((scope) => new AlarmTopic(scope, "t", { topicName: "jm alarms" }))).toThrow(
      /^topicName: "jm alarms" is not a valid SNS topic name/,
    );
  });
});

const TOPIC = "arn:aws:sns:eu-west-1:123456789012:alarms";
const FULL: PlatformAlarmsProps = {
  namePrefix: "jm-staging",
  notificationArns: [TOPIC],
  instanceCpu: { autoScalingGroupName: "jm-asg" },
  services: { clusterName: "jm-cluster", serviceNames: { jitsi: "jitsi-service", matrix: "matrix-service" } },
  loadBalancer: {
    arnSuffix: "app/jm-alb/0123456789abcdef",
    targetGroupArnSuffixes: { jitsi: "targetgroup/jitsi/1", element: "targetgroup/element/2", synapse: "targetgroup/synapse/3" },
  },
  efsBurstCredits: { fileSystemId: "fs-bce67e88" },
};

describe("PlatformAlarms", () => {
  const alarmsOf = (props: PlatformAlarmsProps) =>
    resourcesOf(synthConstructs((scope) => new PlatformAlarms(scope, "alarms", props)).json, "aws_cloudwatch_metric_alarm");
  const alarms = alarmsOf(FULL);

  it("creates one alarm per concern, each telling the topic when it fires and when it recovers", () => {
    expect(Object.keys(alarms).sort()).toEqual([
      "alarms_efs_burst_credits_low",
      "alarms_instance_cpu_high",
      "alarms_load_balancer_5xx",
      "alarms_service_jitsi_tasks",
      "alarms_service_matrix_tasks",
      "alarms_unhealthy_targets_element",
      "alarms_unhealthy_targets_jitsi",
      "alarms_unhealthy_targets_synapse",
    ]);
    for (const alarm of Object.values(alarms)) {
      expect(alarm).toMatchObject({ actions_enabled: true, alarm_actions: [TOPIC], ok_actions: [TOPIC] });
      expect(alarm.alarm_name).toMatch(/^jm-staging-/);
      expect(alarm.alarm_description).toEqual(expect.any(String));
    }
  });

  it("fires on the group's average CPU above 75 % over one five-minute period by default", () => {
    expect(alarms.alarms_instance_cpu_high).toMatchObject({
      alarm_name: "jm-staging-instance-cpu-high",
      namespace: "AWS/EC2",
      metric_name: "CPUUtilization",
      dimensions: { AutoScalingGroupName: "jm-asg" },
      statistic: "Average",
      period: 300,
      evaluation_periods: 1,
      comparison_operator: "GreaterThanThreshold",
      threshold: 75,
      treat_missing_data: "notBreaching",
    });
  });

  it("takes the CPU threshold and duration it is given, in five-minute periods", () => {
    const custom = alarmsOf({ ...FULL, instanceCpu: { autoScalingGroupName: "a", thresholdPercent: 90, minutes: 15 } });
    expect(custom.alarms_instance_cpu_high).toMatchObject({ threshold: 90, period: 300, evaluation_periods: 3 });
  });

  it("without Container Insights, fires when a service published no AWS/ECS metric, i.e. ran no task, for 5 minutes", () => {
    expect(alarms.alarms_service_jitsi_tasks).toMatchObject({
      alarm_name: "jm-staging-jitsi-no-running-task",
      namespace: "AWS/ECS",
      metric_name: "MemoryUtilization",
      dimensions: { ClusterName: "jm-cluster", ServiceName: "jitsi-service" },
      statistic: "SampleCount",
      period: 60,
      evaluation_periods: 5,
      datapoints_to_alarm: 5,
      comparison_operator: "LessThanThreshold",
      threshold: 1,
      treat_missing_data: "breaching",
    });
  });

  it("with Container Insights, fires when running tasks stay below the desired count", () => {
    const insights = alarmsOf({ ...FULL, services: { ...FULL.services!, metric: "container-insights", minutes: 10 } });
    const alarm = insights.alarms_service_matrix_tasks;
    expect(alarm).toMatchObject({
      alarm_name: "jm-staging-matrix-tasks-below-desired",
      evaluation_periods: 10,
      datapoints_to_alarm: 10,
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
      treat_missing_data: "breaching",
    });
    expect(alarm).not.toHaveProperty("metric_name");
    const queries = alarm.metric_query as { id: string; expression?: string; return_data?: boolean; metric?: Record<string, unknown> }[];
    expect(queries.find((q) => q.return_data)).toEqual({ id: "missing", expression: "desired - FILL(running, 0)", label: "Tasks missing", return_data: true });
    expect(queries.filter((q) => q.metric).map((q) => [q.id, q.metric])).toEqual([
      ["running", expect.objectContaining({ namespace: "ECS/ContainerInsights", metric_name: "RunningTaskCount", dimensions: { ClusterName: "jm-cluster", ServiceName: "matrix-service" } })],
      ["desired", expect.objectContaining({ namespace: "ECS/ContainerInsights", metric_name: "DesiredTaskCount" })],
    ]);
  });

  it("watches each target group's unhealthy targets with the load balancer and target group dimensions", () => {
    expect(alarms.alarms_unhealthy_targets_synapse).toMatchObject({
      alarm_name: "jm-staging-synapse-unhealthy-targets",
      namespace: "AWS/ApplicationELB",
      metric_name: "UnHealthyHostCount",
      dimensions: { LoadBalancer: "app/jm-alb/0123456789abcdef", TargetGroup: "targetgroup/synapse/3" },
      statistic: "Maximum",
      period: 60,
      evaluation_periods: 5,
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
      treat_missing_data: "notBreaching",
    });
  });

  it("watches the target groups of a network load balancer in its own namespace, with the unhealthy minutes it is given", () => {
    const nlb = alarmsOf({
      namePrefix: "jm-staging",
      notificationArns: [TOPIC],
      networkLoadBalancer: { arnSuffix: "net/jm-xmpp/0123", targetGroupArnSuffixes: { xmpp: "targetgroup/xmpp/4" }, unhealthyTargetMinutes: 3 },
    });
    expect(Object.keys(nlb)).toEqual(["alarms_unhealthy_targets_xmpp"]);
    expect(nlb.alarms_unhealthy_targets_xmpp).toMatchObject({
      alarm_name: "jm-staging-xmpp-unhealthy-targets",
      namespace: "AWS/NetworkELB",
      metric_name: "UnHealthyHostCount",
      dimensions: { LoadBalancer: "net/jm-xmpp/0123", TargetGroup: "targetgroup/xmpp/4" },
      evaluation_periods: 3,
      alarm_actions: [TOPIC],
    });
  });

  it("fires on 10 or more 5xx generated by the load balancer in 5 minutes; no data means no errors", () => {
    expect(alarms.alarms_load_balancer_5xx).toMatchObject({
      alarm_name: "jm-staging-alb-5xx",
      metric_name: "HTTPCode_ELB_5XX_Count",
      dimensions: { LoadBalancer: "app/jm-alb/0123456789abcdef" },
      statistic: "Sum",
      period: 300,
      evaluation_periods: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      threshold: 10,
      treat_missing_data: "notBreaching",
    });
    const custom = alarmsOf({ ...FULL, loadBalancer: { ...FULL.loadBalancer!, elb5xxThreshold: 50, elb5xxMinutes: 1 } });
    expect(custom.alarms_load_balancer_5xx).toMatchObject({ threshold: 50, period: 60 });
  });

  it("fires when the EFS burst credit balance falls below 1 TiB, in bytes", () => {
    expect(alarms.alarms_efs_burst_credits_low).toMatchObject({
      namespace: "AWS/EFS",
      metric_name: "BurstCreditBalance",
      dimensions: { FileSystemId: "fs-bce67e88" },
      statistic: "Minimum",
      comparison_operator: "LessThanThreshold",
      threshold: 1024 ** 4,
      treat_missing_data: "missing",
    });
  });

  it("creates only the groups it is given", () => {
    const only = alarmsOf({ namePrefix: "p", notificationArns: [TOPIC], efsBurstCredits: { fileSystemId: "fs-12345678", minimumBalanceGiB: 100 } });
    expect(Object.keys(only)).toEqual(["alarms_efs_burst_credits_low"]);
    expect(only.alarms_efs_burst_credits_low.threshold).toBe(100 * 1024 ** 3);
  });

  it.each<[string, Partial<PlatformAlarmsProps>, string | RegExp]>([
    ["no notification target", { notificationArns: [] }, "notificationArns: empty, so the alarms would tell nobody; pass the AlarmTopic's topicArn."],
    ["CPU minutes off the five-minute grid", { instanceCpu: { autoScalingGroupName: "a", minutes: 7 } }, "instanceCpu.minutes: 7 is not a multiple of 5 minutes from 5 to 1440; use e.g. 5, 10 or 15."],
    ["a CPU threshold above 100 %", { instanceCpu: { autoScalingGroupName: "a", thresholdPercent: 120 } }, "instanceCpu.thresholdPercent: 120 is out of range; use a number above 0 and at most 100."],
    ["fractional task minutes", { services: { clusterName: "c", serviceNames: {}, minutes: 2.5 } }, /^services\.minutes: 2\.5 is not a whole number of minutes/],
    ["a 5xx threshold of 0", { loadBalancer: { arnSuffix: "app/a/1", targetGroupArnSuffixes: {}, elb5xxThreshold: 0 } }, /^loadBalancer\.elb5xxThreshold: 0 is not a count of responses/],
    ["fractional NLB unhealthy minutes", { networkLoadBalancer: { arnSuffix: "net/a/1", targetGroupArnSuffixes: {}, unhealthyTargetMinutes: 0.5 } }, /^networkLoadBalancer\.unhealthyTargetMinutes: 0\.5 is not a whole number of minutes/],
    ["a negative burst credit floor", { efsBurstCredits: { fileSystemId: "fs-12345678", minimumBalanceGiB: -1 } }, /^efsBurstCredits\.minimumBalanceGiB: -1 is out of range/],
  ])("fails on %s, naming the field", (_, override, message) => {
    expect(() => alarmsOf({ ...FULL, ...override })).toThrow(message);
  });
});
