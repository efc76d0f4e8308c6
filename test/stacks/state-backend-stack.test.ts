import { App, Testing } from "cdktf";
import { S3BackendSettings } from "../../src/backend";
import { findViolations } from "../../tools/baseline/checks";
import { addStateBackend } from "../../src/platform";
import {
  STATE_BACKEND_STACK_NAME,
  STATE_BACKEND_STATE_PATH,
  STATE_BACKEND_TAGS,
  StateBackendStack,
} from "../../src/stacks/state-backend-stack";
import { addressesOf, StackJson } from "../support/synth";

const LEGACY_BACKEND: S3BackendSettings = {
  bucket: "terraform-state-bucket",
  region: "eu-west-1",
  encrypt: true,
  dynamodb_table: "terraform-locks-table",
  kms_key_id: "alias/terraform-state",
};

function synthStack(backend: S3BackendSettings): StackJson {
  const app = Testing.app();
  return JSON.parse(Testing.synth(new StateBackendStack(app, { backend }))) as StackJson;
}

describe("StateBackendStack", () => {
  const json = synthStack(LEGACY_BACKEND);

  it("is named state-backend and keeps its own state locally, at the project's top level", () => {
    const app = Testing.app();
    expect(addStateBackend(app as App, LEGACY_BACKEND).node.id).toBe(STATE_BACKEND_STACK_NAME);
    expect(json.terraform?.backend).toEqual({ local: { path: STATE_BACKEND_STATE_PATH } });
    // Terraform runs in cdktf.out/stacks/state-backend: three levels up is outside cdktf.out, which synth replaces.
    expect(STATE_BACKEND_STATE_PATH).toBe("../../../state-backend.tfstate");
  });

  it("creates the bucket and lock table backend.tf.json names, in its region, with fixed addresses", () => {
    expect(json.provider?.aws).toEqual([{ region: "eu-west-1", default_tags: [{ tags: { ...STATE_BACKEND_TAGS } }] }]);
    expect(addressesOf(json)).toEqual([
      "aws_dynamodb_table.lock_table",
      "aws_kms_alias.state_key_alias",
      "aws_kms_key.state_key",
      "aws_s3_bucket.access_logs",
      "aws_s3_bucket.state_bucket",
      "aws_s3_bucket_lifecycle_configuration.access_logs_lifecycle",
      "aws_s3_bucket_lifecycle_configuration.state_bucket_lifecycle",
      "aws_s3_bucket_logging.state_bucket_logging",
      "aws_s3_bucket_ownership_controls.access_logs_ownership",
      "aws_s3_bucket_ownership_controls.state_bucket_ownership",
      "aws_s3_bucket_policy.access_logs_policy",
      "aws_s3_bucket_policy.state_bucket_tls_only",
      "aws_s3_bucket_public_access_block.access_logs_public_access_block",
      "aws_s3_bucket_public_access_block.state_bucket_public_access_block",
      "aws_s3_bucket_server_side_encryption_configuration.access_logs_encryption",
      "aws_s3_bucket_server_side_encryption_configuration.state_bucket_encryption",
      "aws_s3_bucket_versioning.state_bucket_versioning",
    ]);
    expect(json.resource?.aws_s3_bucket.state_bucket).toMatchObject({ bucket: "terraform-state-bucket" });
    // The states' own key, under the alias backend.tf.json names, is the bucket's default encryption.
    expect(json.resource?.aws_kms_alias.state_key_alias).toMatchObject({ name: LEGACY_BACKEND.kms_key_id, target_key_id: "${aws_kms_key.state_key.key_id}" });
    expect(json.resource?.aws_kms_key.state_key).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    expect(json.resource?.aws_s3_bucket_server_side_encryption_configuration.state_bucket_encryption).toMatchObject({
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: "${aws_kms_key.state_key.arn}" }, bucket_key_enabled: true }],
    });
    // Its server access logs go to the bucket beside it, which only S3's logging service may write, for this bucket only.
    expect(json.resource?.aws_s3_bucket.access_logs).toMatchObject({ bucket: "terraform-state-bucket-access-logs" });
    expect(json.resource?.aws_s3_bucket_logging.state_bucket_logging).toMatchObject({ target_bucket: "${aws_s3_bucket.access_logs.bucket}", target_prefix: "state-bucket/" });
    const policy = JSON.parse(json.resource?.aws_s3_bucket_policy.access_logs_policy.policy as string);
    expect(policy.Statement[1]).toMatchObject({
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Condition: { ArnLike: { "aws:SourceArn": ["arn:aws:s3:::terraform-state-bucket"] } },
    });
    expect(json.resource?.aws_dynamodb_table.lock_table).toMatchObject({ name: "terraform-locks-table", hash_key: "LockID", point_in_time_recovery: { enabled: true } });
  });

  it("creates no lock table when the backend locks with S3's lock file and names no table", () => {
    const native = synthStack({ bucket: "b-state", region: "eu-central-1", encrypt: true, use_lockfile: true });
    expect(native.resource).not.toHaveProperty("aws_dynamodb_table");
    expect(native.provider?.aws[0]).toMatchObject({ region: "eu-central-1" });
  });

  it("keeps the table while the backend takes both locks, Terraform's migration path to the lock file", () => {
    const both = synthStack({ ...LEGACY_BACKEND, use_lockfile: true });
    expect(Object.keys(both.resource?.aws_dynamodb_table ?? {})).toEqual(["lock_table"]);
  });

  it("passes the security baseline's state bucket and tag rules", () => {
    const findings = findViolations({ name: STATE_BACKEND_STACK_NAME, json: json as never }, { stateBucket: LEGACY_BACKEND.bucket });
    expect(findings).toEqual([]);
  });

  it("fails the baseline's state bucket rule once a protection is removed (the check sees this stack)", () => {
    const weakened = JSON.parse(JSON.stringify(json)) as StackJson;
    delete weakened.resource!.aws_s3_bucket_versioning;
    const findings = findViolations({ name: STATE_BACKEND_STACK_NAME, json: weakened as never }, { stateBucket: LEGACY_BACKEND.bucket });
    expect(findings.map((finding) => finding.rule)).toEqual(["state-bucket-protected"]);
  });
});
