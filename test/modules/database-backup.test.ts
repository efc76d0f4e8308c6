import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { DATABASE_BACKUP_SCRIPT, DatabaseBackup, DatabaseBackupProps } from "../../src/modules/database-backup";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

const props: DatabaseBackupProps = {
  family: "matrix-database-backup-dev",
  imageTag: "17.7",
  database: { host: "db.example", port: 5432, user: "synapse", name: "synapse", passwordFrom: "arn:secret:password::", sslMode: "require" },
  fileSystemId: "fs-1",
  dumpsDirectory: "/database-dumps/dev",
  synapseData: { name: "matrix-synapse-data", fileSystemId: "fs-1", rootDirectory: "/matrix/synapse" },
  clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/c",
  executionRoleArn: "arn:aws:iam::123456789012:role/exec",
  schedule: "cron(30 2 * * ? *)",
  retentionDays: 14,
  alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:alarms",
};

const synth = (overrides: Partial<DatabaseBackupProps> = {}) => synthConstructs((scope) => new DatabaseBackup(scope, "database_backup", { ...props, ...overrides })).json;
type Container = { name: string; environment: { name: string; value: string }[]; secrets: { name: string; valueFrom: string }[]; mountPoints: { sourceVolume: string; containerPath: string; readOnly: boolean }[]; readonlyRootFilesystem: boolean; command: string[] };

describe("DatabaseBackup", () => {
  const json = synth();
  const task = onlyResource(json, "aws_ecs_task_definition");
  const [container] = JSON.parse(task.container_definitions as string) as Container[];

  it("starts its task on the schedule, on the cluster, by a role that may run only that family there", () => {
    expect(resourcesOf(json, "aws_cloudwatch_event_rule").database_backup_schedule).toMatchObject({ name: props.family, schedule_expression: "cron(30 2 * * ? *)" });
    const target = resourcesOf(json, "aws_cloudwatch_event_target").database_backup_target;
    expect(target).toMatchObject({ arn: props.clusterArn, ecs_target: { launch_type: "EC2", task_count: 1, task_definition_arn: "${aws_ecs_task_definition.database_backup_task_definition.arn}" } });
    expect(target.ecs_target).not.toHaveProperty("placement_constraint");
    const policy = JSON.parse(onlyResource(json, "aws_iam_role_policy").policy as string) as { Statement: { Action: string; Resource: string; Condition: unknown }[] };
    expect(policy.Statement).toEqual([
      { Effect: "Allow", Action: "ecs:RunTask", Resource: "${aws_ecs_task_definition.database_backup_task_definition.arn_without_revision}:*", Condition: { ArnEquals: { "ecs:cluster": props.clusterArn } } },
      { Effect: "Allow", Action: "iam:PassRole", Resource: props.executionRoleArn, Condition: { StringLike: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } },
    ]);
    expect(JSON.parse(onlyResource(json, "aws_iam_role").assume_role_policy as string).Statement[0].Principal).toEqual({ Service: "events.amazonaws.com" });
  });

  it("writes to an access point of its own, root's alone, in transit encrypted, and reads Synapse's keys read-only", () => {
    expect(onlyResource(json, "aws_efs_access_point")).toMatchObject({
      file_system_id: "fs-1",
      posix_user: { uid: 0, gid: 0 },
      root_directory: { path: "/database-dumps/dev", creation_info: { owner_uid: 0, owner_gid: 0, permissions: "0700" } },
    });
    expect(task.volume).toEqual([
      { name: "database-dumps", efs_volume_configuration: { file_system_id: "fs-1", root_directory: "/", transit_encryption: "ENABLED", authorization_config: { access_point_id: "${aws_efs_access_point.database_backup_dumps.id}", iam: "DISABLED" } } },
      { name: "matrix-synapse-data", efs_volume_configuration: { file_system_id: "fs-1", root_directory: "/matrix/synapse", transit_encryption: "ENABLED" } },
    ]);
    expect(container.mountPoints).toEqual([
      { sourceVolume: "database-dumps", containerPath: "/dumps", readOnly: false },
      { sourceVolume: "matrix-synapse-data", containerPath: "/synapse-data", readOnly: true },
    ]);
    expect(container.readonlyRootFilesystem).toBe(true);
    expect(container.secrets).toEqual([{ name: "PGPASSWORD", valueFrom: "arn:secret:password::" }]);
    expect(container.environment).toEqual(expect.arrayContaining([{ name: "PGSSLMODE", value: "require" }, { name: "ACTION", value: "backup" }, { name: "RETENTION_DAYS", value: "14" }]));
    expect(container.command[0]).not.toContain("${");
  });

  it("sends a backup task that stopped with another exit code than 0, or never started, to the alarm topic", () => {
    const rule = resourcesOf(json, "aws_cloudwatch_event_rule").database_backup_failed_rule;
    expect(JSON.parse(rule.event_pattern as string)).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: {
        clusterArn: [props.clusterArn],
        group: ["family:matrix-database-backup-dev"],
        lastStatus: ["STOPPED"],
        // A task that never started (image, secret, EFS) has containers without an exit code: only its stopCode says so.
        $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }],
      },
    });
    expect(resourcesOf(json, "aws_cloudwatch_event_target").database_backup_failed_target).toMatchObject({ arn: props.alarmTopicArn });
    expect(Object.keys(resourcesOf(synth({ alarmTopicArn: undefined }), "aws_cloudwatch_event_rule"))).toEqual(["database_backup_schedule"]);
  });

  it("alarms when the schedule could not start the task at all, which raises no task event", () => {
    expect(onlyResource(json, "aws_cloudwatch_metric_alarm")).toMatchObject({
      alarm_name: "matrix-database-backup-dev-not-started",
      namespace: "AWS/Events",
      metric_name: "FailedInvocations",
      dimensions: { RuleName: "${aws_cloudwatch_event_rule.database_backup_schedule.name}" },
      statistic: "Sum",
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      treat_missing_data: "notBreaching",
      alarm_actions: [props.alarmTopicArn],
    });
    expect(resourcesOf(synth({ alarmTopicArn: undefined }), "aws_cloudwatch_metric_alarm")).toEqual({});
  });

  it("runs on the matrix task's instance where the database is its container", () => {
    const target = resourcesOf(synth({ database: { ...props.database, host: "172.17.0.1", sslMode: "prefer", onTheInstanceOf: "matrix-service-staging" } }), "aws_cloudwatch_event_target").database_backup_target;
    expect(target.ecs_target).toMatchObject({ placement_constraint: [{ type: "memberOf", expression: "task:group == service:matrix-service-staging" }] });
  });
});

describe("the backup script", () => {
  let root: string;
  let dumps: string;
  let keys: string;
  let log: string;
  let bin: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "database-backup-"));
    [dumps, keys, bin] = ["dumps", "synapse-data", "bin"].map((name) => path.join(root, name));
    for (const dir of [dumps, keys, bin]) mkdirSync(dir);
    log = path.join(root, "calls.log");
    // pg_dump writes the file it is given; pg_restore only logs.
    writeFileSync(path.join(bin, "pg_dump"), `#!/bin/sh\necho "pg_dump $*" >> ${log}\nwhile [ $# -gt 0 ]; do [ "$1" = -f ] && echo dump > "$2"; shift; done\n`);
    writeFileSync(path.join(bin, "pg_restore"), `#!/bin/sh\necho "pg_restore $*" >> ${log}\n`);
    for (const name of ["pg_dump", "pg_restore"]) chmodSync(path.join(bin, name), 0o755);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** The script as the task runs it, its two mounts at the test's directories. */
  const run = (env: Record<string, string>) =>
    spawnSync("sh", ["-c", DATABASE_BACKUP_SCRIPT.replaceAll("/dumps", dumps).replaceAll("/synapse-data", keys)], {
      env: { PATH: `${bin}:/usr/bin:/bin`, PGDATABASE: "synapse", RETENTION_DAYS: "14", ...env },
      encoding: "utf8",
    });
  const calls = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);

  it("dumps in the custom format with the signing key into a directory named by the time, and keeps nothing half-written", () => {
    writeFileSync(path.join(keys, "matrix.example.org.signing.key"), "ed25519 a_key secret");
    const result = run({ ACTION: "backup" });
    expect(result.status).toBe(0);
    const [stamp] = readdirSync(dumps);
    expect(stamp).toMatch(/^\d{8}T\d{6}Z$/);
    expect(readdirSync(path.join(dumps, stamp)).sort()).toEqual(["matrix.example.org.signing.key", "synapse.dump"]);
    expect(calls()).toEqual([`pg_dump --format=custom --no-owner --no-privileges -d synapse -f .partial-${stamp}/synapse.dump`]);
  });

  it("fails without a signing key, leaving no dump that looks complete", () => {
    const result = run({ ACTION: "backup" });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("no *.signing.key in Synapse's data directory");
    expect(readdirSync(dumps).filter((name) => !name.startsWith("."))).toEqual([]);
  });

  it("deletes dumps past the retention and stale unfinished ones, and keeps the rest", () => {
    writeFileSync(path.join(keys, "m.signing.key"), "k");
    const old = new Date(Date.now() - 20 * 86400_000);
    for (const name of ["20200101T023000Z", ".partial-20200101T023000Z", "20991231T023000Z"]) {
      mkdirSync(path.join(dumps, name));
      if (name !== "20991231T023000Z") utimesSync(path.join(dumps, name), old, old);
    }
    expect(run({ ACTION: "backup" }).status).toBe(0);
    const left = readdirSync(dumps).sort();
    expect(left).toHaveLength(2);
    expect(left).toContain("20991231T023000Z");
    expect(left).not.toContain("20200101T023000Z");
  });

  it("lists the dumps, and restores one in a single transaction, refusing one that is not there", () => {
    mkdirSync(path.join(dumps, "20261201T023000Z"));
    writeFileSync(path.join(dumps, "20261201T023000Z", "synapse.dump"), "dump");
    expect(run({ ACTION: "list" }).stdout.trim()).toBe("20261201T023000Z");
    expect(run({ ACTION: "restore", DUMP: "20261201T023000Z" }).status).toBe(0);
    expect(calls()).toEqual(["pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error -d synapse 20261201T023000Z/synapse.dump"]);
    const missing = run({ ACTION: "restore", DUMP: "20261130T023000Z" });
    expect([missing.status, missing.stderr.trim()]).toEqual([2, "no dump 20261130T023000Z; list them with ACTION=list"]);
    expect(run({ ACTION: "drop-everything" }).status).toBe(2);
  });
});
