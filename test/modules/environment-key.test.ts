import { EnvironmentKey, environmentKeyAlias } from "../../src/modules/environment-key";
import { onlyResource, synthConstructs } from "../support/synth";

describe("EnvironmentKey", () => {
  const build = (deletionWindowDays?: number, alarmTopicName: string | null = "jitsi-matrix-dev-alarms") =>
    synthConstructs(
      (scope) =>
        new EnvironmentKey(scope, "environment_key", {
          environmentName: "dev",
          region: "eu-west-1",
          accountId: "123456789012",
          logGroupNamePatterns: ["/ecs/jitsi-matrix-cluster-dev/*", "aws-waf-logs-jitsi-matrix-dev"],
          alarmTopicName: alarmTopicName ?? undefined,
          deletionWindowDays,
        }),
    ).json;

  it("rotates yearly, waits 30 days before a deletion, and has the alias other stacks name it by", () => {
    expect(onlyResource(build(), "aws_kms_key")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(onlyResource(build(), "aws_kms_alias")).toMatchObject({ name: environmentKeyAlias("dev"), target_key_id: "${aws_kms_key.environment_key.key_id}" });
    expect(environmentKeyAlias("dev")).toBe("alias/jitsi-matrix-dev");
  });

  it("lets the account's IAM policies decide, CloudWatch Logs use it for this environment's log groups only, and the alarm topic's publishers for that topic only", () => {
    const policy = JSON.parse(onlyResource(build(), "aws_kms_key").policy as string);
    const bySid = Object.fromEntries(policy.Statement.map((statement: { Sid: string }) => [statement.Sid, statement]));
    expect(Object.keys(bySid)).toEqual(["AccountIamPolicies", "CloudWatchLogsEncryptsTheLogGroups", "AlarmTopicPublishersEncrypt"]);
    expect(bySid.AccountIamPolicies.Principal).toEqual({ AWS: "arn:aws:iam::123456789012:root" });
    expect(bySid.CloudWatchLogsEncryptsTheLogGroups).toMatchObject({
      Principal: { Service: "logs.eu-west-1.amazonaws.com" },
      Condition: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": [
            "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/jitsi-matrix-cluster-dev/*",
            "arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-jitsi-matrix-dev",
          ],
        },
      },
    });
    // By the topic's ARN in SNS's encryption context, not aws:SourceAccount, which KMS requests for EventBridge do not carry.
    expect(bySid.AlarmTopicPublishersEncrypt).toEqual({
      Sid: "AlarmTopicPublishersEncrypt",
      Effect: "Allow",
      Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: { StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": "arn:aws:sns:eu-west-1:123456789012:jitsi-matrix-dev-alarms" } },
    });
    const withoutTopic = JSON.parse(onlyResource(build(undefined, null), "aws_kms_key").policy as string);
    expect(withoutTopic.Statement.map((statement: { Sid: string }) => statement.Sid)).toEqual(["AccountIamPolicies", "CloudWatchLogsEncryptsTheLogGroups"]);
    // No statement lets anyone outside the account in.
    expect(JSON.stringify(policy)).not.toMatch(/"AWS":"\*"|"Principal":"\*"/);
  });

  it("refuses a deletion window KMS does not accept, naming the prop", () => {
    expect(() => build(3)).toThrow("deletionWindowDays: 3 is out of range; KMS waits 7 to 30 days before it deletes a key.");
    expect(onlyResource(build(7), "aws_kms_key")).toMatchObject({ deletion_window_in_days: 7 });
  });
});
