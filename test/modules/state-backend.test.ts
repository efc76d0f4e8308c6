import { LockTable } from "../../src/modules/lock-table";
import { denyInsecureTransportPolicy, StateBucket } from "../../src/modules/state-bucket";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

describe("StateBucket", () => {
  const { json } = synthConstructs((scope) => new StateBucket(scope, "state_bucket", { bucketName: "my-state" }));
  const bucketRef = "${aws_s3_bucket.state_bucket.id}";

  it("names the bucket as given and makes Terraform refuse to destroy it", () => {
    expect(resourcesOf(json, "aws_s3_bucket").state_bucket).toEqual(
      expect.objectContaining({ bucket: "my-state", lifecycle: { prevent_destroy: true } }),
    );
  });

  it("keeps every version of every object, so an overwritten state can be restored", () => {
    expect(resourcesOf(json, "aws_s3_bucket_versioning").state_bucket_versioning).toMatchObject({
      bucket: bucketRef,
      versioning_configuration: { status: "Enabled" },
    });
  });

  it("encrypts by default with SSE-S3, as the legacy bucket did, without a bucket key", () => {
    const rule = (onlyResource(json, "aws_s3_bucket_server_side_encryption_configuration").rule as Record<string, unknown>[])[0];
    expect(rule).toEqual({ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } });
  });

  it("encrypts with a KMS key and a bucket key when one is given", () => {
    const kms = synthConstructs(
      (scope) => new StateBucket(scope, "b", { bucketName: "my-state", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k" }),
    ).json;
    expect(onlyResource(kms, "aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      {
        apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: "arn:aws:kms:eu-west-1:123456789012:key/k" },
        bucket_key_enabled: true,
      },
    ]);
  });

  it("blocks every kind of public access and disables ACLs", () => {
    expect(onlyResource(json, "aws_s3_bucket_public_access_block")).toMatchObject({
      bucket: bucketRef,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(onlyResource(json, "aws_s3_bucket_ownership_controls")).toMatchObject({
      bucket: bucketRef,
      rule: { object_ownership: "BucketOwnerEnforced" },
    });
  });

  it("denies every request that does not use TLS, on the bucket and its objects, after the access block is set", () => {
    const policy = onlyResource(json, "aws_s3_bucket_policy");
    expect(policy.depends_on).toEqual(["aws_s3_bucket_public_access_block.state_bucket_public_access_block"]);
    expect(JSON.parse(policy.policy as string).Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: ["${aws_s3_bucket.state_bucket.arn}", "${aws_s3_bucket.state_bucket.arn}/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    expect(denyInsecureTransportPolicy("arn:aws:s3:::b")).toContain('"aws:SecureTransport":"false"');
  });

  it("can let the bucket be destroyed when asked", () => {
    const { json: loose } = synthConstructs((scope) => new StateBucket(scope, "b", { bucketName: "my-state", preventDestroy: false }));
    expect(onlyResource(loose, "aws_s3_bucket").lifecycle).toEqual({ prevent_destroy: false });
  });

  it.each(["My_State", "ab", "-state", `s${"x".repeat(63)}`])("fails on the invalid bucket name %s, naming the field", (name) => {
    expect(() => synthConstructs((scope) => new StateBucket(scope, "b", { bucketName: name }))).toThrow(
      new RegExp(`^bucketName: "${name}" is not a valid S3 bucket name; use 3 to 63 lowercase letters`),
    );
  });
});

describe("LockTable", () => {
  const { json } = synthConstructs((scope) => new LockTable(scope, "lock_table", { tableName: "my-locks" }));

  it("is an on-demand table keyed by the string LockID the S3 backend writes", () => {
    expect(resourcesOf(json, "aws_dynamodb_table").lock_table).toMatchObject({
      name: "my-locks",
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      deletion_protection_enabled: false,
    });
    expect(onlyResource(json, "aws_dynamodb_table")).not.toHaveProperty("read_capacity");
  });

  it("fails on a table name DynamoDB refuses", () => {
    expect(() => synthConstructs((scope) => new LockTable(scope, "t", { tableName: "my locks" }))).toThrow(
      /^tableName: "my locks" is not a valid DynamoDB table name/,
    );
  });
});
