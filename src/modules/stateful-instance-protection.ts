import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SsmDocument } from "@cdktf/provider-aws/lib/ssm-document";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { assumeRolePolicy } from "./iam-policy";

export interface StatefulInstanceProtectionProps {
  /**
   * Base of every name: the automation document and the rule are `<name>`, the roles
   * `<name>-ssm` (the automation's) and `<name>-events` (EventBridge's). 3 to 57 letters,
   * digits, `-` and `_`, not starting with `aws` or `amazon` (reserved for AWS's documents).
   */
  readonly name: string;
  /** ARN of the ECS cluster the services run in. */
  readonly clusterArn: string;
  /** The group whose instances may be scaled in. */
  readonly autoScalingGroupName: string;
  readonly autoScalingGroupArn: string;
  /** The ECS services whose tasks hold state (sessions, a database); their instances are protected. */
  readonly serviceNames: readonly string[];
}

const NAME = /^[A-Za-z0-9_-]{3,57}$/;

/**
 * Scale-in protection for the instances that run the stateful services, where CPU scaling
 * decides which instance goes (ECS managed termination protection needs managed scaling,
 * which cannot scale for the JVBs). Each time a task of one of `serviceNames` starts,
 * EventBridge runs an SSM Automation that looks up the task's EC2 instance and protects it
 * from scale-in (`autoscaling:SetInstanceProtection`). Nothing of this needs code of its own:
 * the document calls the two AWS APIs.
 *
 * An instance stays protected after its stateful tasks leave it (a redeploy that places them
 * elsewhere): the group then scales in only the others, until that instance is replaced.
 * Protection does not stop a health replacement or an instance refresh.
 */
export class StatefulInstanceProtection extends Construct {
  /** The automation's document, as EventBridge and `aws ssm start-automation-execution` name it. */
  public readonly documentName: string;
  public readonly ruleName: string;

  constructor(scope: Construct, id: string, props: StatefulInstanceProtectionProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.name) && (!NAME.test(props.name) || /^(aws|amazon)/i.test(props.name))) {
      throw new Error(
        `name: ${JSON.stringify(props.name)} cannot name an SSM document and its roles; use 3 to 57 letters, digits, - and _, not starting with "aws" or "amazon".`,
      );
    }
    if (props.serviceNames.length === 0) {
      throw new Error("serviceNames: empty, so no instance would ever be protected; name the services whose tasks hold state.");
    }

    const automationRole = new IamRole(this, "automation_role", {
      name: `${props.name}-ssm`,
      assumeRolePolicy: assumeRolePolicy("ssm.amazonaws.com"),
    });
    // Container instance ARNs sit beside the cluster's: arn:…:container-instance/<cluster>/<id>.
    const containerInstances = `${Fn.replace(props.clusterArn, ":cluster/", ":container-instance/")}/*`;
    new IamRolePolicy(this, "automation_role_policy", {
      name: "protect-stateful-instance",
      role: automationRole.name,
      policy: JSON.stringify({
        Statement: [
          { Action: ["ecs:DescribeContainerInstances"], Effect: "Allow", Resource: [containerInstances] },
          { Action: ["autoscaling:SetInstanceProtection"], Effect: "Allow", Resource: [props.autoScalingGroupArn] },
        ],
        Version: "2012-10-17",
      }),
    });

    const document = new SsmDocument(this, "document", {
      name: props.name,
      documentType: "Automation",
      documentFormat: "JSON",
      content: JSON.stringify(automationContent(props.autoScalingGroupName, automationRole.arn)),
    });
    this.documentName = document.name;

    // EventBridge starts an automation by its definition ARN, the document's with another resource type.
    const definition = Fn.replace(document.arn, ":document/", ":automation-definition/");
    const eventsRole = new IamRole(this, "events_role", {
      name: `${props.name}-events`,
      assumeRolePolicy: assumeRolePolicy("events.amazonaws.com"),
    });
    new IamRolePolicy(this, "events_role_policy", {
      name: "start-protect-stateful-instance",
      role: eventsRole.name,
      policy: JSON.stringify({
        Statement: [
          { Action: ["ssm:StartAutomationExecution"], Effect: "Allow", Resource: [`${definition}:*`] },
          {
            Action: ["iam:PassRole"],
            Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
            Effect: "Allow",
            Resource: [automationRole.arn],
          },
        ],
        Version: "2012-10-17",
      }),
    });

    const rule = new CloudwatchEventRule(this, "rule", {
      name: props.name,
      description: "A stateful task started: protect its instance from scale-in",
      eventPattern: JSON.stringify({
        source: ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        detail: {
          clusterArn: [props.clusterArn],
          group: props.serviceNames.map((service) => `service:${service}`),
          lastStatus: ["RUNNING"],
        },
      }),
    });
    this.ruleName = rule.name;
    new CloudwatchEventTarget(this, "target", {
      rule: rule.name,
      targetId: "protect-stateful-instance",
      arn: `${definition}:$DEFAULT`,
      roleArn: eventsRole.arn,
      inputTransformer: {
        inputPaths: { cluster: "$.detail.clusterArn", containerInstance: "$.detail.containerInstanceArn" },
        // Automation parameters are lists of strings.
        inputTemplate: '{"ClusterArn":["<cluster>"],"ContainerInstanceArn":["<containerInstance>"]}',
      },
    });
  }
}

/** The SSM Automation document (schema 0.3): find the container instance's EC2 instance, protect it. */
export function automationContent(autoScalingGroupName: string, assumeRoleArn: string): Record<string, unknown> {
  return {
    schemaVersion: "0.3",
    description: "Protects from scale-in the EC2 instance of an ECS container instance that runs a stateful task.",
    assumeRole: "{{ AutomationAssumeRole }}",
    parameters: {
      ClusterArn: { type: "String", description: "The ECS cluster of the container instance." },
      ContainerInstanceArn: { type: "String", description: "The container instance the task started on." },
      AutoScalingGroupName: { type: "String", default: autoScalingGroupName },
      AutomationAssumeRole: { type: "String", default: assumeRoleArn },
    },
    mainSteps: [
      {
        name: "findInstance",
        action: "aws:executeAwsApi",
        inputs: {
          Service: "ecs",
          Api: "DescribeContainerInstances",
          cluster: "{{ ClusterArn }}",
          containerInstances: ["{{ ContainerInstanceArn }}"],
        },
        outputs: [{ Name: "InstanceId", Selector: "$.containerInstances[0].ec2InstanceId", Type: "String" }],
      },
      {
        name: "protectInstance",
        action: "aws:executeAwsApi",
        inputs: {
          Service: "autoscaling",
          Api: "SetInstanceProtection",
          AutoScalingGroupName: "{{ AutoScalingGroupName }}",
          InstanceIds: ["{{ findInstance.InstanceId }}"],
          ProtectedFromScaleIn: true,
        },
        isEnd: true,
      },
    ],
  };
}
