import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend } from "cdktf";
import { Construct } from "constructs";
import { S3BackendSettings } from "../backend";
import { AccessLogBucket } from "../modules/access-log-bucket";
import { LockTable } from "../modules/lock-table";
import { StateKey } from "../modules/state-key";
import { StateBucket } from "../modules/state-bucket";
import { AddressedStack } from "./addressed-stack";

/** Name of the stack that creates what `backend.tf.json` points to. */
export const STATE_BACKEND_STACK_NAME = "state-backend";

/**
 * Where the stack's own (local) state lives, relative to the directory Terraform runs in,
 * `cdktf.out/stacks/state-backend/`: the project's top level. Not inside `cdktf.out/`, which
 * `npm run synth` replaces wholesale; a relative path keeps the checked-in synth machine-free.
 */
export const STATE_BACKEND_STATE_PATH = "../../../state-backend.tfstate";

/**
 * Tags on every resource of the stack. The backend serves every environment, so it carries
 * none of an environment's tags: `Project` names the platform, `Info` how it is managed
 * (the legacy tag), `Stack` where to change it.
 */
export const STATE_BACKEND_TAGS: Readonly<Record<string, string>> = {
  Project: "jitsi-matrix",
  Info: "Terraform",
  Stack: STATE_BACKEND_STACK_NAME,
};

/** Where in the access log bucket S3 writes the state bucket's server access logs. */
const STATE_BUCKET_LOG_PREFIX = "state-bucket";

/** The bucket the state bucket's access logs go to: beside it, by name. */
export const stateAccessLogBucketName = (stateBucket: string) => `${stateBucket}-access-logs`;

export interface StateBackendStackProps {
  /** The settings of `backend.tf.json`: bucket, region and lock table are created from them. */
  readonly backend: S3BackendSettings;
  /** @default STATE_BACKEND_TAGS */
  readonly tags?: Readonly<Record<string, string>>;
  /** @default STATE_BACKEND_STATE_PATH */
  readonly statePath?: string;
}

/**
 * The S3 bucket and DynamoDB lock table every other stack keeps its state in, the KMS key the states
 * are encrypted with (when `backend.tf.json` names its alias), and the bucket of the state bucket's
 * access logs (kept 90 days). Its own
 * state cannot live there (it creates them), so it is local, with the operator, as the
 * legacy tiny configuration's was; it can always be rebuilt by importing the two.
 *
 * The lock table is created when `backend.tf.json` names one. With `use_lockfile: true`
 * and no `dynamodb_table`, the backend locks with a lock file in the bucket and there is
 * no table; with both, Terraform takes both locks (its documented migration path), so
 * the table stays until `dynamodb_table` is removed.
 */
export class StateBackendStack extends AddressedStack {
  public readonly bucket: StateBucket;
  public readonly lockTable?: LockTable;

  constructor(scope: Construct, props: StateBackendStackProps) {
    super(scope, STATE_BACKEND_STACK_NAME);
    new LocalBackend(this, { path: props.statePath ?? STATE_BACKEND_STATE_PATH });
    new AwsProvider(this, "aws", {
      region: props.backend.region,
      defaultTags: [{ tags: { ...(props.tags ?? STATE_BACKEND_TAGS) } }],
    });
    const accessLogs = new AccessLogBucket(this, "access_logs", {
      bucketName: stateAccessLogBucketName(props.backend.bucket),
      region: props.backend.region,
      deliveries: [{ from: "s3", prefix: STATE_BUCKET_LOG_PREFIX, sourceBucketNames: [props.backend.bucket] }],
    });
    const stateKey = props.backend.kms_key_id === undefined ? undefined : new StateKey(this, "state_key", { aliasName: props.backend.kms_key_id });
    this.bucket = new StateBucket(this, "state_bucket", {
      bucketName: props.backend.bucket,
      kmsKeyArn: stateKey?.keyArn,
      accessLogs: { bucketName: accessLogs.bucketName, prefix: STATE_BUCKET_LOG_PREFIX, dependsOn: accessLogs.writable },
    });
    if (props.backend.dynamodb_table !== undefined) {
      this.lockTable = new LockTable(this, "lock_table", { tableName: props.backend.dynamodb_table });
    }
  }
}
