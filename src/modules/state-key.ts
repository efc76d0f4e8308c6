import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";

export interface StateKeyProps {
  /** The alias `backend.tf.json`'s `kms_key_id` names, e.g. `alias/terraform-state`. */
  readonly aliasName: string;
}

/**
 * The KMS key of the Terraform states: the state bucket's default encryption, and the key the S3 backend
 * writes every state with (`kms_key_id`; without it the backend sends SSE-S3 whatever the bucket's default).
 * Rotated yearly; a scheduled deletion waits the longest KMS allows, since the states are unreadable
 * without it. KMS's default key policy (the account's IAM policies decide who may use it): whoever runs
 * Terraform needs `kms:Encrypt`, `kms:Decrypt` and `kms:GenerateDataKey` on it, as on the bucket.
 */
export class StateKey extends Construct {
  public readonly keyArn: string;

  constructor(scope: Construct, id: string, props: StateKeyProps) {
    super(scope, id);
    const key = new KmsKey(this, "Default", {
      description: "Terraform states of the jitsi-matrix platform",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, "alias", { name: props.aliasName, targetKeyId: key.keyId });
    this.keyArn = key.arn;
  }
}
