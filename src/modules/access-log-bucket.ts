import { DataAwsElbServiceAccount } from "@cdktf/provider-aws/lib/data-aws-elb-service-account";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { partitionOf } from "./platform-secrets";
import { BUCKET_NAME, denyInsecureTransportStatement, privateBucketControls } from "./state-bucket";

/** Days an access log is kept when nothing else is said: a quarter to look back at an incident. */
export const DEFAULT_ACCESS_LOG_RETENTION_DAYS = 90;

export interface AccessLogBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /** Region of the bucket and of what logs into it. */
  readonly region: string;
  /** @default 90 */
  readonly retentionDays?: number;
  /**
   * What delivers logs here, each under its own prefix (no slashes):
   * - `loadBalancer`: the region's Elastic Load Balancing account, for the load balancers whose `access_logs` name `prefix`;
   * - `s3`: S3 server access logging, for the buckets `sourceBucketNames` whose logging names `prefix/`.
   */
  readonly deliveries: readonly ({ readonly from: "loadBalancer"; readonly prefix: string } | { readonly from: "s3"; readonly prefix: string; readonly sourceBucketNames: readonly string[] })[];
}

/**
 * A bucket for access logs: private (every public access blocked, ACLs disabled), TLS only, each log
 * deleted after `retentionDays`, writable only by the AWS services that deliver the logs of this
 * account. Encrypted with SSE-S3: ALB access logs and S3 server access logs support no other default
 * encryption of their target bucket. The bucket logs nowhere itself; access logs of the access logs
 * would only repeat them.
 */
export class AccessLogBucket extends Construct {
  public readonly bucketName: string;
  /** The bucket's policy: a load balancer or bucket that logs here must wait for it, since AWS checks it may write. */
  public readonly writable: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.bucketName) && !BUCKET_NAME.test(props.bucketName)) {
      throw new Error(`bucketName: ${JSON.stringify(props.bucketName)} is not a valid S3 bucket name; use 3 to 63 lowercase letters, digits, dots and hyphens.`);
    }
    const days = props.retentionDays ?? DEFAULT_ACCESS_LOG_RETENTION_DAYS;
    if (!Number.isInteger(days) || days < 1) {
      throw new Error(`retentionDays: ${days} is not a whole number of days; give 1 or more.`);
    }
    if (props.deliveries.length === 0) {
      throw new Error("deliveries: [] is empty; name what logs into the bucket, so that its policy lets it write.");
    }
    const bucket = new S3Bucket(this, "Default", { bucket: props.bucketName });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    const publicAccessBlock = privateBucketControls(this, bucket.id);
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucket.id,
      rule: [
        {
          id: "expire-access-logs",
          status: "Enabled",
          filter: [{}],
          expiration: [{ days }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });

    const partition = partitionOf(props.region);
    const statements: object[] = [denyInsecureTransportStatement(bucket.arn)];
    for (const delivery of props.deliveries) {
      const objects = `${bucket.arn}/${delivery.prefix}/*`;
      if (delivery.from === "loadBalancer") {
        // The region's Elastic Load Balancing account writes ALB logs; the provider knows it without a call to AWS.
        const elb = new DataAwsElbServiceAccount(this, `elb_account_${delivery.prefix}`, { region: props.region });
        statements.push({ Sid: `LoadBalancerLogs${statements.length}`, Effect: "Allow", Principal: { AWS: elb.arn }, Action: "s3:PutObject", Resource: objects });
      } else {
        statements.push({
          Sid: `S3ServerAccessLogs${statements.length}`,
          Effect: "Allow",
          Principal: { Service: "logging.s3.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: objects,
          Condition: { ArnLike: { "aws:SourceArn": delivery.sourceBucketNames.map((name) => `arn:${partition}:s3:::${name}`) } },
        });
      }
    }
    const policy = new S3BucketPolicy(this, "policy", {
      bucket: bucket.id,
      policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
      // S3 answers 409 OperationAborted to concurrent changes of policy and public access block.
      dependsOn: [publicAccessBlock],
    });
    this.bucketName = bucket.bucket;
    this.writable = [policy];
  }
}
