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
   * Base of every name: the protecting document and rule are `<name>`, the releasing ones
   * `<name>-release`, the roles `<name>-ssm` (the automations') and `<name>-events`
   * (EventBridge's). 3 to 56 letters, digits, `-` and `_` (a rule name has at most 64), not
   * starting with `aws` or `amazon` (reserved for AWS's documents).
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

const NAME = /^[A-Za-z0-9_-]{3,56}$/;

/**
 * Scale-in protection for the instances that run the stateful services, where CPU scaling
 * decides which instance goes (ECS managed termination protection needs managed scaling,
 * which cannot scale for the JVBs). Two EventBridge rules start SSM Automations, which call
 * the AWS APIs themselves:
 *
 * - protect: a task of one of `serviceNames` is RUNNING and meant to stay so (desiredStatus
 *   RUNNING, not a task already being stopped): find its EC2 instance, protect it from scale-in;
 * - release: such a task STOPPED: unless another task of `serviceNames` is still meant to run on
 *   that container instance, take the protection off, so that CPU scale-in can take the instance
 *   again once the stateful tasks have moved elsewhere (a redeploy, a replacement).
 *
 * Protection does not stop a health replacement or an instance refresh.
 */
export class StatefulInstanceProtection extends Construct {
  /** The protecting automation's document, as EventBridge and `aws ssm start-automation-execution` name it. */
  public readonly documentName: string;
  public readonly ruleName: string;
  /** The releasing automation's document. */
  public readonly releaseDocumentName: string;
  public readonly releaseRuleName: string;

  constructor(scope: Construct, id: string, props: StatefulInstanceProtectionProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.name) && (!NAME.test(props.name) || /^(aws|amazon)/i.test(props.name))) {
      throw new Error(
        `name: ${JSON.stringify(props.name)} cannot name an SSM document and its roles; use 3 to 56 letters, digits, - and _, not starting with "aws" or "amazon".`,
      );
    }
    if (props.serviceNames.length === 0) {
      throw new Error("serviceNames: empty, so no instance would ever be protected; name the services whose tasks hold state.");
    }

    const automationRole = new IamRole(this, "automation_role", {
      name: `${props.name}-ssm`,
      assumeRolePolicy: assumeRolePolicy("ssm.amazonaws.com"),
    });
    // Container instance and task ARNs sit beside the cluster's: arn:…:container-instance/<cluster>/<id>, arn:…:task/<cluster>/<id>.
    const containerInstances = `${Fn.replace(props.clusterArn, ":cluster/", ":container-instance/")}/*`;
    const tasks = `${Fn.replace(props.clusterArn, ":cluster/", ":task/")}/*`;
    new IamRolePolicy(this, "automation_role_policy", {
      name: "protect-stateful-instance",
      role: automationRole.name,
      policy: JSON.stringify({
        Statement: [
          // ListTasks is authorized on the container instance it filters by.
          { Action: ["ecs:DescribeContainerInstances", "ecs:ListTasks"], Effect: "Allow", Resource: [containerInstances] },
          { Action: ["ecs:DescribeTasks"], Effect: "Allow", Resource: [tasks] },
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
    const releaseDocument = new SsmDocument(this, "release_document", {
      name: `${props.name}-release`,
      documentType: "Automation",
      documentFormat: "JSON",
      content: JSON.stringify(releaseAutomationContent(props.autoScalingGroupName, automationRole.arn, props.serviceNames)),
    });
    this.releaseDocumentName = releaseDocument.name;

    // EventBridge starts an automation by its definition ARN, the document's with another resource type.
    const definition = Fn.replace(document.arn, ":document/", ":automation-definition/");
    const releaseDefinition = Fn.replace(releaseDocument.arn, ":document/", ":automation-definition/");
    const eventsRole = new IamRole(this, "events_role", {
      name: `${props.name}-events`,
      assumeRolePolicy: assumeRolePolicy("events.amazonaws.com"),
    });
    new IamRolePolicy(this, "events_role_policy", {
      name: "start-protect-stateful-instance",
      role: eventsRole.name,
      policy: JSON.stringify({
        Statement: [
          { Action: ["ssm:StartAutomationExecution"], Effect: "Allow", Resource: [`${definition}:*`, `${releaseDefinition}:*`] },
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
    const taskEvents = {
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
    };
    const stateful = { clusterArn: [props.clusterArn], group: props.serviceNames.map((service) => `service:${service}`) };
    const input = {
      inputPaths: { cluster: "$.detail.clusterArn", containerInstance: "$.detail.containerInstanceArn" },
      // Automation parameters are lists of strings.
      inputTemplate: '{"ClusterArn":["<cluster>"],"ContainerInstanceArn":["<containerInstance>"]}',
    };

    // Each rule starts its automation with the task's cluster and container instance as parameters.
    const ruleToAutomation = (ids: { rule: string; target: string }, rule: { name: string; description: string; detail: object }, targetId: string, document: string) => {
      const eventRule = new CloudwatchEventRule(this, ids.rule, {
        name: rule.name,
        description: rule.description,
        eventPattern: JSON.stringify({ ...taskEvents, detail: { ...stateful, ...rule.detail } }),
      });
      new CloudwatchEventTarget(this, ids.target, {
        rule: eventRule.name,
        targetId,
        arn: `${document}:$DEFAULT`,
        roleArn: eventsRole.arn,
        inputTransformer: input,
      });
      return eventRule.name;
    };

    this.ruleName = ruleToAutomation(
      { rule: "rule", target: "target" },
      {
        name: props.name,
        description: "A stateful task started: protect its instance from scale-in",
        // A task ECS is stopping still reports RUNNING until it has stopped; only one meant to run protects.
        detail: { lastStatus: ["RUNNING"], desiredStatus: ["RUNNING"] },
      },
      "protect-stateful-instance",
      definition,
    );
    this.releaseRuleName = ruleToAutomation(
      { rule: "release_rule", target: "release_target" },
      {
        name: `${props.name}-release`,
        description: "A stateful task stopped: release its instance's scale-in protection unless another stateful task runs there",
        // A task stopped before placement has no container instance, and nothing to release.
        detail: { lastStatus: ["STOPPED"], containerInstanceArn: [{ exists: true }] },
      },
      "release-stateful-instance",
      releaseDefinition,
    );
  }
}

const clusterParameters = {
  ClusterArn: { type: "String", description: "The ECS cluster of the container instance." },
  ContainerInstanceArn: { type: "String", description: "The container instance the task ran on." },
};

/** The step that finds the EC2 instance of a container instance (`findInstance.InstanceId`). */
const findInstanceStep = {
  name: "findInstance",
  action: "aws:executeAwsApi",
  inputs: {
    Service: "ecs",
    Api: "DescribeContainerInstances",
    cluster: "{{ ClusterArn }}",
    containerInstances: ["{{ ContainerInstanceArn }}"],
  },
  outputs: [{ Name: "InstanceId", Selector: "$.containerInstances[0].ec2InstanceId", Type: "String" }],
};

const setProtectionStep = (name: string, protect: boolean) => ({
  name,
  action: "aws:executeAwsApi",
  inputs: {
    Service: "autoscaling",
    Api: "SetInstanceProtection",
    AutoScalingGroupName: "{{ AutoScalingGroupName }}",
    InstanceIds: ["{{ findInstance.InstanceId }}"],
    ProtectedFromScaleIn: protect,
  },
  isEnd: true,
});

/** The protecting SSM Automation document (schema 0.3): find the container instance's EC2 instance, protect it. */
export function automationContent(autoScalingGroupName: string, assumeRoleArn: string): Record<string, unknown> {
  return {
    schemaVersion: "0.3",
    description: "Protects from scale-in the EC2 instance of an ECS container instance that runs a stateful task.",
    assumeRole: "{{ AutomationAssumeRole }}",
    parameters: {
      ...clusterParameters,
      AutoScalingGroupName: { type: "String", default: autoScalingGroupName },
      AutomationAssumeRole: { type: "String", default: assumeRoleArn },
    },
    mainSteps: [findInstanceStep, setProtectionStep("protectInstance", true)],
  };
}

/**
 * What the release automation runs (`aws:executeScript`, Python 3.11, boto3 with the automation's
 * role): the tasks of the protected services that are still meant to run on the container
 * instance (desiredStatus RUNNING, so PENDING ones count too), as `StatefulTaskCount`.
 */
export const COUNT_STATEFUL_TASKS_SCRIPT = [
  "import boto3",
  "",
  "",
  "def handler(events, context):",
  '    ecs = boto3.client("ecs")',
  '    cluster = events["ClusterArn"]',
  '    services = set(events["ServiceNames"])',
  "    arns = []",
  '    for page in ecs.get_paginator("list_tasks").paginate(',
  '        cluster=cluster, containerInstance=events["ContainerInstanceArn"], desiredStatus="RUNNING"',
  "    ):",
  '        arns.extend(page["taskArns"])',
  "    stateful = []",
  "    # DescribeTasks takes at most 100 tasks per call.",
  "    for start in range(0, len(arns), 100):",
  '        for task in ecs.describe_tasks(cluster=cluster, tasks=arns[start:start + 100])["tasks"]:',
  '            group = task.get("group", "")',
  '            if group.startswith("service:") and group[len("service:"):] in services:',
  '                stateful.append(task["taskArn"])',
  '    return {"StatefulTaskCount": len(stateful), "StatefulTasks": stateful}',
  "",
].join("\n");

/**
 * The releasing SSM Automation document (schema 0.3): find the container instance's EC2
 * instance, count the tasks of `serviceNames` still meant to run on it, and take its scale-in
 * protection off when there are none.
 */
export function releaseAutomationContent(
  autoScalingGroupName: string,
  assumeRoleArn: string,
  serviceNames: readonly string[],
): Record<string, unknown> {
  return {
    schemaVersion: "0.3",
    description:
      "Releases the scale-in protection of the EC2 instance of an ECS container instance once no stateful task is meant to run on it any more.",
    assumeRole: "{{ AutomationAssumeRole }}",
    parameters: {
      ...clusterParameters,
      ServiceNames: { type: "StringList", description: "The ECS services whose tasks keep an instance protected.", default: [...serviceNames] },
      AutoScalingGroupName: { type: "String", default: autoScalingGroupName },
      AutomationAssumeRole: { type: "String", default: assumeRoleArn },
    },
    mainSteps: [
      findInstanceStep,
      {
        name: "countStatefulTasks",
        action: "aws:executeScript",
        inputs: {
          Runtime: "python3.11",
          Handler: "handler",
          Script: COUNT_STATEFUL_TASKS_SCRIPT,
          InputPayload: {
            ClusterArn: "{{ ClusterArn }}",
            ContainerInstanceArn: "{{ ContainerInstanceArn }}",
            ServiceNames: "{{ ServiceNames }}",
          },
        },
        outputs: [{ Name: "StatefulTaskCount", Selector: "$.Payload.StatefulTaskCount", Type: "Integer" }],
      },
      {
        name: "releaseIfNoneLeft",
        action: "aws:branch",
        inputs: {
          Choices: [{ NextStep: "releaseInstance", Variable: "{{ countStatefulTasks.StatefulTaskCount }}", NumericEquals: 0 }],
          // Another stateful task still runs there: the instance keeps its protection.
          Default: "keepProtection",
        },
      },
      setProtectionStep("releaseInstance", false),
      { name: "keepProtection", action: "aws:sleep", inputs: { Duration: "PT1S" }, isEnd: true },
    ],
  };
}
