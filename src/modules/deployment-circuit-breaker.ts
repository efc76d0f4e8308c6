import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { Aspects, IAspect } from "cdktf";
import { Construct, IConstruct } from "constructs";

/**
 * ECS's deployment circuit breaker with rollback on every ECS service under `scope`, whichever construct made it:
 * a deployment whose tasks keep failing to start (a tag that does not exist, a container that exits) stops after a
 * few attempts and returns the service to its last revision that ran, instead of replacing tasks forever.
 */
export class DeploymentCircuitBreakers implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof EcsService) node.putDeploymentCircuitBreaker({ enable: true, rollback: true });
  }

  static addTo(scope: Construct): void {
    Aspects.of(scope).add(new DeploymentCircuitBreakers());
  }
}

export interface DeploymentFailureAlarmProps {
  /** Name of the EventBridge rule. */
  readonly name: string;
  /** Start of the ARNs of the services whose failed deployments are reported: `arn:aws:ecs:<region>:<account>:service/<cluster>/`. */
  readonly serviceArnPrefix: string;
  /** The SNS topic that gets them; its policy must let EventBridge publish (`AlarmTopic` `eventBridgePublishes`). */
  readonly topicArn: string;
}

/**
 * The alarm a tripped circuit breaker raises: ECS's `SERVICE_DEPLOYMENT_FAILED` event of any service of the
 * cluster, sent to the alarm topic. The rollback itself is ECS's; this says that it happened.
 */
export class DeploymentFailureAlarm extends Construct {
  constructor(scope: Construct, id: string, props: DeploymentFailureAlarmProps) {
    super(scope, id);
    const rule = new CloudwatchEventRule(this, "rule", {
      name: props.name,
      description: "An ECS deployment of the platform failed and its circuit breaker rolled it back",
      eventPattern: JSON.stringify({
        source: ["aws.ecs"],
        "detail-type": ["ECS Deployment State Change"],
        resources: [{ prefix: props.serviceArnPrefix }],
        detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
      }),
    });
    new CloudwatchEventTarget(this, "target", { rule: rule.name, arn: props.topicArn });
  }
}
