import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { AlarmTopic } from "../../src/modules/alarm-topic";
import { DeploymentCircuitBreakers, DeploymentFailureAlarm } from "../../src/modules/deployment-circuit-breaker";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

describe("DeploymentCircuitBreakers", () => {
  it("gives every ECS service under the scope the circuit breaker with rollback, however it was made", () => {
    const { json } = synthConstructs((scope) => {
      new EcsService(scope, "one", { name: "one", cluster: "c", taskDefinition: "t" });
      new EcsService(scope, "two", { name: "two", cluster: "c", taskDefinition: "t", schedulingStrategy: "DAEMON" });
      DeploymentCircuitBreakers.addTo(scope);
    });
    const services = resourcesOf(json, "aws_ecs_service");
    expect(Object.values(services).map((service) => service.deployment_circuit_breaker)).toEqual([
      { enable: true, rollback: true },
      { enable: true, rollback: true },
    ]);
  });
});

describe("DeploymentFailureAlarm", () => {
  const { json } = synthConstructs((scope) => {
    const topic = new AlarmTopic(scope, "alarm_topic", { topicName: "t", eventBridgePublishes: true });
    new DeploymentFailureAlarm(scope, "deployment_failed", { name: "jm-dev-deployment-failed", serviceArnPrefix: "arn:aws:ecs:eu-west-1:123456789012:service/c/", topicArn: topic.topicArn });
  });

  it("sends ECS's failed deployments of the cluster's services to the alarm topic", () => {
    const rule = onlyResource(json, "aws_cloudwatch_event_rule");
    expect(JSON.parse(rule.event_pattern as string)).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Deployment State Change"],
      resources: [{ prefix: "arn:aws:ecs:eu-west-1:123456789012:service/c/" }],
      detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
    });
    expect(onlyResource(json, "aws_cloudwatch_event_target")).toMatchObject({ rule: "${aws_cloudwatch_event_rule.deployment_failed_rule.name}", arn: "${aws_sns_topic.alarm_topic.arn}" });
  });

  it("lets EventBridge of the topic's own account publish, beside CloudWatch alarms", () => {
    const policy = JSON.parse(onlyResource(json, "aws_sns_topic_policy").policy as string);
    expect(policy.Statement.map((statement: { Sid: string }) => statement.Sid)).toEqual(["CloudWatchAlarmsPublish", "EventBridgePublishes"]);
    expect(policy.Statement[1]).toEqual(
      {
        Sid: "EventBridgePublishes",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sns:Publish",
        Resource: "${aws_sns_topic.alarm_topic.arn}",
        Condition: { StringEquals: { "aws:SourceAccount": "${aws_sns_topic.alarm_topic.owner}" } },
      },
    );
  });
});
