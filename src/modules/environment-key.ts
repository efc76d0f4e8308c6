import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { ALARM_TOPIC_PUBLISHERS } from "./alarm-topic";
import { partitionOf } from "./platform-secrets";

/** Days a scheduled deletion waits, the longest KMS allows: a key deleted by mistake takes every password and log with it. */
export const DEFAULT_KEY_DELETION_WINDOW_DAYS = 30;

/** The alias of an environment's key, e.g. `alias/jitsi-matrix-staging`: how stacks without its state name it. */
export const environmentKeyAlias = (environmentName: string) => `alias/jitsi-matrix-${environmentName}`;

export interface EnvironmentKeyProps {
  readonly environmentName: string;
  readonly region: string;
  /** The account whose IAM policies decide who else may use the key. */
  readonly accountId: string;
  /** Log group names CloudWatch Logs may encrypt with the key, as ARN patterns' resource parts, e.g. `/ecs/<cluster>/*`. */
  readonly logGroupNamePatterns: readonly string[];
  /**
   * The alarm topic the key encrypts: its publishers (`ALARM_TOPIC_PUBLISHERS`) may use the key for that topic only.
   * @default - no topic: no AWS service but CloudWatch Logs may use the key
   */
  readonly alarmTopicName?: string;
  /** @default 30 */
  readonly deletionWindowDays?: number;
}

/**
 * One customer-managed KMS key per environment, with yearly rotation, that encrypts its SSM
 * parameters, log groups, alarm topic and backup vault. The key policy names who may use it:
 *
 * - the account, as AWS's default key policy does, so that IAM policies grant its use: the
 *   operators', the deploying role's, and the task execution role's (`TaskExecutionRole`: decrypt
 *   through SSM only). The key is deployed before that role exists, and KMS refuses a policy that
 *   names a principal that does not; this statement also keeps the key from locking everyone out;
 * - CloudWatch Logs, for this environment's log groups only (encryption context);
 * - the alarm topic's publishers (CloudWatch alarms, EventBridge rules), for that topic's data keys only.
 *
 * The alias gives stacks that do not read this one's state a name for it (`environmentKeyAlias`).
 */
export class EnvironmentKey extends Construct {
  public readonly keyArn: string;
  public readonly aliasName: string;

  constructor(scope: Construct, id: string, props: EnvironmentKeyProps) {
    super(scope, id);
    const days = props.deletionWindowDays ?? DEFAULT_KEY_DELETION_WINDOW_DAYS;
    if (!Number.isInteger(days) || days < 7 || days > 30) {
      throw new Error(`deletionWindowDays: ${days} is out of range; KMS waits 7 to 30 days before it deletes a key.`);
    }
    const partition = partitionOf(props.region);
    const account = props.accountId;
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "AccountIamPolicies", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
        {
          Sid: "CloudWatchLogsEncryptsTheLogGroups",
          Effect: "Allow",
          Principal: { Service: `logs.${props.region}.amazonaws.com` },
          Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          Resource: "*",
          Condition: {
            ArnLike: { "kms:EncryptionContext:aws:logs:arn": props.logGroupNamePatterns.map((pattern) => `arn:${partition}:logs:${props.region}:${account}:log-group:${pattern}`) },
          },
        },
        ...(props.alarmTopicName === undefined
          ? []
          : [
              {
                Sid: "AlarmTopicPublishersEncrypt",
                Effect: "Allow",
                Principal: { Service: Object.values(ALARM_TOPIC_PUBLISHERS) },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                // SNS asks KMS for the topic's data key with the topic's ARN as encryption context. Not aws:SourceAccount:
                // KMS requests made through SNS for EventBridge carry none, and a statement that required it would drop every
                // event silently (docs/aws-wiring.md, "Encrypted topic").
                Condition: { StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": `arn:${partition}:sns:${props.region}:${account}:${props.alarmTopicName}` } },
              },
            ]),
      ],
    };
    const key = new KmsKey(this, "Default", {
      description: `jitsi-matrix ${props.environmentName}: SSM parameters, log groups, alarm topic, backup vault`,
      enableKeyRotation: true,
      deletionWindowInDays: days,
      policy: JSON.stringify(policy),
    });
    const alias = new KmsAlias(this, "alias", { name: environmentKeyAlias(props.environmentName), targetKeyId: key.keyId });
    this.keyArn = key.arn;
    this.aliasName = alias.name;
  }
}
