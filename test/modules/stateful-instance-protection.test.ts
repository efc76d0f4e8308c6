import { StatefulInstanceProtection, StatefulInstanceProtectionProps } from "../../src/modules/stateful-instance-protection";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

const props: StatefulInstanceProtectionProps = {
  name: "jitsi-matrix-dev-protect",
  clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/my-cluster",
  autoScalingGroupName: "my-asg",
  autoScalingGroupArn: "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:1:autoScalingGroupName/my-asg",
  serviceNames: ["jitsi-service", "matrix-service"],
};
const synth = (overrides: Partial<StatefulInstanceProtectionProps> = {}) =>
  synthConstructs((scope) => new StatefulInstanceProtection(scope, "protection", { ...props, ...overrides })).json;

type Statement = { Action: string[]; Resource: string[]; Condition?: unknown };
/**
 * A policy's statements with each Terraform interpolation as `<${…}>`: the quotes inside an
 * interpolation's function call are HCL, not JSON, until Terraform renders the string.
 */
const statements = (json: ReturnType<typeof synth>, policy: string) => {
  const rendered = (resourcesOf(json, "aws_iam_role_policy")[policy].policy as string).replace(/\$\{[^}]*\}/g, (expression) =>
    `<${expression.replace(/"/g, "'")}>`,
  );
  return (JSON.parse(rendered) as { Statement: Statement[] }).Statement;
};

describe("StatefulInstanceProtection", () => {
  const json = synth();

  it("fires when a task of a stateful service starts running in the cluster, and only then", () => {
    const rule = onlyResource(json, "aws_cloudwatch_event_rule");
    expect(rule.name).toBe("jitsi-matrix-dev-protect");
    expect(JSON.parse(rule.event_pattern as string)).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: { clusterArn: [props.clusterArn], group: ["service:jitsi-service", "service:matrix-service"], lastStatus: ["RUNNING"] },
    });
  });

  it("starts the automation with the event's cluster and container instance, as the lists of strings Automation takes", () => {
    const target = onlyResource(json, "aws_cloudwatch_event_target");
    expect(target.arn).toBe('${replace(aws_ssm_document.protection_document.arn, ":document/", ":automation-definition/")}:$DEFAULT');
    expect(target.role_arn).toBe("${aws_iam_role.protection_events_role.arn}");
    const transformer = target.input_transformer as { input_paths: Record<string, string>; input_template: string };
    expect(transformer.input_paths).toEqual({ cluster: "$.detail.clusterArn", containerInstance: "$.detail.containerInstanceArn" });
    // EventBridge substitutes the placeholders; the rest must already be the document's parameters.
    const filled = transformer.input_template.replace("<cluster>", "c").replace("<containerInstance>", "i");
    expect(JSON.parse(filled)).toEqual({ ClusterArn: ["c"], ContainerInstanceArn: ["i"] });
  });

  it("runs an Automation document that finds the task's EC2 instance and protects it from scale-in in the group", () => {
    const document = onlyResource(json, "aws_ssm_document");
    expect(document).toMatchObject({ name: "jitsi-matrix-dev-protect", document_type: "Automation", document_format: "JSON" });
    const content = JSON.parse(document.content as string);
    expect(content.schemaVersion).toBe("0.3");
    expect(content.parameters.AutoScalingGroupName.default).toBe("my-asg");
    expect(content.parameters.AutomationAssumeRole.default).toBe("${aws_iam_role.protection_automation_role.arn}");
    const [find, protect] = content.mainSteps;
    expect(find).toMatchObject({
      action: "aws:executeAwsApi",
      inputs: { Service: "ecs", Api: "DescribeContainerInstances", cluster: "{{ ClusterArn }}", containerInstances: ["{{ ContainerInstanceArn }}"] },
      outputs: [{ Name: "InstanceId", Selector: "$.containerInstances[0].ec2InstanceId", Type: "String" }],
    });
    expect(protect).toMatchObject({
      action: "aws:executeAwsApi",
      inputs: {
        Service: "autoscaling",
        Api: "SetInstanceProtection",
        AutoScalingGroupName: "{{ AutoScalingGroupName }}",
        InstanceIds: [`{{ ${find.name}.InstanceId }}`],
        ProtectedFromScaleIn: true,
      },
      isEnd: true,
    });
  });

  it("lets the automation describe the cluster's container instances and protect instances of this group only", () => {
    const roles = resourcesOf(json, "aws_iam_role");
    expect(JSON.parse(roles.protection_automation_role.assume_role_policy as string).Statement[0].Principal).toEqual({ Service: "ssm.amazonaws.com" });
    expect(statements(json, "protection_automation_role_policy")).toEqual([
      {
        Action: ["ecs:DescribeContainerInstances"],
        Effect: "Allow",
        Resource: ["<${replace('arn:aws:ecs:eu-west-1:123456789012:cluster/my-cluster', ':cluster/', ':container-instance/')}>/*"],
      },
      { Action: ["autoscaling:SetInstanceProtection"], Effect: "Allow", Resource: [props.autoScalingGroupArn] },
    ]);
  });

  it("lets EventBridge start this automation and hand it its role, nothing else", () => {
    const roles = resourcesOf(json, "aws_iam_role");
    expect(JSON.parse(roles.protection_events_role.assume_role_policy as string).Statement[0].Principal).toEqual({ Service: "events.amazonaws.com" });
    expect(statements(json, "protection_events_role_policy")).toEqual([
      {
        Action: ["ssm:StartAutomationExecution"],
        Effect: "Allow",
        Resource: ["<${replace(aws_ssm_document.protection_document.arn, ':document/', ':automation-definition/')}>:*"],
      },
      {
        Action: ["iam:PassRole"],
        Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
        Effect: "Allow",
        Resource: ["<${aws_iam_role.protection_automation_role.arn}>"],
      },
    ]);
    expect(Object.values(roles).map((role) => role.name)).toEqual(["jitsi-matrix-dev-protect-ssm", "jitsi-matrix-dev-protect-events"]);
  });

  it.each([
    ["aws-protect", "not starting with"],
    ["a", "3 to 57"],
    ["has space", "3 to 57"],
  ])("refuses the name %j", (name, gist) => {
    expect(() => synth({ name })).toThrow(new RegExp(`^name: .*${gist}`));
  });

  it("refuses an empty list of services, which would protect nothing", () => {
    expect(() => synth({ serviceNames: [] })).toThrow(/^serviceNames: empty/);
  });
});
