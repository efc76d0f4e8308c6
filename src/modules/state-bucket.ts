import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";

export interface StateBucketProps {
  /** Globally unique bucket name, as `backend.tf.json` names it. */
  readonly bucketName: string;
  /**
   * KMS key for default encryption (`aws:kms` with an S3 bucket key).
   * @default - SSE-S3 (`AES256`), as the legacy bucket had it
   */
  readonly kmsKeyArn?: string;
  /**
   * Make Terraform refuse any plan that destroys the bucket: it holds every stack's state.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Days an overwritten (noncurrent) state version is kept before S3 deletes it; the newest
   * `NONCURRENT_STATE_VERSIONS_KEPT` are kept whatever their age. Old versions hold whatever a state ever
   * held (before write-only arguments, passwords), so they should not stay forever.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * S3 server access logs of the bucket: who read or wrote which state, into `AccessLogBucket`.
   * @default - no access logs
   */
  readonly accessLogs?: { readonly bucketName: string; readonly prefix: string; readonly dependsOn: readonly ITerraformDependable[] };
}

/** Noncurrent versions of each state object kept whatever their age: the last runs can always be rolled back. */
export const NONCURRENT_STATE_VERSIONS_KEPT = 10;
const DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS = 90;

/** S3 bucket names: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit. */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The statement that denies any request over plain HTTP, whoever makes it. */
export function denyInsecureTransportStatement(bucketArn: string) {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * Every public access blocked and ACLs disabled (the bucket owner owns every object), as `<scope>_public_access_block`
 * and `<scope>_ownership`. Returns the block, which a bucket policy must wait for (S3 answers 409 to both at once).
 */
export function privateBucketControls(scope: Construct, bucketId: string): S3BucketPublicAccessBlock {
  const block = new S3BucketPublicAccessBlock(scope, "public_access_block", {
    bucket: bucketId,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, "ownership", { bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } });
  return block;
}

/**
 * The TLS-only policy: any request over plain HTTP is denied, whoever makes it.
 * A deny-only policy is not "public", so it coexists with the public access block.
 */
export function denyInsecureTransportPolicy(bucketArn: string): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransportStatement(bucketArn)] });
}

/**
 * The bucket the S3 backend keeps Terraform state in: versioned (an overwritten
 * state can be restored) with old versions expiring, encrypted by default, public
 * access blocked, TLS only, ACLs disabled (the bucket owner owns every object).
 */
export class StateBucket extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.bucketName) && !BUCKET_NAME.test(props.bucketName)) {
      throw new Error(
        `bucketName: ${JSON.stringify(props.bucketName)} is not a valid S3 bucket name; use 3 to 63 lowercase letters, ` +
          "digits, dots and hyphens, starting and ending with a letter or digit (terraform.backend.s3.bucket in backend.tf.json).",
      );
    }

    const bucket = new S3Bucket(this, "Default", {
      bucket: props.bucketName,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    new S3BucketVersioningA(this, "versioning", {
      bucket: bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault:
            props.kmsKeyArn === undefined
              ? { sseAlgorithm: "AES256" }
              : { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn },
          // A bucket key cuts KMS requests per object; it means nothing for SSE-S3.
          bucketKeyEnabled: props.kmsKeyArn === undefined ? undefined : true,
        },
      ],
    });
    const publicAccessBlock = privateBucketControls(this, bucket.id);
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucket.id,
      rule: [
        {
          id: "expire-noncurrent-state-versions",
          status: "Enabled",
          // Every object of the bucket: all of it is state.
          filter: [{}],
          noncurrentVersionExpiration: [
            {
              noncurrentDays: props.noncurrentVersionExpirationDays ?? DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS,
              newerNoncurrentVersions: NONCURRENT_STATE_VERSIONS_KEPT,
            },
          ],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    new S3BucketPolicy(this, "tls_only", {
      bucket: bucket.id,
      policy: denyInsecureTransportPolicy(bucket.arn),
      // S3 answers 409 OperationAborted to concurrent changes of policy and public access block.
      dependsOn: [publicAccessBlock],
    });

    if (props.accessLogs) {
      new S3BucketLoggingA(this, "logging", {
        bucket: bucket.id,
        targetBucket: props.accessLogs.bucketName,
        targetPrefix: `${props.accessLogs.prefix}/`,
        dependsOn: [...props.accessLogs.dependsOn],
      });
    }

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
  }
}
