import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { ENVIRONMENTS } from "../src/environments";
import { PROJECT_ROOT, synthesizeTo } from "../src/synthesize";

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
  let calls: string;
  beforeAll(() => {
    project = mkdtempSync(path.join(tmpdir(), "deploy-order-cli-"));
    calls = path.join(project, "calls.log");
    const config = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "cdktf.json"), "utf8"));
    writeFileSync(path.join(project, "cdktf.json"), JSON.stringify({ ...config, output: outdir }));
    const terraform = path.join(project, "terraform");
    writeFileSync(
      terraform,
      [
        "#!/bin/sh",
        `echo "$(basename "$PWD") $1" >> ${JSON.stringify(calls)}`,
        'case "$1" in',
        '  version) echo \'{"terraform_version":"1.11.4","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}\';;',
        "  -v) echo 'Terraform v1.11.4';;",
        "  output) echo '{}';;",
        "esac",
        "exit 0",
        "",
      ].join("\n"),
    );
    chmodSync(terraform, 0o755);
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  /** Runs `cdktf deploy <args>`; returns its output and the stacks terraform applied, in order. */
  function deploy(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; output: string; applied: string[] } {
    rmSync(calls, { force: true });
    const result = spawnSync(path.join(PROJECT_ROOT, "node_modules", ".bin", "cdktf"), ["deploy", ...args, "--skip-synth", "--auto-approve"], {
      cwd: project,
      env: { ...process.env, ...env, TERRAFORM_BINARY_NAME: path.join(project, "terraform"), CHECKPOINT_DISABLE: "1", CI: "1" },
      encoding: "utf8",
      timeout: 120_000,
    });
    const log = existsSync(calls) ? readFileSync(calls, "utf8").trim().split("\n") : [];
    const applied = log.filter((line) => line.endsWith(" apply")).map((line) => line.split(" ")[0]);
    return { status: result.status, output: `${result.stdout}${result.stderr}`, applied };
  }

  it("refuses the second phase named alone, since jitsi-matrix also depends on networking", () => {
    const run = deploy(["secrets-staging", "jitsi-matrix-staging"]);
    expect(run.output).toContain("The following dependencies are not included in the stacks to run: networking-staging");
    expect(run.applied).toEqual([]);
  });

  it("runs the README's second phase as written: secrets first, then jitsi-matrix", () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    const command = /^npx cdktf deploy (secrets-staging jitsi-matrix-staging[^#\n]*)/m.exec(readme);
    expect(command).not.toBeNull();
    const run = deploy(command![1].trim().split(/\s+/));
    expect(run.applied).toEqual(["secrets-staging", "jitsi-matrix-staging"]);
  });

  it("without --parallelism 1 the flag would run the named stacks at once, so the README must keep it", () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    expect(readme).toMatch(/^npx cdktf deploy secrets-staging jitsi-matrix-staging --ignore-missing-stack-dependencies --parallelism 1/m);
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
