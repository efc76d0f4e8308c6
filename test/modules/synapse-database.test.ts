import { spawnSync } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { DatabaseTools, DATABASE_TOOLS_SCRIPT } from "../../src/modules/database-tools";
import { rdsLogGroupName, SynapseDatabase, SYNAPSE_DATABASE_DEFAULTS } from "../../src/modules/synapse-database";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

const props = {
  identifier: "jitsi-matrix-dev",
  vpcId: "vpc-1",
  subnetIds: ["subnet-a", "subnet-b"],
  clientSecurityGroupId: "sg-instances",
  ...SYNAPSE_DATABASE_DEFAULTS,
  deletionProtection: true,
  monitoringRoleName: "jitsi-matrix-dev-rds-monitoring",
  kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k",
  logRetentionDays: 30,
};

describe("SynapseDatabase", () => {
  const { json } = synthConstructs((scope) => new SynapseDatabase(scope, "synapse_database", props));
  const instance = onlyResource(json, "aws_db_instance");

  it("declares the log group of each exported log before the instance, with the key and a retention, so RDS does not create it unencrypted and never expiring", () => {
    const groups = resourcesOf(json, "aws_cloudwatch_log_group");
    expect(Object.values(groups)).toEqual([{ name: "/aws/rds/instance/jitsi-matrix-dev/postgresql", retention_in_days: 30, kms_key_id: props.kmsKeyArn }]);
    expect(instance.enabled_cloudwatch_logs_exports).toEqual((instance.enabled_cloudwatch_logs_exports as string[]).filter((log) => Object.values(groups).some((g) => g.name === rdsLogGroupName(props.identifier, log))));
    expect(instance.depends_on).toEqual(expect.arrayContaining(Object.keys(groups).map((name) => `aws_cloudwatch_log_group.${name}`)));
  });

  it("is a private, encrypted PostgreSQL with backups, deletion protection and a final snapshot", () => {
    expect(instance).toMatchObject({
      engine: "postgres",
      engine_version: "17",
      auto_minor_version_upgrade: true,
      storage_encrypted: true,
      kms_key_id: props.kmsKeyArn,
      publicly_accessible: false,
      backup_retention_period: 7,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "jitsi-matrix-dev-final",
      enabled_cloudwatch_logs_exports: ["postgresql"],
      max_allocated_storage: 100,
    });
  });

  it("lets RDS manage the master password in Secrets Manager, under the key: no password in the configuration", () => {
    expect(instance).toMatchObject({ manage_master_user_password: true, master_user_secret_kms_key_id: props.kmsKeyArn });
    expect(instance).not.toHaveProperty("password");
    expect(instance).not.toHaveProperty("password_wo");
  });

  it("has Performance Insights under the key, and enhanced monitoring by a role RDS alone assumes", () => {
    expect(instance).toMatchObject({
      performance_insights_enabled: true,
      performance_insights_kms_key_id: props.kmsKeyArn,
      performance_insights_retention_period: 7,
      monitoring_interval: 60,
      monitoring_role_arn: "${aws_iam_role.synapse_database_monitoring_role.arn}",
    });
    const role = onlyResource(json, "aws_iam_role");
    expect(role.name).toBe("jitsi-matrix-dev-rds-monitoring");
    expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([expect.objectContaining({ Principal: { Service: "monitoring.rds.amazonaws.com" } })]);
    expect(onlyResource(json, "aws_iam_role_policy_attachment").policy_arn).toBe("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole");
    expect(instance.depends_on).toEqual(expect.arrayContaining(["aws_iam_role_policy_attachment.synapse_database_monitoring_role_policy"]));
  });

  it("admits only the instances' group, on PostgreSQL's port, and forces TLS", () => {
    const group = onlyResource(json, "aws_security_group");
    expect(group.ingress).toEqual([expect.objectContaining({ from_port: 5432, to_port: 5432, protocol: "tcp", security_groups: ["sg-instances"], cidr_blocks: [] })]);
    expect(group.egress).toEqual([]);
    const parameters = onlyResource(json, "aws_db_parameter_group");
    expect(parameters.family).toBe("postgres17");
    // Replaced before it is destroyed, under a name of its own: a fixed name would collide with the group still in use.
    expect(parameters).toMatchObject({ name_prefix: "jitsi-matrix-dev-postgres17-", lifecycle: { create_before_destroy: true } });
    expect(parameters).not.toHaveProperty("name");
    expect(parameters.parameter).toContainEqual({ name: "rds.force_ssl", value: "1" });
    expect(resourcesOf(json, "aws_db_subnet_group")).toEqual({ synapse_database_subnet_group: expect.objectContaining({ subnet_ids: ["subnet-a", "subnet-b"] }) });
  });
});

describe("DatabaseTools", () => {
  const { json } = synthConstructs(
    (scope) =>
      new DatabaseTools(scope, "database_tools", {
        family: "matrix-database-tools-dev",
        imageTag: "17.7",
        database: { host: "db.example", port: 5432, user: "synapse", name: "synapse", passwordFrom: "arn:secret:password::" },
        synapseLogin: { user: "synapse_server", passwordFrom: "/jitsi-matrix/dev/SYNAPSE_DATABASE_PASSWORD" },
        containerData: { volume: { name: "matrix-postres-data", fileSystemId: "fs-1", rootDirectory: "/matrix/postgres/data" }, user: "synapse", database: "synapse" },
        executionRoleArn: "arn:role",
        readOnlyRootFilesystem: true,
      }),
  );
  const task = onlyResource(json, "aws_ecs_task_definition");
  const [container] = JSON.parse(task.container_definitions as string) as { environment: { name: string; value: string }[]; secrets: unknown[]; command: string[]; readonlyRootFilesystem: boolean }[];

  it("is a task definition without a service, the password from RDS's secret, TLS to RDS", () => {
    expect(resourcesOf(json, "aws_ecs_service")).toEqual({});
    expect(container.secrets).toEqual([
      { name: "PGPASSWORD", valueFrom: "arn:secret:password::" },
      // Synapse's login's password, which the task sets: from SSM, never in the task definition.
      { name: "SYNAPSE_LOGIN_PASSWORD", valueFrom: "/jitsi-matrix/dev/SYNAPSE_DATABASE_PASSWORD" },
    ]);
    expect(container.environment).toEqual(expect.arrayContaining([{ name: "SYNAPSE_LOGIN", value: "synapse_server" }]));
    expect(container.environment).toEqual(expect.arrayContaining([{ name: "PGSSLMODE", value: "require" }, { name: "ACTION", value: "create-database" }]));
    expect(container.readonlyRootFilesystem).toBe(true);
  });

  it("creates the database with the C collation Synapse requires, and copies through a dump of the container's data", () => {
    expect(DATABASE_TOOLS_SCRIPT).toContain("LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
    expect(DATABASE_TOOLS_SCRIPT).toMatch(/pg_dump .*\\\n\s+\| psql -v ON_ERROR_STOP=1 -d "\$SYNAPSE_DATABASE" --single-transaction/);
    // Terraform would take a shell ${...} for its own interpolation.
    expect(container.command[0]).not.toContain("${");
  });

  /** Runs the script with stand-ins for the PostgreSQL tools, which log their arguments; `exists` answers the lookup. */
  function runScript(action: string, exists: boolean) {
    const bin = mkdtempSync(path.join(tmpdir(), "database-tools-"));
    const log = path.join(bin, "calls.log");
    const stand = (name: string, body = "") => {
      writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${log}\n${body}\n`);
      chmodSync(path.join(bin, name), 0o755);
    };
    stand("psql", exists ? 'case "$*" in *"SELECT 1"*) echo 1;; esac' : "");
    stand("gosu", '[ "$2" = pg_dump ] && echo "-- dump"; exit 0');
    for (const name of ["mkdir", "chown"]) stand(name);
    try {
      const result = spawnSync("sh", ["-c", DATABASE_TOOLS_SCRIPT], {
        env: {
          PATH: `${bin}:/usr/bin:/bin`,
          ACTION: action,
          SYNAPSE_DATABASE: "synapse",
          CONTAINER_DATABASE: "synapse",
          CONTAINER_DATABASE_USER: "synapse",
          PGUSER: "synapse",
          SYNAPSE_LOGIN: "synapse_server",
          SYNAPSE_LOGIN_PASSWORD: "not-logged",
        },
      });
      const calls = readFileSync(log, { encoding: "utf8", flag: "a+" }).trim().split("\n").filter(Boolean);
      return { status: result.status, calls };
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }

  const LOGIN = "psql -v ON_ERROR_STOP=1 -q -d synapse -v login=synapse_server -v owner=synapse -v password=not-logged";

  it("creates the database once: again, it finds it and leaves it; either way it then brings Synapse's login up to date", () => {
    const first = runScript("create-database", false);
    expect(first.status).toBe(0);
    expect(first.calls[1]).toMatch(/^psql -v ON_ERROR_STOP=1 -d postgres -c CREATE DATABASE "synapse" ENCODING 'UTF8' LC_COLLATE 'C'/);
    expect(first.calls.slice(2)).toEqual([LOGIN]);
    const again = runScript("create-database", true);
    expect([again.status, again.calls.slice(1)]).toEqual([0, [LOGIN]]);
  });

  it("copies by starting the container's server, dumping into RDS in one transaction and stopping the server", () => {
    const copy = runScript("copy-from-container", false);
    expect(copy.status).toBe(0);
    const calls = copy.calls.filter((call) => !/^(mkdir|chown) /.test(call));
    expect(calls[0]).toBe("gosu postgres pg_ctl -D /var/lib/postgresql/data -o -c listen_addresses='' -w start");
    // The two sides of the pipe run at once, so they log in either order.
    expect(calls.slice(1, 3).sort()).toEqual([
      "gosu postgres pg_dump -h /var/run/postgresql -U synapse -d synapse --no-owner --no-privileges",
      "psql -v ON_ERROR_STOP=1 -d synapse --single-transaction",
    ]);
    // The restore ran as the master user: its objects go to Synapse's login.
    expect(calls.slice(3)).toEqual(["gosu postgres pg_ctl -D /var/lib/postgresql/data -m fast -w stop", LOGIN]);
    expect(runScript("drop-everything", false).status).toBe(2);
  });
});
