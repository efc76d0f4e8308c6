/**
 * Documented commands that need no cdktf run: the plain-Terraform deploy of README (against the
 * recording terraform) and the maintenance runbook's variables (run for real, checked against the
 * environment they name).
 */
import { spawnSync } from "child_process";
import { ENVIRONMENTS } from "../../src/environments";
import { documentedBlock, runWithStandIns, script } from "../support/documented-commands";
import { ProjectCopy } from "../support/project-copy";

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
