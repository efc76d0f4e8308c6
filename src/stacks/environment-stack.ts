import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Backend } from "cdktf";
import { Construct } from "constructs";
import { S3BackendSettings, StackKind, stateKey } from "../backend";
import { Environment } from "../environments/environment";
import { AddressedStack } from "./addressed-stack";

export interface EnvironmentStackProps {
  readonly environment: Environment;
  readonly backend: S3BackendSettings;
}

/** Name of the stack of one kind for one environment, e.g. `networking-staging`. */
export function stackName(kind: StackKind, environmentName: string): string {
  return `${kind}-${environmentName}`;
}

/** A stack of one environment: its S3 state under the shared backend and an AWS provider tagging everything. */
export class EnvironmentStack extends AddressedStack {
  public readonly environment: Environment;

  constructor(scope: Construct, kind: StackKind, props: EnvironmentStackProps) {
    super(scope, stackName(kind, props.environment.name));
    this.environment = props.environment;
    const backend = new S3Backend(this, {
      bucket: props.backend.bucket,
      region: props.backend.region,
      encrypt: props.backend.encrypt,
      dynamodbTable: props.backend.dynamodb_table,
      key: stateKey(kind, props.environment.name),
      kmsKeyId: props.backend.kms_key_id,
    });
    // cdktf 0.21's S3Backend has no field for S3's native locking.
    if (props.backend.use_lockfile !== undefined) {
      backend.addOverride("use_lockfile", props.backend.use_lockfile);
    }
    new AwsProvider(this, "aws", {
      region: props.environment.region,
      defaultTags: [{ tags: { ...props.environment.tags } }],
    });
  }
}
