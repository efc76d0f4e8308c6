import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  COUNT_STATEFUL_TASKS_SCRIPT,
  StatefulInstanceProtection,
  StatefulInstanceProtectionProps,
} from "../../src/modules/stateful-instance-protection";
import { resourcesOf, synthConstructs } from "../support/synth";

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

  const rules = resourcesOf(json, "aws_cloudwatch_event_rule");
  const targets = resourcesOf(json, "aws_cloudwatch_event_target");
  const documents = resourcesOf(json, "aws_ssm_document");
  const contentOf = (key: string) => JSON.parse(documents[key].content as string);
  const stateful = { clusterArn: [props.clusterArn], group: ["service:jitsi-service", "service:matrix-service"] };
  const taskEvents = { source: ["aws.ecs"], "detail-type": ["ECS Task State Change"] };

  it("protects when a task of a stateful service is running and meant to keep running, not when ECS is stopping it", () => {
    expect(rules.protection_rule.name).toBe("jitsi-matrix-dev-protect");
    expect(JSON.parse(rules.protection_rule.event_pattern as string)).toEqual({
      ...taskEvents,
      detail: { ...stateful, lastStatus: ["RUNNING"], desiredStatus: ["RUNNING"] },
    });
  });

  it("releases when a task of a stateful service has stopped on a container instance", () => {
    expect(rules.protection_release_rule.name).toBe("jitsi-matrix-dev-protect-release");
    expect(JSON.parse(rules.protection_release_rule.event_pattern as string)).toEqual({
      ...taskEvents,
      detail: { ...stateful, lastStatus: ["STOPPED"], containerInstanceArn: [{ exists: true }] },
    });
  });

  it.each([
    ["protection_target", "protection_document"],
    ["protection_release_target", "protection_release_document"],
  ])("%s starts its automation with the event's cluster and container instance, as the lists of strings Automation takes", (key, document) => {
    const target = targets[key];
    expect(target.arn).toBe(`\${replace(aws_ssm_document.${document}.arn, ":document/", ":automation-definition/")}:$DEFAULT`);
    expect(target.role_arn).toBe("${aws_iam_role.protection_events_role.arn}");
    const transformer = target.input_transformer as { input_paths: Record<string, string>; input_template: string };
    expect(transformer.input_paths).toEqual({ cluster: "$.detail.clusterArn", containerInstance: "$.detail.containerInstanceArn" });
    // EventBridge substitutes the placeholders; the rest must already be the document's parameters.
    const filled = transformer.input_template.replace("<cluster>", "c").replace("<containerInstance>", "i");
    expect(JSON.parse(filled)).toEqual({ ClusterArn: ["c"], ContainerInstanceArn: ["i"] });
    const parameters = contentOf(document).parameters;
    // Every other parameter has a default, so the two the event gives are enough.
    expect(Object.keys(parameters).filter((name) => parameters[name].default === undefined).sort()).toEqual(["ClusterArn", "ContainerInstanceArn"]);
  });

  it("runs an Automation document that finds the task's EC2 instance and protects it from scale-in in the group", () => {
    expect(documents.protection_document).toMatchObject({ name: "jitsi-matrix-dev-protect", document_type: "Automation", document_format: "JSON" });
    const content = contentOf("protection_document");
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

  it("runs a release document that counts the stateful tasks left on the instance and unprotects it only when none is", () => {
    expect(documents.protection_release_document).toMatchObject({
      name: "jitsi-matrix-dev-protect-release",
      document_type: "Automation",
      document_format: "JSON",
    });
    const content = contentOf("protection_release_document");
    expect(content.schemaVersion).toBe("0.3");
    expect(content.assumeRole).toBe("{{ AutomationAssumeRole }}");
    expect(content.parameters.ServiceNames).toMatchObject({ type: "StringList", default: props.serviceNames });
    const steps = Object.fromEntries((content.mainSteps as { name: string }[]).map((step) => [step.name, step])) as Record<string, any>;
    expect(content.mainSteps.map((step: { name: string }) => step.name)).toEqual([
      "findInstance",
      "countStatefulTasks",
      "releaseIfNoneLeft",
      "releaseInstance",
      "keepProtection",
    ]);
    expect(steps.findInstance.inputs).toMatchObject({ Service: "ecs", Api: "DescribeContainerInstances" });
    expect(steps.countStatefulTasks).toMatchObject({
      action: "aws:executeScript",
      inputs: {
        Runtime: "python3.11",
        Handler: "handler",
        Script: COUNT_STATEFUL_TASKS_SCRIPT,
        InputPayload: { ClusterArn: "{{ ClusterArn }}", ContainerInstanceArn: "{{ ContainerInstanceArn }}", ServiceNames: "{{ ServiceNames }}" },
      },
      outputs: [{ Name: "StatefulTaskCount", Selector: "$.Payload.StatefulTaskCount", Type: "Integer" }],
    });
    expect(steps.releaseIfNoneLeft).toMatchObject({
      action: "aws:branch",
      inputs: {
        Choices: [{ NextStep: "releaseInstance", Variable: "{{ countStatefulTasks.StatefulTaskCount }}", NumericEquals: 0 }],
        Default: "keepProtection",
      },
    });
    expect(steps.releaseInstance).toMatchObject({
      action: "aws:executeAwsApi",
      inputs: {
        Service: "autoscaling",
        Api: "SetInstanceProtection",
        AutoScalingGroupName: "{{ AutoScalingGroupName }}",
        InstanceIds: ["{{ findInstance.InstanceId }}"],
        ProtectedFromScaleIn: false,
      },
      isEnd: true,
    });
    expect(steps.keepProtection).toMatchObject({ action: "aws:sleep", isEnd: true });
  });

  it("lets the automations read the cluster's container instances and tasks and set protection in this group only", () => {
    const roles = resourcesOf(json, "aws_iam_role");
    expect(JSON.parse(roles.protection_automation_role.assume_role_policy as string).Statement[0].Principal).toEqual({ Service: "ssm.amazonaws.com" });
    expect(statements(json, "protection_automation_role_policy")).toEqual([
      {
        Action: ["ecs:DescribeContainerInstances", "ecs:ListTasks"],
        Effect: "Allow",
        Resource: ["<${replace('arn:aws:ecs:eu-west-1:123456789012:cluster/my-cluster', ':cluster/', ':container-instance/')}>/*"],
      },
      {
        Action: ["ecs:DescribeTasks"],
        Effect: "Allow",
        Resource: ["<${replace('arn:aws:ecs:eu-west-1:123456789012:cluster/my-cluster', ':cluster/', ':task/')}>/*"],
      },
      { Action: ["autoscaling:SetInstanceProtection"], Effect: "Allow", Resource: [props.autoScalingGroupArn] },
    ]);
  });

  it("lets EventBridge start these two automations and hand them their role, nothing else", () => {
    const roles = resourcesOf(json, "aws_iam_role");
    expect(JSON.parse(roles.protection_events_role.assume_role_policy as string).Statement[0].Principal).toEqual({ Service: "events.amazonaws.com" });
    expect(statements(json, "protection_events_role_policy")).toEqual([
      {
        Action: ["ssm:StartAutomationExecution"],
        Effect: "Allow",
        Resource: [
          "<${replace(aws_ssm_document.protection_document.arn, ':document/', ':automation-definition/')}>:*",
          "<${replace(aws_ssm_document.protection_release_document.arn, ':document/', ':automation-definition/')}>:*",
        ],
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

  it("uses only the API actions its policy allows", () => {
    const allowed = statements(json, "protection_automation_role_policy").flatMap((statement) => statement.Action);
    const apiSteps = ["protection_document", "protection_release_document"].flatMap((key) =>
      (contentOf(key).mainSteps as { action: string; inputs: { Service?: string; Api?: string } }[])
        .filter((step) => step.action === "aws:executeAwsApi")
        .map((step) => `${step.inputs.Service}:${step.inputs.Api}`),
    );
    // The script's boto3 calls, by their API names.
    const scriptCalls = [...COUNT_STATEFUL_TASKS_SCRIPT.matchAll(/(list_tasks|describe_tasks)/g)].map(([call]) =>
      call === "list_tasks" ? "ecs:ListTasks" : "ecs:DescribeTasks",
    );
    expect(new Set([...apiSteps, ...scriptCalls])).toEqual(new Set(allowed));
  });

  it.each([
    ["aws-protect", "not starting with"],
    ["a", "3 to 56"],
    ["has space", "3 to 56"],
    ["x".repeat(57), "3 to 56"],
  ])("refuses the name %j", (name, gist) => {
    expect(() => synth({ name })).toThrow(new RegExp(`^name: .*${gist}`));
  });

  it("refuses an empty list of services, which would protect nothing", () => {
    expect(() => synth({ serviceNames: [] })).toThrow(/^serviceNames: empty/);
  });
});

describe("the release automation's task count, run by Python against a fake boto3", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "release-script-"));
    writeFileSync(path.join(dir, "release.py"), COUNT_STATEFUL_TASKS_SCRIPT);
    // A boto3 whose ECS client answers from FAKE_TASKS (task ARN -> group) and records each call.
    writeFileSync(
      path.join(dir, "boto3.py"),
      [
        "import json, os",
        "CALLS = []",
        "class _Paginator:",
        "    def paginate(self, **kwargs):",
        '        CALLS.append(["ListTasks", kwargs])',
        '        arns = list(json.loads(os.environ["FAKE_TASKS"]))',
        "        # Two pages, as ListTasks returns at most 100 per call.",
        '        yield {"taskArns": arns[:1]}',
        '        yield {"taskArns": arns[1:]}',
        "class _Ecs:",
        "    def get_paginator(self, name):",
        '        assert name == "list_tasks"',
        "        return _Paginator()",
        "    def describe_tasks(self, cluster, tasks):",
        '        CALLS.append(["DescribeTasks", {"cluster": cluster, "tasks": tasks}])',
        '        groups = json.loads(os.environ["FAKE_TASKS"])',
        '        return {"tasks": [{"taskArn": arn, "group": groups[arn]} for arn in tasks]}',
        "def client(name):",
        '    assert name == "ecs"',
        "    return _Ecs()",
      ].join("\n"),
    );
    writeFileSync(
      path.join(dir, "run.py"),
      [
        "import json, sys, boto3, release",
        'event = {"ClusterArn": "arn:cluster", "ContainerInstanceArn": "arn:ci", "ServiceNames": ["jitsi-service", "matrix-service"]}',
        'print(json.dumps({"result": release.handler(event, None), "calls": boto3.CALLS}))',
      ].join("\n"),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (tasks: Record<string, string>) =>
    new Promise<{ result: { StatefulTaskCount: number; StatefulTasks: string[] }; calls: [string, Record<string, unknown>][] }>((resolve, reject) =>
      execFile("python3", [path.join(dir, "run.py")], { env: { ...process.env, PYTHONPATH: dir, FAKE_TASKS: JSON.stringify(tasks) } }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
      ),
    );

  it("asks for the tasks meant to run on the event's container instance only", async () => {
    const { calls } = await run({ "arn:task/1": "service:jvb-service" });
    expect(calls[0]).toEqual(["ListTasks", { cluster: "arn:cluster", containerInstance: "arn:ci", desiredStatus: "RUNNING" }]);
  });

  it("counts 0 when only tasks of other services (the JVB daemon) are left, so the instance is released", async () => {
    const { result } = await run({ "arn:task/1": "service:jvb-service", "arn:task/2": "family:something" });
    expect(result.StatefulTaskCount).toBe(0);
  });

  it("counts the stateful tasks still on the instance, across pages, so it keeps its protection", async () => {
    const { result } = await run({ "arn:task/1": "service:jvb-service", "arn:task/2": "service:matrix-service", "arn:task/3": "service:jitsi-service" });
    expect(result).toEqual({ StatefulTaskCount: 2, StatefulTasks: ["arn:task/2", "arn:task/3"] });
  });

  it("counts 0 on an instance with no task left, without describing any", async () => {
    const { result, calls } = await run({});
    expect(result.StatefulTaskCount).toBe(0);
    expect(calls.map(([api]) => api)).toEqual(["ListTasks"]);
  });

  it("matches service names exactly, not by prefix", async () => {
    const { result } = await run({ "arn:task/1": "service:matrix-service-old" });
    expect(result.StatefulTaskCount).toBe(0);
  });
});
