import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { ENVIRONMENTS } from "../src/environments";
import { PROJECT_ROOT, synthesizeTo } from "../tools/synthesize";
import { documentedBlock, runWithStandIns } from "./support/documented-commands";
import { ProjectCopy } from "./support/project-copy";
import { cdktfCliEnv, RecordingTerraform } from "./support/recording-terraform";

type Manifest = { stacks: Record<string, { dependencies: string[] }> };

let outdir: string;
beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), "deploy-order-"));
  const result = synthesizeTo(outdir);
  if (!result.ok) throw new Error(`synth failed:\n${result.stderr}`);
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const manifest = () => JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8")) as Manifest;

describe("the synthesized manifest's stack dependencies", () => {
  it.each(ENVIRONMENTS.map((e) => e.name))("jitsi-matrix-%s depends on networking and secrets, which depend on nothing", (name) => {
    const { stacks } = manifest();
    expect([...stacks[`jitsi-matrix-${name}`].dependencies].sort()).toEqual([`networking-${name}`, `secrets-${name}`]);
    expect(stacks[`networking-${name}`].dependencies).toEqual([]);
    expect(stacks[`secrets-${name}`].dependencies).toEqual([]);
  });
});

/**
 * The real cdktf CLI (`cdktf deploy --skip-synth`) over the synth above, with a stand-in
 * terraform (`TERRAFORM_BINARY_NAME`) that only records which stack directory ran which
 * command: offline, nothing deployed, and the order is exactly what the CLI asked for.
 */
describe("cdktf deploy, run by the real CLI against a recording terraform", () => {
  let project: string;
  let terraform: RecordingTerraform;
  beforeAll(() => {
    project = mkdtempSync(path.join(tmpdir(), "deploy-order-cli-"));
    terraform = new RecordingTerraform();
    const config = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "cdktf.json"), "utf8"));
    writeFileSync(path.join(project, "cdktf.json"), JSON.stringify({ ...config, output: outdir }));
  });
  afterAll(() => {
    rmSync(project, { recursive: true, force: true });
    terraform.dispose();
  });

  /** Runs `cdktf deploy <args>`; returns its output and the stacks terraform applied, in order. */
  function deploy(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; output: string; applied: string[] } {
    terraform.reset();
    const result = spawnSync(path.join(PROJECT_ROOT, "node_modules", ".bin", "cdktf"), ["deploy", ...args, "--skip-synth", "--auto-approve"], {
      cwd: project,
      env: { ...process.env, ...env, ...cdktfCliEnv(terraform) },
      encoding: "utf8",
      timeout: 120_000,
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}`, applied: terraform.ranIn("apply") };
  }

  it("refuses the second phase named alone, since jitsi-matrix also depends on networking", () => {
    const run = deploy(["secrets-staging", "jitsi-matrix-staging"]);
    expect(run.output).toContain("The following dependencies are not included in the stacks to run: networking-staging");
    expect(run.applied).toEqual([]);
  });

  it("runs README's deploy commands (```sh deploy-phases) as typed: networking, then secrets before jitsi-matrix, then all three in dependency order", () => {
    const project = new ProjectCopy();
    try {
      terraform.reset();
      const run = runWithStandIns(documentedBlock("deploy-phases"), { cwd: project.dir, programs: [], env: cdktfCliEnv(terraform) });
      expect(run.status).toBe(0);
      const applied = terraform.ranIn("apply");
      expect(applied.slice(0, 3)).toEqual(["networking-staging", "secrets-staging", "jitsi-matrix-staging"]);
      expect(applied).toHaveLength(6);
      expect(applied[5]).toBe("jitsi-matrix-staging");
      expect([...applied.slice(3, 5)].sort()).toEqual(["networking-staging", "secrets-staging"]);
    } finally {
      project.dispose();
    }
  });

  it("without --parallelism 1 the flag would run the named stacks at once, so the README must keep it", () => {
    expect(documentedBlock("deploy-phases").text).toMatch(/^npx cdktf deploy secrets-staging jitsi-matrix-staging --ignore-missing-stack-dependencies --parallelism 1/m);
  });

  it("reads the flag from CDKTF_IGNORE_MISSING_STACK_DEPENDENCIES too", () => {
    const run = deploy(["secrets-staging", "jitsi-matrix-staging", "--parallelism", "1"], { CDKTF_IGNORE_MISSING_STACK_DEPENDENCIES: "true" });
    expect(run.applied).toEqual(["secrets-staging", "jitsi-matrix-staging"]);
  });

  it("orders one deploy of all three by their dependencies: jitsi-matrix last, whatever order they are named in", () => {
    const run = deploy(["jitsi-matrix-staging", "secrets-staging", "networking-staging"]);
    expect(run.applied).toHaveLength(3);
    expect(run.applied[2]).toBe("jitsi-matrix-staging");
    expect([...run.applied.slice(0, 2)].sort()).toEqual(["networking-staging", "secrets-staging"]);
  });
});
