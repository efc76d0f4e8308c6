import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { constructKey } from "./construct-key";

export interface AlarmTopicProps {
  /** SNS topic name: up to 256 letters, digits, `-` and `_`. */
  readonly topicName: string;
  /**
   * Addresses that receive every alarm and every recovery by e-mail. Each gets a
   * confirmation mail from AWS first; nothing is delivered before it is confirmed.
   * @default - none: the topic exists, alarms publish to it, nobody is told
   */
  readonly emailAddresses?: readonly string[];
  /**
   * A customer-managed KMS key to encrypt the topic with. Every publisher must be allowed to use it by the key's
   * policy (`EnvironmentKey`'s `alarmTopicName`): the AWS-managed `alias/aws/sns` key allows no AWS service, and
   * CloudWatch then fails to publish, which is why there is no encryption by default.
   * @default - unencrypted
   */
  readonly kmsMasterKeyId?: string;
  /**
   * Let EventBridge rules of this account publish to the topic too (failed deployments, failed backups). CloudWatch
   * alarms of this account always may.
   * @default false
   */
  readonly eventBridgePublishes?: boolean;
}

/**
 * The AWS services that publish to an alarm topic, by the name of their statement in its policy. A topic policy
 * replaces SNS's default one, which names no service: each service that publishes needs its statement here
 * (docs/aws-wiring.md, "Topic publishers"). The account's own principals need none: their IAM policies decide.
 */
export const ALARM_TOPIC_PUBLISHERS = {
  CloudWatchAlarmsPublish: "cloudwatch.amazonaws.com",
  EventBridgePublishes: "events.amazonaws.com",
} as const;

export const SNS_TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
/** Deliberately loose: SNS checks the address, this catches a pasted name or a missing `@`. */
export const EMAIL_ADDRESS = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * The SNS topic an environment's alarms notify, with its e-mail subscriptions
 * keyed by address (`<id>_email_ops-example-org`), so adding one creates one.
 *
 * An e-mail subscription stays "pending confirmation" until its owner clicks the
 * link in AWS's mail; Terraform cannot delete a pending one (AWS removes it after
 * three days), so a mistyped address is fixed by removing it here and waiting.
 */
export class AlarmTopic extends Construct {
  public readonly topicArn: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.topicName) && !SNS_TOPIC_NAME.test(props.topicName)) {
      throw new Error(
        `topicName: ${JSON.stringify(props.topicName)} is not a valid SNS topic name; use 1 to 256 letters, digits, - and _.`,
      );
    }
    const addresses = props.emailAddresses ?? [];
    addresses.forEach((address, index) => {
      if (!Token.isUnresolved(address) && !EMAIL_ADDRESS.test(address)) {
        throw new Error(`emailAddresses[${index}]: ${JSON.stringify(address)} is not an e-mail address; write it as name@example.org.`);
      }
      if (addresses.indexOf(address) !== index) {
        throw new Error(`emailAddresses[${index}]: ${JSON.stringify(address)} is listed twice; list each address once.`);
      }
    });

    const topic = new SnsTopic(this, "Default", {
      name: props.topicName,
      kmsMasterKeyId: props.kmsMasterKeyId,
    });
    for (const address of addresses) {
      new SnsTopicSubscription(this, `email_${constructKey(address)}`, {
        topicArn: topic.arn,
        protocol: "email",
        endpoint: address,
      });
    }
    // Every publisher from this account only: both services carry aws:SourceAccount on their calls to SNS.
    const publishers = props.eventBridgePublishes ? ["CloudWatchAlarmsPublish", "EventBridgePublishes"] as const : ["CloudWatchAlarmsPublish"] as const;
    new SnsTopicPolicy(this, "policy", {
      arn: topic.arn,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: publishers.map((sid) => ({
          Sid: sid,
          Effect: "Allow",
          Principal: { Service: ALARM_TOPIC_PUBLISHERS[sid] },
          Action: "sns:Publish",
          Resource: topic.arn,
          Condition: { StringEquals: { "aws:SourceAccount": topic.owner } },
        })),
      }),
    });
    this.topicArn = topic.arn;
  }
}
