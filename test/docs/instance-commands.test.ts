/**
 * The runbooks' AWS CLI, on-instance and switch-off cdktf commands (docs/maintenance.md, docs/backups.md), run as written
 * after the runbook's own variables block, against stand-ins for aws, docker and sudo: each block must
 * run to its end, and every cluster, service, task family and file system it names must be one the
 * environment really has. A runbook that drifts from the environment's names fails here.
 */
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { PARSED_ENVIRONMENTS as ENVIRONMENTS } from "../support/environments";
import { Environment } from "../../src/environments/environment";
import { POSTGRES_UPGRADE_DEFAULTS } from "../../src/modules/postgres-upgrade";
import { STACK_FILE } from "../../tools/synthesize";
import { CommandBlock, documentedBlock, runWithStandIns, StandInCall } from "../support/documented-commands";
import { cdktfCliEnv, cliSandbox } from "../support/recording-terraform";

const STAND_INS = ["aws", "docker", "sudo"];
const production = ENVIRONMENTS.find((e) => e.name === "production")!;
const staging = ENVIRONMENTS.find((e) => e.name === "staging")!;

/** The names of `environment` a command may mention, by the flag or label that carries them. */
function namesOf(environment: Environment) {
  const upgrade = { ...POSTGRES_UPGRADE_DEFAULTS, ...environment.postgresUpgrade };
  return {
    cluster: [environment.cluster.name],
    service: [environment.matrix.serviceName, environment.jitsi.serviceName, upgrade.serviceName],
    family: [environment.matrix.taskFamily, environment.jitsi.taskFamily, upgrade.taskFamily],
  };
}

/** Every `--cluster`, `--service(s)`/`--service-name` and task-definition-family label a call names. */
function namedIn(call: StandInCall): { cluster: string[]; service: string[]; family: string[] } {
  const words = call.args.split(/\s+/);
  const after = (flags: string[]) => words.flatMap((word, i) => (flags.includes(word) && words[i + 1] ? [words[i + 1]] : []));
  const family = [...call.args.matchAll(/task-definition-family=([\w-]+)/g)].map((m) => m[1]);
  return { cluster: after(["--cluster"]), service: after(["--service", "--services", "--service-name"]), family };
}

function runAfterVariables(block: CommandBlock, variables: CommandBlock[], environment: Environment, where: { cwd: string; env?: NodeJS.ProcessEnv } = { cwd: __dirname }) {
  const id = block.id;
  const run = runWithStandIns(block, { cwd: where.cwd, programs: STAND_INS, before: variables, env: where.env });
  expect({ id, status: run.status, output: run.output }).toEqual({ id, status: 0, output: expect.anything() });
  const allowed = namesOf(environment);
  for (const call of run.calls) {
    const named = namedIn(call);
    for (const kind of ["cluster", "service", "family"] as const) {
      for (const name of named[kind]) expect({ id, kind, name, allowed: allowed[kind].includes(name) }).toEqual({ id, kind, name, allowed: true });
    }
  }
  return run;
}


describe("docs/maintenance.md's commands on AWS and on the instance, after its variables and its container() helper", () => {
  const variables = () => [documentedBlock("maintenance-variables"), documentedBlock("container-function")];

  it.each([
    documentedBlock("find-instance"),
    documentedBlock("postgres-dump"),
    documentedBlock("postgres-stop-matrix"),
    documentedBlock("postgres-move-data"),
    documentedBlock("postgres-check"),
    documentedBlock("element-stop-matrix"),
    documentedBlock("element-move-folder"),
    documentedBlock("element-copy-files"),
  ])("```sh $id runs and names only production's cluster, services and task families", (block) => {
    expect(runAfterVariables(block, variables(), production).calls.length).toBeGreaterThan(0);
  });

  it("stopping Matrix scales the Matrix service of production's cluster to 0 and waits for it", () => {
    const run = runAfterVariables(documentedBlock("postgres-stop-matrix"), variables(), production);
    expect(run.calls.map((c) => `${c.program} ${c.args}`)).toEqual([
      `aws ecs update-service --cluster ${production.cluster.name} --service ${production.matrix.serviceName} --desired-count 0`,
      `aws ecs wait services-stable --cluster ${production.cluster.name} --services ${production.matrix.serviceName}`,
    ]);
  });
});

/**
 * The runbook's deploys with the switch off again (PostgreSQL step 10, the Element upgrade), through the real
 * cdktf CLI in a copy of the project, against the recording terraform.
 */
describe("docs/maintenance.md's cdktf commands with the switch off", () => {
  const variables = () => [documentedBlock("maintenance-variables"), documentedBlock("container-function")];
  const sandbox = cliSandbox();

  it.each([
    { block: documentedBlock("postgres-switch-off-diff"), applies: false },
    { block: documentedBlock("postgres-switch-off-deploy"), applies: true },
    { block: documentedBlock("element-diff"), applies: false },
    { block: documentedBlock("element-deploy"), applies: true },
  ])("```sh $block.id plans (and applies: $applies) production's jitsi-matrix stack with Matrix back, not the upgrade", ({ block, applies }) => {
    sandbox.terraform.reset();
    const run = runAfterVariables(block, variables(), production, { cwd: sandbox.project.dir, env: cdktfCliEnv(sandbox.terraform) });
    expect(run.output).not.toContain("postgres upgrade switch ON");
    // cdktf diff runs terraform plan; cdktf deploy runs terraform apply, which plans itself.
    expect(sandbox.terraform.ranIn("apply")).toEqual(applies ? ["jitsi-matrix-production"] : []);
    expect(sandbox.terraform.ranIn("plan")).toEqual(applies ? [] : ["jitsi-matrix-production"]);
    const stack = JSON.parse(sandbox.project.read("cdktf.out", "stacks", "jitsi-matrix-production", STACK_FILE));
    expect(Object.keys(stack.resource.aws_ecs_service)).toContain("matrix_service");
  });
});

describe("docs/backups.md's commands, after its variables", () => {
  const variables = () => [documentedBlock("restore-variables")];

  it.each([documentedBlock("restore-stop-service"), documentedBlock("restore-start-service")])("```sh $id runs and names only staging's cluster and services", (block) => {
    runAfterVariables(block, variables(), staging);
  });

  it("```sh restore-find-point, then restore-start-job, restores the chosen point's Matrix folders into the same file system with its own role", () => {
    const point = "arn:aws:backup:eu-west-1:123456789012:recovery-point:0f1e2d3c-point";
    const role = "arn:aws:iam::123456789012:role/jitsi-matrix-staging-backup";
    // What AWS answers, per subcommand; the restore metadata is AWS Backup's own shape for EFS.
    const aws = [
      'case "$2" in',
      "  get-caller-identity) echo 123456789012;;",
      "  list-recovery-points-by-resource) echo '| 2026-12-05T03:10:00 | COMPLETED | jitsi-matrix-staging | " + point + " |';;",
      `  describe-recovery-point) echo ${role};;`,
      `  get-recovery-point-restore-metadata) echo '{"file-system-id": "${staging.efsFileSystemId}", "Encrypted": "true", "newFileSystem": "true", "PerformanceMode": "generalPurpose"}';;`,
      "  start-restore-job) echo restore-job-1;;",
      "  describe-restore-job) echo '[\"COMPLETED\", 100, null]';;",
      "esac",
    ].join("\n");
    const cwd = mkdtempSync(path.join(tmpdir(), "restore-"));
    try {
      const run = runWithStandIns(documentedBlock("restore-start-job"), {
        cwd,
        programs: ["aws"],
        before: [documentedBlock("restore-variables"), documentedBlock("restore-find-point")],
        placeholders: { "<RecoveryPointArn of a COMPLETED point>": point, "<its BackupVaultName>": "jitsi-matrix-staging" },
        answers: { aws },
      });
      expect({ status: run.status, output: run.status === 0 ? "" : run.output }).toEqual({ status: 0, output: "" });
      const fileSystemArn = `arn:aws:elasticfilesystem:${staging.region}:123456789012:file-system/${staging.efsFileSystemId}`;
      expect(run.calls.map((c) => `${c.program} ${c.args}`)).toEqual([
        "aws sts get-caller-identity --query Account --output text",
        `aws backup list-recovery-points-by-resource --resource-arn ${fileSystemArn} --query RecoveryPoints[].[CreationDate,Status,BackupVaultName,RecoveryPointArn] --output table`,
        `aws backup describe-recovery-point --backup-vault-name jitsi-matrix-staging --recovery-point-arn ${point} --query IamRoleArn --output text`,
        `aws backup get-recovery-point-restore-metadata --backup-vault-name jitsi-matrix-staging --recovery-point-arn ${point} --query RestoreMetadata`,
        `aws backup start-restore-job --recovery-point-arn ${point} --iam-role-arn ${role} --resource-type EFS --metadata file://restore.json --query RestoreJobId --output text`,
        "aws backup describe-restore-job --restore-job-id restore-job-1 --query [Status,PercentDone,StatusMessage]",
      ]);
      // Into the same file system, only the Matrix folders, the rest of AWS Backup's metadata kept.
      expect(JSON.parse(readFileSync(path.join(cwd, "restore.json"), "utf8"))).toEqual({
        "file-system-id": staging.efsFileSystemId,
        Encrypted: "true",
        PerformanceMode: "generalPurpose",
        newFileSystem: "false",
        ItemsToRestore: JSON.stringify(["/matrix/synapse", "/matrix/postgres/data"]),
      });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("the variables name staging's file system", () => {
    const run = runWithStandIns(documentedBlock("restore-variables"), { cwd: __dirname, programs: STAND_INS });
    expect(run.status).toBe(0);
    expect(documentedBlock("restore-variables").text).toContain(`EFS=${staging.efsFileSystemId} `);
    expect(run.calls.map((c) => `${c.program} ${c.args}`)).toEqual(["aws sts get-caller-identity --query Account --output text"]);
  });
});
