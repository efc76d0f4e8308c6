/**
 * The PostgreSQL upgrade switch (`CDKTF_CONTEXT_JSON='{"postgresUpgrade":true}'`) through every
 * entry point an operator uses: the real cdktf CLI's synth, diff and deploy (against a recording
 * terraform), `npm run synth`, and a direct node run. Each runs in a copy of the project, as a
 * shell line, the way the operator types it, and must turn the switch on for every environment it
 * synthesizes and say so.
 */
import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import * as path from "path";
import { cliContextProblem } from "../src/context";
import { ENVIRONMENTS } from "../src/environments";
import { STACK_FILE } from "../tools/synthesize";
import { CommandBlock, documentedBlock, runWithStandIns } from "./support/documented-commands";
import { ProjectCopy } from "./support/project-copy";
import { cdktfCliEnv, cliSandbox } from "./support/recording-terraform";

const SWITCH_ON = `CDKTF_CONTEXT_JSON='{"postgresUpgrade":true}'`;
const ENVIRONMENT_NAMES = ENVIRONMENTS.map((e) => e.name);

const sandbox = cliSandbox();

/** Runs one shell line in the project copy, as typed; output is stdout and stderr together. */
function sh(line: string): { status: number | null; output: string } {
  sandbox.terraform.reset();
  const result = spawnSync("bash", ["-c", line], {
    cwd: sandbox.project.dir,
    env: { ...process.env, CDKTF_CONTEXT_JSON: undefined, ...cdktfCliEnv(sandbox.terraform) },
    encoding: "utf8",
    timeout: 180_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A block of the maintenance runbook, after its variables, with the cdktf CLI on the recording terraform and aws stood in. */
function runbookBlock(block: CommandBlock) {
  sandbox.terraform.reset();
  return runWithStandIns(block, { cwd: sandbox.project.dir, programs: ["aws"], before: [documentedBlock("maintenance-variables")], env: cdktfCliEnv(sandbox.terraform) });
}

/** Which of Matrix's service and the postgres-upgrade service a synthesized jitsi-matrix stack has (jitsi and the JVB daemon stay either way). */
function services(outdir: string, environment: string): string[] {
  const stack = JSON.parse(readFileSync(path.join(outdir, "stacks", `jitsi-matrix-${environment}`, STACK_FILE), "utf8"));
  return Object.keys(stack.resource.aws_ecs_service)
    .filter((name) => ["matrix_service", "postgres_upgrade_service"].includes(name))
    .sort();
}

const SWITCHED_ON = ["postgres_upgrade_service"];
const onLine = (environment: string) => `postgres upgrade switch ON for environment ${environment} (from CDKTF_CONTEXT_JSON postgresUpgrade=true)`;

describe("the PostgreSQL upgrade switch, through every entry point", () => {
  it("npx cdktf synth: the postgres-upgrade service replaces Matrix in every environment, and each is said", () => {
    const run = sh(`${SWITCH_ON} npx cdktf synth --output switch-on`);
    expect(run.status).toBe(0);
    for (const name of ENVIRONMENT_NAMES) {
      expect(services(sandbox.project.path("switch-on"), name)).toEqual(SWITCHED_ON);
      expect(run.output).toContain(onLine(name));
    }
  });

  it("npx cdktf diff, as the maintenance runbook's step 2 writes it (```sh postgres-switch-on-diff): plans the switched-on stack and says so", () => {
    const run = runbookBlock(documentedBlock("postgres-switch-on-diff"));
    expect(run.status).toBe(0);
    expect(run.output).toContain(onLine("production"));
    expect(sandbox.terraform.ranIn("plan")).toEqual(["jitsi-matrix-production"]);
    expect(sandbox.terraform.ranIn("apply")).toEqual([]);
    expect(services(sandbox.project.path("cdktf.out"), "production")).toEqual(SWITCHED_ON);
  });

  it("npx cdktf deploy, as README writes it (```sh postgres-upgrade-deploy): applies only the switched-on jitsi-matrix stack", () => {
    sandbox.terraform.reset();
    const run = runWithStandIns(documentedBlock("postgres-upgrade-deploy"), { cwd: sandbox.project.dir, programs: [], env: cdktfCliEnv(sandbox.terraform) });
    expect(run.status).toBe(0);
    expect(run.output).toContain(onLine("staging"));
    expect(sandbox.terraform.ranIn("apply")).toEqual(["jitsi-matrix-staging"]);
    expect(services(sandbox.project.path("cdktf.out"), "staging")).toEqual(SWITCHED_ON);
  });

  it("npx cdktf deploy, as the runbook's step 6 writes it (```sh postgres-switch-on-deploy), then waits for the upgrade service of the environment's cluster", () => {
    const run = runbookBlock(documentedBlock("postgres-switch-on-deploy"));
    expect(run.status).toBe(0);
    expect(run.output).toContain(onLine("production"));
    expect(sandbox.terraform.ranIn("apply")).toEqual(["jitsi-matrix-production"]);
    const production = ENVIRONMENTS.find((e) => e.name === "production")!;
    expect(run.calls.map((c) => `${c.program} ${c.args}`)).toEqual([`aws ecs wait services-stable --cluster ${production.cluster.name} --services postgres-upgrade-service`]);
  });

  it("npm run synth: the checked-in synth of the copy is switched on", () => {
    const run = sh(`${SWITCH_ON} npm run synth`);
    expect(run.status).toBe(0);
    expect(run.output).toContain(onLine("production"));
    expect(services(sandbox.project.path("cdktf.out"), "production")).toEqual(SWITCHED_ON);
  });

  it("a direct node run (node --import tsx main.ts, the way synthesizeTo and the adoption runbook run the app)", () => {
    const run = sh(`${SWITCH_ON} CDKTF_OUTDIR=direct node --import tsx main.ts`);
    expect(run.status).toBe(0);
    expect(run.output).toContain(onLine("dev"));
    expect(services(sandbox.project.path("direct"), "dev")).toEqual(SWITCHED_ON);
  });

  it("a value that is not a switch fails the synth, naming the key and the fix", () => {
    const run = sh(`CDKTF_CONTEXT_JSON='{"postgresUpgrade":"yes"}' CDKTF_OUTDIR=bad node --import tsx main.ts`);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain(`context postgresUpgrade: "yes" is not a switch; use CDKTF_CONTEXT_JSON='{"postgresUpgrade":true}' or false.`);
  });
});

describe("a context key in cdktf.json, which would make the CLI drop the switch", () => {
  it("this project's cdktf.json has none", () => {
    expect(cliContextProblem(path.join(__dirname, ".."))).toBeUndefined();
  });

  it("fails npx cdktf synth before any stack is written, naming the field and the fix", () => {
    const withContext = new ProjectCopy();
    try {
      withContext.editCdktfConfig((config) => ({ ...config, context: {} }));
      const result = spawnSync("bash", ["-c", `${SWITCH_ON} npx cdktf synth --output with-context`], {
        cwd: withContext.dir,
        env: { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1" },
        encoding: "utf8",
        timeout: 180_000,
      });
      expect(result.status).not.toBe(0);
      const output = `${result.stdout}${result.stderr}`;
      expect(output).toContain('cdktf.json: context: {} makes the cdktf CLI replace CDKTF_CONTEXT_JSON with it');
      expect(output).toContain('remove the "context" key from cdktf.json');
      expect(() => readFileSync(withContext.path("with-context", "stacks", "jitsi-matrix-staging", STACK_FILE))).toThrow();
    } finally {
      withContext.dispose();
    }
  });
});
