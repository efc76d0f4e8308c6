import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { assumeRolePolicy } from "./iam-policy";
import { partitionOf } from "./platform-secrets";

/** Lets AWS Backup snapshot the selected resources. */
export const BACKUP_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup";
/** Lets AWS Backup restore recovery points, e.g. into a new EFS directory. */
export const RESTORE_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores";

export const EFS_BACKUP_DEFAULTS = {
  retentionDays: 7,
  /** 03:00 UTC every day: night in Europe, where the legacy platform's users are. */
  schedule: "cron(0 3 * * ? *)",
} as const;

export interface EfsBackupProps {
  /**
   * Base of every name: the vault and the plan are `<name>`, the selection `<name>-efs`,
   * the role `<name>-backup` unless `roleName` says otherwise. 2 to 46 letters, digits, `-`, `_`.
   */
  readonly name: string;
  /** The EFS file system to back up, e.g. `fs-bce67e88`. */
  readonly fileSystemId: string;
  /** Region of the file system. */
  readonly region: string;
  /**
   * Account of the file system. Without it the file system's ARN takes the account from
   * the backup role's ARN when the role is created, so nothing is looked up at plan time.
   * @default - the backup role's account
   */
  readonly accountId?: string;
  /** Days each daily recovery point is kept. @default 7 */
  readonly retentionDays?: number;
  /** When the daily backup starts, an AWS Backup cron expression in UTC. @default "cron(0 3 * * ? *)" */
  readonly schedule?: string;
  /** @default `<name>-backup` */
  readonly roleName?: string;
  /**
   * KMS key that encrypts the recovery points in the vault.
   * @default - AWS Backup's AWS-managed key (`aws/backup`)
   */
  readonly kmsKeyArn?: string;
}

const BACKUP_NAME = /^[A-Za-z0-9_-]{2,46}$/;
const FILE_SYSTEM_ID = /^fs-[0-9a-f]{8,40}$/;
const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const SCHEDULE = /^(cron|rate)\(.+\)$/;

function check(field: string, value: string, pattern: RegExp, fix: string): void {
  if (!Token.isUnresolved(value) && !pattern.test(value)) {
    throw new Error(`${field}: ${JSON.stringify(value)} ${fix}.`);
  }
}

/**
 * Daily AWS Backup of the platform's EFS file system: a vault, a plan with one daily
 * rule and a retention, the selection of the file system by ARN, and the role AWS
 * Backup assumes to take (and, for an operator's restore job, restore) the backups.
 * `docs/backups.md` is the restore procedure.
 */
export class EfsBackup extends Construct {
  public readonly vaultName: string;
  public readonly vaultArn: string;
  public readonly planId: string;
  /** The role to name in a restore job (`--iam-role-arn`). */
  public readonly roleArn: string;
  /** The selected file system's ARN; unknown until apply when `accountId` is not given. */
  public readonly fileSystemArn: string;

  constructor(scope: Construct, id: string, props: EfsBackupProps) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? EFS_BACKUP_DEFAULTS.retentionDays;
    const schedule = props.schedule ?? EFS_BACKUP_DEFAULTS.schedule;
    const roleName = props.roleName ?? `${props.name}-backup`;
    check("name", props.name, BACKUP_NAME, "is not a usable backup name; use 2 to 46 letters, digits, - and _");
    check("fileSystemId", props.fileSystemId, FILE_SYSTEM_ID, "is not an EFS file system ID; use the fs-… ID");
    if (props.accountId !== undefined) {
      check("accountId", props.accountId, ACCOUNT_ID, "is not an AWS account ID; use the 12 digits, or leave it out");
    }
    check("roleName", roleName, ROLE_NAME, "is not a valid IAM role name; use at most 64 letters, digits and +=,.@_-");
    check("schedule", schedule, SCHEDULE, 'is not an AWS Backup schedule; write it like "cron(0 3 * * ? *)"');
    if (!Token.isUnresolved(retentionDays) && !(Number.isInteger(retentionDays) && retentionDays >= 1)) {
      throw new Error(`retentionDays: ${retentionDays} is not a number of days; use a whole number of at least 1.`);
    }

    const role = new IamRole(this, "role", {
      name: roleName,
      assumeRolePolicy: assumeRolePolicy("backup.amazonaws.com"),
    });
    new IamRolePolicyAttachment(this, "role_backup", { role: role.name, policyArn: BACKUP_POLICY_ARN });
    new IamRolePolicyAttachment(this, "role_restores", { role: role.name, policyArn: RESTORE_POLICY_ARN });

    const vault = new BackupVault(this, "Default", { name: props.name, kmsKeyArn: props.kmsKeyArn });
    const plan = new BackupPlan(this, "plan", {
      name: props.name,
      rule: [
        {
          ruleName: "daily",
          targetVaultName: vault.name,
          schedule,
          lifecycle: { deleteAfter: retentionDays },
        },
      ],
    });

    // A data source for the file system or the account would call AWS at plan time; the
    // role's ARN (arn:<partition>:iam::<account>:role/<name>) carries the account instead.
    const roleArnPart = (index: number) => Token.asString(Fn.element(Fn.split(":", role.arn), index));
    const fileSystemArn =
      props.accountId !== undefined
        ? `arn:${partitionOf(props.region)}:elasticfilesystem:${props.region}:${props.accountId}:file-system/${props.fileSystemId}`
        : `arn:${roleArnPart(1)}:elasticfilesystem:${props.region}:${roleArnPart(4)}:file-system/${props.fileSystemId}`;
    new BackupSelection(this, "efs", {
      name: `${props.name}-efs`,
      planId: plan.id,
      iamRoleArn: role.arn,
      resources: [fileSystemArn],
    });

    this.vaultName = vault.name;
    this.vaultArn = vault.arn;
    this.planId = plan.id;
    this.roleArn = role.arn;
    this.fileSystemArn = fileSystemArn;
  }
}
