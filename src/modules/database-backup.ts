import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { EfsAccessPoint } from "@cdktf/provider-aws/lib/efs-access-point";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { EfsVolume, efsVolumeBlock } from "./ecs-service";
import { assumeRolePolicy } from "./iam-policy";
import { postgresScriptTask, ScriptDatabase } from "./postgres-script-task";
import { LogConfiguration } from "./service-log-group";

/** Logical backups of Synapse's database, as a new environment gets them. */
export const DATABASE_BACKUP_DEFAULTS = {
  /** Daily at 02:30 UTC, before the file system's own backup (03:00), which then holds the night's dump too. */
  schedule: "cron(30 2 * * ? *)",
  retentionDays: 14,
} as const;

/** The task's one container, which `aws ecs run-task --overrides` names. */
export const DATABASE_BACKUP_CONTAINER = "database-backup";
/** Where the task mounts the dumps' directory and Synapse's data directory. */
const DUMPS = "/dumps";
const SYNAPSE_DATA = "/synapse-data";

/**
 * What the task does, by its `ACTION` variable:
 * - `backup` (the task definition's): `pg_dump` of Synapse's database in PostgreSQL's custom format, with Synapse's
 *   signing keys (`*.signing.key` of its data directory, without which the restored server is another server to its
 *   federation), into a directory named by the time in UTC, written under a temporary name and renamed when complete;
 *   then it deletes the dumps older than `RETENTION_DAYS` and unfinished ones older than a day. No signing key found
 *   is an error: the dump would not restore the server.
 * - `list`: the dumps, newest last, in the task's log.
 * - `restore`: `DUMP`'s database into Synapse's, in one transaction (`pg_restore --clean --if-exists`: what the dump
 *   holds replaces what the database has), Synapse stopped (docs/database-backups.md).
 */
export const DATABASE_BACKUP_SCRIPT = [
  "set -eu",
  // No shell `${...}` here: Terraform would read it as its own interpolation in the task definition.
  `cd ${DUMPS}`,
  'case "$ACTION" in',
  "backup)",
  "  stamp=$(date -u +%Y%m%dT%H%M%SZ)",
  "  mkdir .partial-$stamp",
  '  pg_dump --format=custom --no-owner --no-privileges -d "$PGDATABASE" -f .partial-$stamp/synapse.dump',
  `  keys=$(find ${SYNAPSE_DATA} -maxdepth 1 -name '*.signing.key' | wc -l)`,
  '  if [ "$keys" -eq 0 ]; then echo "no *.signing.key in Synapse\'s data directory: the dump alone would not restore the server" >&2; exit 3; fi',
  `  cp ${SYNAPSE_DATA}/*.signing.key .partial-$stamp/`,
  "  mv .partial-$stamp $stamp",
  '  echo "dumped to $stamp"',
  '  find . -mindepth 1 -maxdepth 1 -type d -name "2*" -mtime +"$RETENTION_DAYS" -exec rm -rf {} +',
  "  find . -mindepth 1 -maxdepth 1 -type d -name '.partial-*' -mmin +1440 -exec rm -rf {} + ;;",
  "list)",
  "  ls -1 | grep -v '^[.]' || true ;;",
  "restore)",
  '  if [ ! -f "$DUMP/synapse.dump" ]; then echo "no dump $DUMP; list them with ACTION=list" >&2; exit 2; fi',
  '  pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error -d "$PGDATABASE" "$DUMP/synapse.dump" ;;',
  '*) echo "ACTION must be backup, list or restore" >&2; exit 2 ;;',
  "esac",
].join("\n");

/**
 * The EventBridge pattern of a failed backup task: stopped with an exit code other than 0, or never started
 * (`stopCode` `TaskFailedToStart`: the image not pulled, a secret not read, the EFS volume not mounted), whose
 * containers then have no exit code, which an `exitCode` pattern alone never matches (a pattern field matches only
 * when present).
 */
export const backupFailedPattern = (clusterArn: string, family: string) => ({
  source: ["aws.ecs"],
  "detail-type": ["ECS Task State Change"],
  detail: {
    clusterArn: [clusterArn],
    group: [`family:${family}`],
    lastStatus: ["STOPPED"],
    $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }],
  },
});

/** Synapse's database as the task connects to it. */
export interface BackedUpDatabase extends ScriptDatabase {
  readonly name: string;
  /**
   * A service whose instance the task must run on: the container's database is reached at its instance's published
   * port, through the Docker bridge's gateway.
   * @default - any instance
   */
  readonly onTheInstanceOf?: string;
}

export interface DatabaseBackupProps {
  /** The task definition's family, and the name of the schedule's rule and role. */
  readonly family: string;
  /** Tag of the `postgres` image: its `pg_dump` must be of the server's major or newer. */
  readonly imageTag: string;
  readonly database: BackedUpDatabase;
  readonly fileSystemId: string;
  /** The dumps' directory on the file system, which the access point creates, root's and closed to others. */
  readonly dumpsDirectory: string;
  /** Synapse's data directory (`matrix-synapse-data`), mounted read-only for its signing keys. */
  readonly synapseData: EfsVolume;
  readonly clusterArn: string;
  readonly executionRoleArn: string;
  /** An EventBridge schedule expression in UTC. */
  readonly schedule: string;
  readonly retentionDays: number;
  /** The alarm topic that hears of a backup that failed; its policy must let EventBridge publish. @default - none */
  readonly alarmTopicArn?: string;
  /** @default - the Docker daemon's default */
  readonly logConfiguration?: LogConfiguration;
}

/**
 * Logical backups of Synapse's database on a schedule: an EventBridge rule starts a one-off task (`pg_dump` in the
 * postgres image) that writes each dump with the signing keys to a directory of the environment's EFS file system,
 * through an access point of its own, so the file system's daily backup keeps the dumps too. Unlike a snapshot of a
 * live database's files, a dump is consistent, and restores into any newer PostgreSQL. With an alarm topic, a
 * backup task that fails or never starts is sent to it, and so is a schedule that could not start the task.
 */
export class DatabaseBackup extends Construct {
  public readonly family: string;

  constructor(scope: Construct, id: string, props: DatabaseBackupProps) {
    super(scope, id);
    const accessPoint = new EfsAccessPoint(this, "dumps", {
      fileSystemId: props.fileSystemId,
      // The task runs as root, who alone may read the dumps and keys.
      posixUser: { uid: 0, gid: 0 },
      rootDirectory: { path: props.dumpsDirectory, creationInfo: { ownerUid: 0, ownerGid: 0, permissions: "0700" } },
    });
    const dumpsVolume = "database-dumps";
    const taskDefinition = postgresScriptTask(this, {
      family: props.family,
      containerName: DATABASE_BACKUP_CONTAINER,
      imageTag: props.imageTag,
      script: DATABASE_BACKUP_SCRIPT,
      database: props.database,
      environment: {
        PGDATABASE: props.database.name,
        // The step; `aws ecs run-task --overrides` sets another.
        ACTION: "backup",
        RETENTION_DAYS: String(props.retentionDays),
      },
      mountPoints: [
        { sourceVolume: dumpsVolume, containerPath: DUMPS },
        { sourceVolume: props.synapseData.name, containerPath: SYNAPSE_DATA, readOnly: true },
      ],
      volumes: [
        {
          name: dumpsVolume,
          efsVolumeConfiguration: {
            fileSystemId: props.fileSystemId,
            // The access point's own directory: with an access point, ECS takes only "/".
            rootDirectory: "/",
            transitEncryption: "ENABLED",
            authorizationConfig: { accessPointId: accessPoint.id, iam: "DISABLED" },
          },
        },
        efsVolumeBlock(props.synapseData),
      ],
      // pg_dump and pg_restore write nothing but the dumps.
      readOnlyRoot: [],
      executionRoleArn: props.executionRoleArn,
      logConfiguration: props.logConfiguration,
    });

    const role = new IamRole(this, "events_role", {
      name: `${props.family}-events`,
      assumeRolePolicy: assumeRolePolicy("events.amazonaws.com"),
    });
    new IamRolePolicy(this, "events_role_policy", {
      role: role.id,
      name: "run-database-backup",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          // Any revision of the family, on the environment's cluster only.
          { Effect: "Allow", Action: "ecs:RunTask", Resource: `${taskDefinition.arnWithoutRevision}:*`, Condition: { ArnEquals: { "ecs:cluster": props.clusterArn } } },
          { Effect: "Allow", Action: "iam:PassRole", Resource: props.executionRoleArn, Condition: { StringLike: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } },
        ],
      }),
    });
    const rule = new CloudwatchEventRule(this, "schedule", {
      name: props.family,
      description: "Logical backup of Synapse's database with its signing keys",
      scheduleExpression: props.schedule,
    });
    new CloudwatchEventTarget(this, "target", {
      rule: rule.name,
      arn: props.clusterArn,
      roleArn: role.arn,
      ecsTarget: {
        taskDefinitionArn: taskDefinition.arn,
        launchType: "EC2",
        taskCount: 1,
        placementConstraint: props.database.onTheInstanceOf
          ? [{ type: "memberOf", expression: `task:group == service:${props.database.onTheInstanceOf}` }]
          : undefined,
      },
    });
    if (props.alarmTopicArn !== undefined) {
      const failed = new CloudwatchEventRule(this, "failed_rule", {
        name: `${props.family}-failed`,
        description: "A logical backup of Synapse's database failed",
        eventPattern: JSON.stringify(backupFailedPattern(props.clusterArn, props.family)),
      });
      new CloudwatchEventTarget(this, "failed_target", { rule: failed.name, arn: props.alarmTopicArn });
      // A schedule that cannot start the task at all (RunTask refused: no instance with room, the role's permissions)
      // raises no task event, only the rule's FailedInvocations metric (docs/aws-wiring.md, "Backup failures").
      new CloudwatchMetricAlarm(this, "not_started", {
        alarmName: `${props.family}-not-started`,
        alarmDescription: "EventBridge could not start the logical backup of Synapse's database: read the rule's failed invocations and run the backup by hand (docs/database-backups.md)",
        namespace: "AWS/Events",
        metricName: "FailedInvocations",
        dimensions: { RuleName: rule.name },
        statistic: "Sum",
        period: 3600,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        actionsEnabled: true,
        // No recovery mail: the next invocation is a day away, and an hour without one says nothing.
        alarmActions: [props.alarmTopicArn],
      });
    }
    this.family = props.family;
  }
}
