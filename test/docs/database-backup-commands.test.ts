/**
 * docs/database-backups.md's AWS CLI commands, run as written after its variables block against a stand-in aws: each
 * block runs to its end, checks the one-off task's exit code, and names only the cluster, service and task family
 * dev really has.
 */
import { PARSED_ENVIRONMENTS } from "../support/environments";
import { operationsNames } from "../../src/environments/defaults";
import { DATABASE_BACKUP_CONTAINER } from "../../src/modules/database-backup";
import { CommandBlock, documentedBlock, oneOffTaskAnswers, runWithStandIns } from "../support/documented-commands";

const dev = PARSED_ENVIRONMENTS.find((e) => e.name === "dev")!;
const TASK = "arn:aws:ecs:eu-west-1:123456789012:task/jitsi-matrix-cluster-dev/0123456789abcdef";


/** `env` is what the reader set by hand, e.g. the `DUMP` found in the list. */
const run = (block: CommandBlock, exitCode = 0, env: NodeJS.ProcessEnv = {}) =>
  runWithStandIns(block, { cwd: __dirname, programs: ["aws"], before: [documentedBlock("backup-variables")], answers: { aws: oneOffTaskAnswers(TASK, exitCode) }, env });
const overridesOf = (args: string) => JSON.parse(args.slice(args.indexOf("--overrides ") + "--overrides ".length)) as unknown;

describe("docs/database-backups.md's commands, after its variables", () => {
  const cluster = dev.cluster.name;
  const family = operationsNames(dev.name).databaseBackup;

  it("names dev's cluster, matrix service and the backup task's family", () => {
    const variables = documentedBlock("backup-variables").text;
    expect(variables).toContain(`CLUSTER=${cluster} `);
    expect(variables).toContain(`SERVICE=${dev.matrix.serviceName} `);
    expect(variables).toContain("BACKUP=matrix-database-backup-$ENV ");
    expect(family).toBe("matrix-database-backup-dev");
    expect(dev.databaseBackups.enabled).toBe(true);
  });

  it("takes a backup now with the task's default action, and fails when it exited otherwise", () => {
    const result = run(documentedBlock("backup-now"));
    expect({ status: result.status, output: result.status === 0 ? "" : result.output }).toEqual({ status: 0, output: "" });
    expect(result.calls.map((c) => `${c.program} ${c.args}`)).toEqual([
      `aws ecs run-task --cluster ${cluster} --task-definition ${family} --launch-type EC2 --query tasks[0].taskArn --output text`,
      `aws ecs wait tasks-stopped --cluster ${cluster} --tasks ${TASK}`,
      `aws ecs describe-tasks --cluster ${cluster} --tasks ${TASK} --query tasks[0].containers[0].exitCode --output text`,
    ]);
    expect(run(documentedBlock("backup-now"), 3).status).not.toBe(0);
  });

  it("lists the dumps with the list action of the backup container", () => {
    const list = run(documentedBlock("backup-list"));
    expect(list.status).toBe(0);
    expect(overridesOf(list.calls[0].args)).toEqual({ containerOverrides: [{ name: DATABASE_BACKUP_CONTAINER, environment: [{ name: "ACTION", value: "list" }] }] });
    expect(list.calls[1].args).toBe(`ecs wait tasks-stopped --cluster ${cluster} --tasks ${TASK}`);
  });

  it("stops Synapse, restores the dump it is given, checks the exit code, and starts Synapse at its one task", () => {
    const stop = run(documentedBlock("backup-stop-matrix"));
    expect(stop.calls.map((c) => `${c.program} ${c.args}`)).toEqual([
      `aws ecs update-service --cluster ${cluster} --service ${dev.matrix.serviceName} --desired-count 0`,
      `aws ecs wait services-stable --cluster ${cluster} --services ${dev.matrix.serviceName}`,
    ]);
    const restore = run(documentedBlock("backup-restore"), 0, { DUMP: "20261206T023000Z" });
    expect(restore.status).toBe(0);
    expect(overridesOf(restore.calls[0].args)).toEqual({
      containerOverrides: [{ name: DATABASE_BACKUP_CONTAINER, environment: [{ name: "ACTION", value: "restore" }, { name: "DUMP", value: "20261206T023000Z" }] }],
    });
    expect(run(documentedBlock("backup-restore"), 1, { DUMP: "20261206T023000Z" }).status).not.toBe(0);
    const start = run(documentedBlock("backup-start-matrix"));
    expect(start.status).toBe(0);
    expect(start.calls[0].args).toBe(`ecs update-service --cluster ${cluster} --service ${dev.matrix.serviceName} --desired-count 1`);
  });
});
