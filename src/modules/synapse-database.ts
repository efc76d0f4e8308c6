import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { assumeRolePolicy } from "./iam-policy";
import { POSTGRES_PORT } from "./matrix";
import { SecurityGroup } from "./security-group";

/** Synapse's database on Amazon RDS for PostgreSQL, as a new environment gets it. */
export const SYNAPSE_DATABASE_DEFAULTS = {
  /** The major; RDS runs its newest minor and upgrades minors in the maintenance window. */
  engineVersion: "17",
  /** Two vCPUs and 2 GiB: a Synapse of a few hundred users. */
  instanceClass: "db.t4g.small",
  allocatedStorageGiB: 20,
  /** Storage autoscaling's ceiling. */
  maxAllocatedStorageGiB: 100,
  backupRetentionDays: 7,
  multiAz: false,
  /** Performance Insights' free retention; longer costs per vCPU-month. */
  performanceInsightsRetentionDays: 7,
  /** Enhanced monitoring's interval: the host's OS metrics (memory, swap, I/O per process), a few cents a month. */
  monitoringIntervalSeconds: 60,
} as const;

/** AWS's policy for RDS's enhanced monitoring: writing the `RDSOSMetrics` log group, nothing else. */
const ENHANCED_MONITORING_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole";

/** The logs the instance exports to CloudWatch Logs. */
const EXPORTED_LOGS = ["postgresql"] as const;

/**
 * The log group RDS writes an exported log to, and creates itself, with no key and no expiry, unless it exists
 * (RDS User Guide, "Publishing PostgreSQL logs to Amazon CloudWatch Logs"; docs/aws-wiring.md).
 */
export const rdsLogGroupName = (identifier: string, log: string) => `/aws/rds/instance/${identifier}/${log}`;

/**
 * The master user, whose password RDS keeps in Secrets Manager and rotates every seven days: the one-off tasks
 * (database tools, backups) connect as it, reading the secret at their start.
 */
export const SYNAPSE_DATABASE_USER = "synapse";
/**
 * Synapse's own login, which owns Synapse's database and tables, and whose password (`SYNAPSE_DATABASE_PASSWORD`
 * in SSM) changes only when the environment raises its version. Synapse reads its password once, at start: under
 * the rotating master password, its next new connection after a rotation would fail (docs/aws-wiring.md,
 * "Rotated secrets"). The database tools create it (`create-database`); the master user is a member of it, so the
 * backups read everything it owns.
 */
export const SYNAPSE_LOGIN = "synapse_server";
/** The database Synapse uses, which the runbook creates with the C collation Synapse requires. */
export const SYNAPSE_DATABASE_NAME = "synapse";

export interface SynapseDatabaseProps {
  /** The instance's identifier, and the name of its subnet group, parameter group and security group. */
  readonly identifier: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** The group of the container instances, the only one that may connect. */
  readonly clientSecurityGroupId: string;
  readonly engineVersion: string;
  readonly instanceClass: string;
  readonly allocatedStorageGiB: number;
  readonly maxAllocatedStorageGiB: number;
  readonly backupRetentionDays: number;
  readonly multiAz: boolean;
  readonly deletionProtection: boolean;
  /** The role RDS assumes to send enhanced monitoring's metrics. */
  readonly monitoringRoleName: string;
  /**
   * The environment's KMS key, for the storage, the snapshots and the master password's secret.
   * @default - AWS-managed keys (`aws/rds`, `aws/secretsmanager`)
   */
  readonly kmsKeyArn?: string;
  /** Days CloudWatch keeps the exported PostgreSQL log (slow queries, schema changes). */
  readonly logRetentionDays: number;
}

/**
 * An RDS for PostgreSQL instance for Synapse, reached only from the instances' group, encrypted, with daily automated
 * backups and deletion protection. RDS manages the master password in Secrets Manager (`manage_master_user_password`):
 * it never passes through Terraform, so no state or plan holds it; ECS reads it from the secret at task start.
 * Performance Insights (query load by wait event, under the environment's key) and enhanced monitoring (the host's
 * OS metrics every minute) are on: what an operator looks at first when Synapse is slow.
 */
export class SynapseDatabase extends Construct {
  public readonly address: string;
  public readonly port: number = POSTGRES_PORT;
  /** ARN of the Secrets Manager secret with the master user's `username` and `password`. */
  public readonly masterSecretArn: string;
  public readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: SynapseDatabaseProps) {
    super(scope, id);
    const group = new SecurityGroup(this, "security_group", {
      vpcId: props.vpcId,
      name: `${props.identifier}-db`,
      description: `Synapse database (${props.identifier})`,
      ingress: { "postgresql from the container instances": { protocol: "tcp", fromPort: POSTGRES_PORT, securityGroupIds: [props.clientSecurityGroupId] } },
      // A database only answers.
      egress: {},
    });
    const subnets = new DbSubnetGroup(this, "subnet_group", {
      name: props.identifier,
      description: `Synapse database subnets (${props.identifier})`,
      subnetIds: [...props.subnetIds],
    });
    const major = props.engineVersion.split(".")[0];
    const parameters = new DbParameterGroup(this, "parameter_group", {
      // A prefix, not a name: every argument that replaces the group (its family, its description) then gets it a new
      // name, which create_before_destroy needs (the old group stays in use until the instance has moved off it).
      namePrefix: `${props.identifier}-postgres${major}-`,
      family: `postgres${major}`,
      description: `Synapse PostgreSQL settings (${props.identifier})`,
      parameter: [
        // Synapse connects with sslmode=require; nothing may connect in clear.
        { name: "rds.force_ssl", value: "1" },
        // Queries slower than a second go to the log, which RDS exports to CloudWatch.
        { name: "log_min_duration_statement", value: "1000" },
        // Schema changes go to the log too (Synapse's migrations); every statement would put room messages there.
        { name: "log_statement", value: "ddl" },
      ],
      lifecycle: { createBeforeDestroy: true },
    });
    const monitoringRole = new IamRole(this, "monitoring_role", {
      name: props.monitoringRoleName,
      assumeRolePolicy: assumeRolePolicy("monitoring.rds.amazonaws.com"),
    });
    const monitoringPolicy = new IamRolePolicyAttachment(this, "monitoring_role_policy", {
      role: monitoringRole.name,
      policyArn: ENHANCED_MONITORING_POLICY_ARN,
    });
    // Declared before the instance exports to them, so that they carry the key and expire.
    const logGroups = EXPORTED_LOGS.map(
      (log) => new CloudwatchLogGroup(this, `log_group_${log}`, { name: rdsLogGroupName(props.identifier, log), retentionInDays: props.logRetentionDays, kmsKeyId: props.kmsKeyArn }),
    );
    const instance = new DbInstance(this, "instance", {
      identifier: props.identifier,
      engine: "postgres",
      engineVersion: props.engineVersion,
      autoMinorVersionUpgrade: true,
      instanceClass: props.instanceClass,
      allocatedStorage: props.allocatedStorageGiB,
      maxAllocatedStorage: props.maxAllocatedStorageGiB,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: props.kmsKeyArn,
      username: SYNAPSE_DATABASE_USER,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.kmsKeyArn,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [group.securityGroupId],
      publiclyAccessible: false,
      multiAz: props.multiAz,
      parameterGroupName: parameters.name,
      backupRetentionPeriod: props.backupRetentionDays,
      copyTagsToSnapshot: true,
      deletionProtection: props.deletionProtection,
      // Deleting the instance (after deletion protection is off) leaves a last snapshot.
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${props.identifier}-final`,
      enabledCloudwatchLogsExports: [...EXPORTED_LOGS],
      caCertIdentifier: "rds-ca-rsa2048-g1",
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: props.kmsKeyArn,
      performanceInsightsRetentionPeriod: SYNAPSE_DATABASE_DEFAULTS.performanceInsightsRetentionDays,
      monitoringInterval: SYNAPSE_DATABASE_DEFAULTS.monitoringIntervalSeconds,
      monitoringRoleArn: monitoringRole.arn,
      // RDS checks that the role may publish when the instance is created or modified.
      dependsOn: [monitoringPolicy, ...logGroups],
    });
    this.address = instance.address;
    this.masterSecretArn = instance.masterUserSecret.get(0).secretArn;
    this.securityGroupId = group.securityGroupId;
  }
}
