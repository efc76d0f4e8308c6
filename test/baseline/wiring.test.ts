/**
 * The wiring rules (tools/baseline/wiring.ts, docs/aws-wiring.md), each shown failing on dev's own stacks broken
 * the way the platform once was, or the way a change could break it, and passing on them as they are.
 */
import { parseEnvironment } from "../../src/environments";
import { dev } from "../../src/environments/dev";
import { staging as stagingInput } from "../../src/environments/staging";
import { BaselineContext, BaselineRuleId, checkBaseline, findViolations, readSynthesizedStacks, SynthesizedStack, TerraformJson } from "../../tools/baseline";
import { CHECKED_IN_OUTDIR } from "../../tools/synthesize";
import { WIRING_CHECKS } from "../../tools/baseline/wiring";
import { synthEnvironment } from "../environments/synth-environment";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const WIRING_RULES = Object.keys(WIRING_CHECKS) as BaselineRuleId[];

/** Dev's stacks, fresh, as JSON to break. */
function devStacks(): { networking: Json; jitsiMatrix: Json; stacks: SynthesizedStack[] } {
  const stacks = synthEnvironment(dev).map((stack) => ({ name: stack.name, json: JSON.parse(JSON.stringify(stack.json)) as TerraformJson }));
  return { networking: stacks.find((s) => s.name === "networking-dev")!.json as Json, jitsiMatrix: stacks.find((s) => s.name === "jitsi-matrix-dev")!.json as Json, stacks };
}

/** The wiring findings of every stack, `<rule> <stack> <address>: <message>`. */
function wiringFindings(stacks: readonly SynthesizedStack[]): string[] {
  const context: BaselineContext = { environmentStacks: stacks };
  return stacks.flatMap((stack) =>
    findViolations(stack, context)
      .filter((finding) => WIRING_RULES.includes(finding.rule))
      .map((finding) => `${finding.rule} ${finding.stack} ${finding.address}: ${finding.message}`),
  );
}

const policyOf = (resource: Json) => JSON.parse(resource.policy as string);
const withPolicy = (resource: Json, edit: (policy: Json) => void) => {
  const policy = policyOf(resource);
  edit(policy);
  resource.policy = JSON.stringify(policy);
};
const containers = (task: Json): Json[] => JSON.parse(task.container_definitions as string);
const withContainers = (task: Json, edit: (list: Json[]) => void) => {
  const list = containers(task);
  edit(list);
  task.container_definitions = JSON.stringify(list);
};

describe("the wiring rules on dev's stacks", () => {
  it("find nothing in the stacks as synthesized", () => {
    expect(wiringFindings(devStacks().stacks)).toEqual([]);
  });

  describe("topic-publishers-allowed", () => {
    it("fails a topic policy that lets only EventBridge publish, as the alarm topic's once did: CloudWatch alarms then reach nobody", () => {
      const { jitsiMatrix, stacks } = devStacks();
      withPolicy(jitsiMatrix.resource.aws_sns_topic_policy.alarm_topic_policy, (policy) => {
        policy.Statement = policy.Statement.filter((statement: Json) => statement.Principal.Service !== "cloudwatch.amazonaws.com");
      });
      expect(wiringFindings(stacks)).toEqual([
        expect.stringMatching(/^topic-publishers-allowed jitsi-matrix-dev aws_sns_topic_policy\.alarm_topic_policy: CloudWatch alarm aws_cloudwatch_metric_alarm\.\S+ publishes through cloudwatch\.amazonaws\.com, but the topic's policy, which replaces SNS's default one, does not let it: no statement lets cloudwatch\.amazonaws\.com sns:Publish; add a statement/),
      ]);
    });

    it("fails an EventBridge target on a topic without a policy, which SNS's default policy does not let EventBridge publish to", () => {
      const { jitsiMatrix, stacks } = devStacks();
      delete jitsiMatrix.resource.aws_sns_topic_policy;
      expect(wiringFindings(stacks)).toEqual([expect.stringMatching(/^topic-publishers-allowed jitsi-matrix-dev aws_sns_topic\.alarm_topic: EventBridge rule target \S+ publishes through events\.amazonaws\.com, which SNS's default topic policy does not let publish/)]);
    });

    it("fails a key policy that lets EventBridge use the key only with aws:SourceAccount, which its KMS requests through SNS do not carry", () => {
      const { networking, stacks } = devStacks();
      withPolicy(networking.resource.aws_kms_key.environment_key, (policy) => {
        const publishers = policy.Statement.find((statement: Json) => statement.Sid === "AlarmTopicPublishersEncrypt");
        publishers.Condition = { StringEquals: { "aws:SourceAccount": "123456789012" } };
      });
      expect(wiringFindings(stacks)).toEqual([
        expect.stringMatching(/^topic-publishers-allowed jitsi-matrix-dev aws_kms_key\.environment_key \(networking-dev\): EventBridge rule target \S+ publishes to the encrypted topic aws_sns_topic\.alarm_topic through events\.amazonaws\.com, which the key's policy does not let use the key: its statement for events\.amazonaws\.com kms:GenerateDataKey requires aws:SourceAccount, which the request does not carry/),
      ]);
    });

    it("fails a key policy whose publishers' statement names another topic, and one without a statement for CloudWatch", () => {
      const { networking, stacks } = devStacks();
      withPolicy(networking.resource.aws_kms_key.environment_key, (policy) => {
        const publishers = policy.Statement.find((statement: Json) => statement.Sid === "AlarmTopicPublishersEncrypt");
        publishers.Condition.StringEquals["kms:EncryptionContext:aws:sns:topicArn"] = "arn:aws:sns:eu-west-1:123456789012:another-topic";
      });
      const findings = wiringFindings(stacks);
      expect(findings).toHaveLength(2);
      expect(findings.join("\n")).toContain("requires kms:EncryptionContext:aws:sns:topicArn [\"arn:aws:sns:eu-west-1:123456789012:another-topic\"], which does not name sns jitsi-matrix-dev-alarms");
      withPolicy(networking.resource.aws_kms_key.environment_key, (policy) => {
        policy.Statement = policy.Statement.filter((statement: Json) => statement.Sid !== "AlarmTopicPublishersEncrypt");
      });
      expect(wiringFindings(stacks).join("\n")).toContain("no statement lets cloudwatch.amazonaws.com kms:GenerateDataKey");
    });

    it("fails an alarm topic under AWS's managed SNS key, which no AWS service may use", () => {
      const { jitsiMatrix, stacks } = devStacks();
      jitsiMatrix.resource.aws_sns_topic.alarm_topic.kms_master_key_id = "alias/aws/sns";
      expect(wiringFindings(stacks)).toEqual([expect.stringMatching(/^topic-publishers-allowed jitsi-matrix-dev aws_sns_topic\.alarm_topic: is encrypted with an AWS-managed key/)]);
    });
  });

  describe("kms-writers-allowed", () => {
    it("fails a log group under the key whose name the key's CloudWatch Logs statement does not cover", () => {
      const { networking, stacks } = devStacks();
      withPolicy(networking.resource.aws_kms_key.environment_key, (policy) => {
        const logs = policy.Statement.find((statement: Json) => statement.Sid === "CloudWatchLogsEncryptsTheLogGroups");
        logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"] = logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"].filter((arn: string) => !arn.includes("/aws/rds/"));
      });
      expect(wiringFindings(stacks)).toEqual([
        expect.stringMatching(/^kms-writers-allowed jitsi-matrix-dev aws_kms_key\.environment_key \(networking-dev\): encrypts log group \/aws\/rds\/instance\/jitsi-matrix-dev\/postgresql \(aws_cloudwatch_log_group\.synapse_database_log_group_postgresql\), but its policy does not let logs\.eu-west-1\.amazonaws\.com use it for that group/),
      ]);
    });

    it("fails a load balancer's access log bucket encrypted with KMS, which Elastic Load Balancing cannot write", () => {
      const { jitsiMatrix, stacks } = devStacks();
      const sse = jitsiMatrix.resource.aws_s3_bucket_server_side_encryption_configuration.access_logs_encryption;
      sse.rule[0].apply_server_side_encryption_by_default.sse_algorithm = "aws:kms";
      expect(wiringFindings(stacks)).toEqual([expect.stringMatching(/^kms-writers-allowed jitsi-matrix-dev aws_s3_bucket_server_side_encryption_configuration\.access_logs_encryption: aws_lb\.load_balancer writes its logs to aws_s3_bucket\.access_logs, but Elastic Load Balancing supports only SSE-S3/)]);
    });
  });

  it("kms-writers-allowed fails the state bucket's access log bucket under KMS, which S3's server access logging cannot write", () => {
    // The checked-in synth, which test/synth.test.ts keeps current.
    const stateBackend = readSynthesizedStacks(CHECKED_IN_OUTDIR).find((stack) => stack.name === "state-backend")!;
    expect(wiringFindings([stateBackend])).toEqual([]);
    const broken = JSON.parse(JSON.stringify(stateBackend.json)) as Json;
    broken.resource.aws_s3_bucket_server_side_encryption_configuration.access_logs_encryption.rule[0].apply_server_side_encryption_by_default = { sse_algorithm: "aws:kms", kms_master_key_id: "${aws_kms_key.state_key.arn}" };
    expect(wiringFindings([{ name: "state-backend", json: broken as TerraformJson }])).toEqual([
      expect.stringMatching(/^kms-writers-allowed state-backend aws_s3_bucket_server_side_encryption_configuration\.access_logs_encryption: aws_s3_bucket_logging\.state_bucket_logging writes its logs to aws_s3_bucket\.access_logs, but S3 server access logging supports only SSE-S3/),
    ]);
  });

  describe("service-log-groups-declared", () => {
    it("fails an RDS instance that exports its log to a group nobody declared, and a group declared without retention", () => {
      const { jitsiMatrix, stacks } = devStacks();
      delete jitsiMatrix.resource.aws_cloudwatch_log_group.synapse_database_log_group_postgresql;
      delete jitsiMatrix.resource.aws_cloudwatch_log_group.cluster_container_insights_logs.retention_in_days;
      expect(wiringFindings(stacks)).toEqual([
        expect.stringMatching(/^service-log-groups-declared jitsi-matrix-dev aws_db_instance\.synapse_database_instance: makes AWS create the log group \/aws\/rds\/instance\/jitsi-matrix-dev\/postgresql itself, unencrypted and never expiring; declare it .* with a retention and the environment's key/),
        expect.stringMatching(/^service-log-groups-declared jitsi-matrix-dev aws_cloudwatch_log_group\.cluster_container_insights_logs: \/aws\/ecs\/containerinsights\/jitsi-matrix-cluster-dev\/performance, the log group aws_ecs_cluster\.cluster writes, has no retention/),
      ]);
    });
  });

  describe("no-rotated-secret-in-services", () => {
    it("fails Synapse reading RDS's managed master password, as the matrix task once did: RDS rotates it within a week", () => {
      const { jitsiMatrix, stacks } = devStacks();
      withContainers(jitsiMatrix.resource.aws_ecs_task_definition.matrix_task_definition, (list) => {
        const writer = list.find((container) => container.name === "synapse-settings")!;
        writer.secrets = writer.secrets.map((secret: Json) =>
          secret.name === "SYNAPSE_DATABASE_PASSWORD" ? { ...secret, valueFrom: "${aws_db_instance.synapse_database_instance.master_user_secret[0].secret_arn}:password::" } : secret,
        );
      });
      expect(wiringFindings(stacks)).toEqual([
        expect.stringMatching(/^no-rotated-secret-in-services jitsi-matrix-dev aws_ecs_task_definition\.matrix_task_definition: container "synapse-settings" of aws_ecs_service\.matrix_service reads SYNAPSE_DATABASE_PASSWORD from a rotating secret once, at its start: RDS rotates a managed master password every 7 days/),
      ]);
      // The one-off tasks read it at each start, which a rotation does not outlive: no finding for them.
      expect(JSON.stringify(jitsiMatrix.resource.aws_ecs_task_definition.database_backup_task_definition)).toContain("master_user_secret");
    });
  });

  describe("reserved-ports-within-limit", () => {
    it("fails tasks whose static host ports on one instance pass ECS's 100, though each task alone is within", () => {
      const { jitsiMatrix, stacks } = devStacks();
      withContainers(jitsiMatrix.resource.aws_ecs_task_definition.coturn_task_definition, (list) => {
        list[0].portMappings = [...list[0].portMappings, ...Array.from({ length: 60 }, (_, i) => ({ containerPort: 49200 + i, hostPort: 49200 + i, protocol: "udp" }))];
      });
      expect(wiringFindings(stacks)).toEqual([expect.stringMatching(/^reserved-ports-within-limit jitsi-matrix-dev aws_ecs_service\.coturn_service: the services' tasks reserve 1\d\d host ports on one instance \(.*aws_ecs_service\.coturn_service 102.*\), more than the 100 ECS allows/)]);
    });
  });

  describe("references-not-names", () => {
    it("fails the capacity provider association naming its cluster by a literal, as it once did", () => {
      const { jitsiMatrix, stacks } = devStacks();
      jitsiMatrix.resource.aws_ecs_cluster_capacity_providers.scaling_provider_cluster.cluster_name = "jitsi-matrix-cluster-dev";
      expect(wiringFindings(stacks)).toEqual([
        expect.stringMatching(/^references-not-names jitsi-matrix-dev aws_ecs_cluster_capacity_providers\.scaling_provider_cluster: cluster_name names aws_ecs_cluster\.cluster by its name "jitsi-matrix-cluster-dev", .*; reference \$\{aws_ecs_cluster\.cluster\.name\} instead/),
      ]);
    });

    it("reads names inside JSON documents too: a container logging to a log group by its name", () => {
      const { jitsiMatrix, stacks } = devStacks();
      withContainers(jitsiMatrix.resource.aws_ecs_task_definition.jitsi_task_definition, (list) => {
        list[0].logConfiguration.options["awslogs-group"] = "/ecs/jitsi-matrix-cluster-dev/jitsi-service-dev";
      });
      expect(wiringFindings(stacks)).toEqual([expect.stringMatching(/^references-not-names jitsi-matrix-dev aws_ecs_task_definition\.jitsi_task_definition: container_definitions\[0\]\.logConfiguration\.options\.awslogs-group names aws_cloudwatch_log_group\.logs_jitsi/)]);
    });
  });
});

describe("a waiver of a wiring rule", () => {
  const REASON = "kept until the next change of the stacks";

  it("is held to the baseline's findings: it excuses them where the stacks break the rule, and fails the baseline where they do not", () => {
    const { jitsiMatrix, stacks } = devStacks();
    const environment = { name: "dev", tags: {}, production: true, waivers: { "references-not-names": REASON } };
    const checked = (list: readonly SynthesizedStack[]) =>
      checkBaseline(list.map((stack) => ({ ...stack, context: { environment, environmentStacks: list } }))).waivers.find((waiver) => waiver.rule === "references-not-names")!;
    const unbroken = checked(stacks);
    expect(unbroken.findings).toEqual([]);
    jitsiMatrix.resource.aws_ecs_cluster_capacity_providers.scaling_provider_cluster.cluster_name = "jitsi-matrix-cluster-dev";
    expect(checked(stacks).findings.map((finding) => finding.address)).toEqual(["aws_ecs_cluster_capacity_providers.scaling_provider_cluster"]);
  });

  it("is accepted by validation in an adopted environment, which cannot see the stacks' wiring", () => {
    expect(() => parseEnvironment({ ...stagingInput, waivers: { ...stagingInput.waivers, "references-not-names": REASON } }, { onWarning: () => undefined })).not.toThrow();
  });
});
