import { TerraformStack } from "cdktf";
import { Construct } from "constructs";

export interface ExternalFactChecksProps {
  /** The existing EFS file system the tasks keep their data on. */
  readonly fileSystemId: string;
  /** The ACM certificate of the HTTPS listener. */
  readonly certificateArn: string;
  /** The certificate's domain name as ACM lists it (e.g. `meet.example.org` or `*.example.org`). */
  readonly certificateDomain: string;
}

/**
 * Terraform `check` blocks for what the stacks use but do not create: the EFS file system must be
 * encrypted at rest, and the listener's certificate issued. A check's data source is read on every
 * plan and apply, and a failed assertion or an unreadable source is a warning, never an error: a
 * real plan shows the problem, and an offline plan (no AWS to read) still succeeds.
 *
 * cdktf 0.21 has no construct for `check` blocks, so they are stack overrides.
 */
export class ExternalFactChecks extends Construct {
  constructor(scope: Construct, id: string, props: ExternalFactChecksProps) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    stack.addOverride(`check.${id}_efs_encrypted`, {
      data: { aws_efs_file_system: { [`${id}_file_system`]: { file_system_id: props.fileSystemId } } },
      assert: [
        {
          condition: `\${data.aws_efs_file_system.${id}_file_system.encrypted}`,
          error_message:
            `EFS file system ${props.fileSystemId} is not encrypted at rest, so the platform's data (the PostgreSQL data directory, ` +
            "Synapse's signing key) lies unencrypted on its disks; EFS encryption cannot be turned on later: create an encrypted file system, copy the data over and set efsFileSystemId to it.",
        },
      ],
    });
    stack.addOverride(`check.${id}_certificate_issued`, {
      data: { aws_acm_certificate: { [`${id}_certificate`]: { domain: props.certificateDomain, statuses: ["ISSUED"], most_recent: true } } },
      assert: [
        {
          condition: `\${data.aws_acm_certificate.${id}_certificate.arn == "${props.certificateArn}"}`,
          error_message:
            `The newest ISSUED ACM certificate for ${props.certificateDomain} is not ${props.certificateArn}, the HTTPS listener's: ` +
            "the listener's certificate is pending, expired, revoked or for another domain; renew or re-import it, or set loadBalancer.certificateArn to the issued one.",
        },
      ],
    });
  }
}
