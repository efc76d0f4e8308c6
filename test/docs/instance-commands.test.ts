/**
 * The runbooks' AWS CLI, on-instance and switch-off cdktf commands (docs/maintenance.md, docs/backups.md), run as written
 * after the runbook's own variables block, against stand-ins for aws, docker and sudo: each block must
 * run to its end, and every cluster, service, task family and file system it names must be one the
 * environment really has. A runbook that drifts from the environment's names fails here.
 */
import { ENVIRONMENTS } from "../../src/environments";
import { Environment } from "../../src/environments/environment";
import { POSTGRES_UPGRADE_DEFAULTS } from "../../src/modules/postgres-upgrade";
import { STACK_FILE } from "../../src/synthesize";
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

  it("the variables name staging's file system", () => {
    const run = runWithStandIns(documentedBlock("restore-variables"), { cwd: __dirname, programs: STAND_INS });
    expect(run.status).toBe(0);
    expect(documentedBlock("restore-variables").text).toContain(`EFS=${staging.efsFileSystemId} `);
    expect(run.calls.map((c) => `${c.program} ${c.args}`)).toEqual(["aws sts get-caller-identity --query Account --output text"]);
  });
});
