/**
 * The runbooks' AWS CLI and on-instance commands (docs/maintenance.md, docs/backups.md), run as written
 * after the runbook's own variables block, against stand-ins for aws, docker and sudo: each block must
 * run to its end, and every cluster, service, task family and file system it names must be one the
 * environment really has. A runbook that drifts from the environment's names fails here.
 */
import { ENVIRONMENTS } from "../../src/environments";
import { Environment } from "../../src/environments/environment";
import { POSTGRES_UPGRADE_DEFAULTS } from "../../src/modules/postgres-upgrade";
import { CommandBlock, documentedBlock, runWithStandIns, StandInCall } from "../support/documented-commands";

const STAND_INS = ["aws", "docker", "sudo"];

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

function runAfterVariables(block: CommandBlock, variables: CommandBlock[], environment: Environment) {
  const id = block.id;
  const run = runWithStandIns(block, { cwd: __dirname, programs: STAND_INS, before: variables });
  expect({ id, status: run.status, output: run.output }).toEqual({ id, status: 0, output: expect.anything() });
  expect(run.calls.length).toBeGreaterThan(0);
  const allowed = namesOf(environment);
  for (const call of run.calls) {
    const named = namedIn(call);
    for (const kind of ["cluster", "service", "family"] as const) {
      for (const name of named[kind]) expect({ id, kind, name, allowed: allowed[kind].includes(name) }).toEqual({ id, kind, name, allowed: true });
    }
  }
  return run;
}

const production = ENVIRONMENTS.find((e) => e.name === "production")!;
const staging = ENVIRONMENTS.find((e) => e.name === "staging")!;

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
    runAfterVariables(block, variables(), production);
  });

  it("stopping Matrix scales the Matrix service of production's cluster to 0 and waits for it", () => {
    const run = runAfterVariables(documentedBlock("postgres-stop-matrix"), variables(), production);
    expect(run.calls.map((c) => `${c.program} ${c.args}`)).toEqual([
      `aws ecs update-service --cluster ${production.cluster.name} --service ${production.matrix.serviceName} --desired-count 0`,
      `aws ecs wait services-stable --cluster ${production.cluster.name} --services ${production.matrix.serviceName}`,
    ]);
  });
});

describe("docs/backups.md's commands, after its variables", () => {
  const variables = () => [documentedBlock("restore-variables")];

  it.each([documentedBlock("restore-stop-service"), documentedBlock("restore-start-service")])("```sh $id runs and names only staging's cluster and services", (block) => {
    runAfterVariables(block, variables(), staging);
  });

  it("the variables name staging's file system", () => {
    const run = runWithStandIns(documentedBlock("restore-variables"), { cwd: __dirname, programs: STAND_INS });
    expect(run.status).toBe(0);
    expect(documentedBlock("restore-variables").text).toContain(`EFS=${staging.efsFileSystemId} `);
    expect(run.calls.map((c) => `${c.program} ${c.args}`)).toEqual(["aws sts get-caller-identity --query Account --output text"]);
  });
});
