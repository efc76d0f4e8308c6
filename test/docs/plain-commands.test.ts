/**
 * Documented commands of plain Terraform and of the state backend, against the recording terraform,
 * and the maintenance runbook's variables, run for real and checked against the environment they name.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { ENVIRONMENTS } from "../../src/environments";
import { STACK_FILE } from "../../tools/synthesize";
import { documentedBlock, runWithStandIns, script } from "../support/documented-commands";
import { ProjectCopy } from "../support/project-copy";
import { cdktfCliEnv, RecordingTerraform } from "../support/recording-terraform";

describe("plain Terraform, as README writes it (```sh plain-terraform)", () => {
  it("inits, plans and applies networking, then secrets, then jitsi-matrix, each in its own stack directory", () => {
    const project = new ProjectCopy();
    try {
      const run = runWithStandIns(documentedBlock("plain-terraform"), { cwd: project.dir, programs: ["terraform"] });
      expect(run.status).toBe(0);
      expect(run.calls.map((c) => `${c.cwd}: ${c.program} ${c.args}`)).toEqual(
        ["networking-staging", "secrets-staging", "jitsi-matrix-staging"].flatMap((stack) => ["init", "plan", "apply"].map((command) => `${stack}: terraform ${command}`)),
      );
    } finally {
      project.dispose();
    }
  });
});

describe("the maintenance runbook's variables (```sh maintenance-variables)", () => {
  it("name production's region, cluster, Matrix service, task family and file system", () => {
    const printed = spawnSync("bash", ["-e", "-c", `${script(documentedBlock("maintenance-variables"))}\necho "$ENV $REGION $CLUSTER $SERVICE $FAMILY $EFS"`], { encoding: "utf8" });
    expect(printed.status).toBe(0);
    const production = ENVIRONMENTS.find((e) => e.name === "production")!;
    expect(printed.stdout.trim().split(" ")).toEqual([
      production.name,
      production.region,
      production.cluster.name,
      production.matrix.serviceName,
      production.matrix.taskFamily,
      production.efsFileSystemId,
    ]);
  });
});

describe("the state backend's commands (README)", () => {
  it("```sh state-backend-deploy: the cdktf CLI, then plain Terraform, deploy the state-backend stack", () => {
    const project = new ProjectCopy();
    const terraform = new RecordingTerraform();
    try {
      // The CLI finds terraform through TERRAFORM_BINARY_NAME, plain `terraform` through PATH: the same recorder for both.
      const env = { ...cdktfCliEnv(terraform), PATH: `${terraform.dir}${path.delimiter}${process.env.PATH}` };
      const run = runWithStandIns(documentedBlock("state-backend-deploy"), { cwd: project.dir, programs: [], env });
      expect(run.status).toBe(0);
      expect(terraform.ranIn("apply")).toEqual(["state-backend", "state-backend"]);
      expect(terraform.ranIn("init")).toContain("state-backend");
    } finally {
      project.dispose();
      terraform.dispose();
    }
  });

  it("```sh state-backend-import: imports every resource of the state bucket and the table the state-backend stack declares, then plans", () => {
    const project = new ProjectCopy();
    try {
      const run = runWithStandIns(documentedBlock("state-backend-import"), { cwd: project.path("cdktf.out", "stacks", "state-backend"), programs: ["terraform"] });
      expect(run.status).toBe(0);
      const stack = JSON.parse(project.read("cdktf.out", "stacks", "state-backend", STACK_FILE));
      const declared = Object.entries(stack.resource as Record<string, Record<string, unknown>>).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
      const imports = run.calls.filter((c) => c.args.startsWith("import ")).map((c) => c.args.split(" ")[1]);
      // The access log bucket and the state key are new, not the legacy configuration's: the apply creates them.
      const legacy = declared.filter((address) => !/^(access_logs|state_key)/.test(address.split(".")[1]));
      expect(legacy.length).toBeLessThan(declared.length);
      expect([...imports].sort()).toEqual([...legacy].sort());
      expect(run.calls.at(-1)).toMatchObject({ program: "terraform", cwd: "state-backend", args: "plan" });
    } finally {
      project.dispose();
    }
  });
});
