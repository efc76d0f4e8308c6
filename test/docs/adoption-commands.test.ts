/**
 * The adoption's commands, as README.md and docs/adopting-an-environment.md write them, run in a
 * copy of the project in the order of the runbook. They need the S3 bucket of `backend.tf.json`, so
 * terraform is a stand-in that keeps each state object as that bucket would
 * (test/support/state-store-terraform.ts); `npm run adopt` itself, the synth and the shell are real.
 * What the plans must show is proven with real Terraform in test/adoption/adopt.test.ts.
 */
import { spawnSync } from "child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { readBackendSettings } from "../../src/backend";
import { CommandBlock, documentedBlock, runWithStandIns, script, StandInRun } from "../support/documented-commands";
import { pinnedProduction, RUNNING_DIGESTS } from "../support/environments";
import { LEGACY_STAGING_STATE } from "../support/legacy-fixtures";
import { ProjectCopy } from "../support/project-copy";
import { StateStoreTerraform } from "../support/state-store-terraform";

const PASSWORDS = ["JICOFO_AUTH_PASSWORD", "JVB_AUTH_PASSWORD", "JIGASI_XMPP_PASSWORD", "JIBRI_RECORDER_PASSWORD", "JIBRI_XMPP_PASSWORD", "POSTGRES_PASSWORD"];
/** What the runbook says the adoption writes for staging: the two subnets, and the 27 other legacy instances. */
const WRITTEN = { networking: 2, jitsiMatrix: 27 };

const backend = readBackendSettings();
const objectUrl = (key: string) => `s3://${backend.bucket}/${key}`;
const NETWORKING_KEY = "jitsi_matrix/staging/networking.tfstate";
const JITSI_MATRIX_KEY = "jitsi_matrix/staging/terraform.tfstate";

/** A project copy holding `legacy-staging.tfstate` as the runbook's "before you start" leaves it, an empty home and the stand-in. */
function adoptionSandbox() {
  const sandbox = {} as { project: ProjectCopy; terraform: StateStoreTerraform; home: string };
  beforeAll(() => {
    sandbox.project = new ProjectCopy();
    sandbox.terraform = new StateStoreTerraform();
    sandbox.home = mkdtempSync(path.join(tmpdir(), "adoption-home-"));
    copyFileSync(LEGACY_STAGING_STATE, path.join(sandbox.project.dir, "legacy-staging.tfstate"));
  });
  afterAll(() => {
    sandbox.project?.dispose();
    sandbox.terraform?.dispose();
    if (sandbox.home) rmSync(sandbox.home, { recursive: true, force: true });
  });
  const run = (block: CommandBlock, options: { before?: CommandBlock[]; env?: NodeJS.ProcessEnv } = {}): StandInRun =>
    runWithStandIns(block, {
      cwd: sandbox.project.dir,
      programs: [],
      before: options.before,
      placeholders: { "<env>": "staging" },
      env: { ...sandbox.terraform.env(), HOME: sandbox.home, ...options.env },
    });
  /** Managed resource instances in the object at `key`, as the tool counts what it writes. */
  const resources = (key: string) =>
    sandbox.terraform
      .object(backend.bucket, key)
      ?.resources.filter((r) => r.mode === "managed")
      .reduce((sum, r) => sum + r.instances.length, 0);
  return { sandbox, run, resources };
}

describe("README's adoption commands (```sh adopt-readme), against a terraform that keeps states as S3 would", () => {
  const { sandbox, run, resources } = adoptionSandbox();

  it("dry-runs, then adopts staging: both states written to the backend's keys, the backup in the home folder", () => {
    const result = run(documentedBlock("adopt-readme"));
    expect({ status: result.status, output: result.status === 0 ? "" : result.output }).toEqual({ status: 0, output: "" });
    expect(result.output).toContain("dry run: nothing was written.");
    expect(result.output).toContain(`wrote ${WRITTEN.networking} resource(s) to networking-staging (${objectUrl(NETWORKING_KEY)})`);
    expect(result.output).toContain(`wrote ${WRITTEN.jitsiMatrix} resource(s) to jitsi-matrix-staging (${objectUrl(JITSI_MATRIX_KEY)})`);
    expect([resources(NETWORKING_KEY), resources(JITSI_MATRIX_KEY)]).toEqual([WRITTEN.networking, WRITTEN.jitsiMatrix]);
    expect(readdirSync(path.join(sandbox.home, "jitsi-matrix-adoption-backups"))).toEqual([expect.stringMatching(/^staging-/)]);
  });
});

describe("docs/adopting-an-environment.md, step by step, against a terraform that keeps states as S3 would", () => {
  const { sandbox, run, resources } = adoptionSandbox();
  let backupDir: string;
  const stackDir = (stack: string) => path.join(sandbox.project.dir, "cdktf.out", "stacks", stack);
  const keepDir = () => path.join(sandbox.home, "jitsi-matrix-keep-staging");
  const callsSince = (since: number) =>
    sandbox.terraform
      .calls()
      .slice(since)
      .map((call) => `${call.cwd}: terraform ${call.args.join(" ")}`);

  it("step 1 (```sh adopt-dry-run): names the six legacy passwords and the two writes, and writes nothing", () => {
    const result = run(documentedBlock("adopt-dry-run"));
    expect({ status: result.status, output: result.status === 0 ? "" : result.output }).toEqual({ status: 0, output: "" });
    for (const name of PASSWORDS) expect(result.output).toMatch(new RegExp(`legacy password ${name}: one value, in `));
    expect(result.output).toContain(`dry run: would write ${WRITTEN.networking} resource(s) to networking-staging (${objectUrl(NETWORKING_KEY)})`);
    expect(result.output).toContain(`dry run: would write ${WRITTEN.jitsiMatrix} resource(s) to jitsi-matrix-staging (${objectUrl(JITSI_MATRIX_KEY)})`);
    expect(result.output.trimEnd().endsWith("dry run: nothing was written.")).toBe(true);
    expect(sandbox.terraform.calls().filter((call) => call.args[0] === "state").map((call) => call.args.join(" "))).toEqual(["state pull", "state pull"]);
    expect([resources(NETWORKING_KEY), resources(JITSI_MATRIX_KEY)]).toEqual([undefined, undefined]);
    expect(existsSync(path.join(sandbox.home, "jitsi-matrix-adoption-backups"))).toBe(false);
  });

  it("step 2 (```sh adopt): writes the backup and both states; the keep-secrets line, run after it, finds nothing left and prepares the keep folder", () => {
    const result = run(documentedBlock("adopt"));
    expect({ status: result.status, output: result.status === 0 ? "" : result.output }).toEqual({ status: 0, output: "" });
    const backup = /^backup written to (\S+)/m.exec(result.output);
    expect(backup?.[1]).toMatch(new RegExp(`^${path.join(sandbox.home, "jitsi-matrix-adoption-backups", "staging-")}`));
    backupDir = backup![1];
    for (const file of ["legacy.tfstate", "adoption.json"]) expect(existsSync(path.join(backupDir, file))).toBe(true);
    expect(result.output).toContain(`wrote ${WRITTEN.networking} resource(s) to networking-staging (${objectUrl(NETWORKING_KEY)})`);
    expect(result.output).toContain(`wrote ${WRITTEN.jitsiMatrix} resource(s) to jitsi-matrix-staging (${objectUrl(JITSI_MATRIX_KEY)})`);
    expect([resources(NETWORKING_KEY), resources(JITSI_MATRIX_KEY)]).toEqual([WRITTEN.networking, WRITTEN.jitsiMatrix]);
    expect(result.output).toMatch(/^nothing left to do: networking-staging .* and jitsi-matrix-staging .* already hold the adopted resources\.$/m);
    expect(result.output).toContain(`prepared ${keepDir()}: its apply writes ${PASSWORDS.length} legacy password(s) into secrets-staging's parameters`);
  });

  it("step 3 (```sh adopt-plan-networking): inits and plans in networking-staging's stack directory", () => {
    const since = sandbox.terraform.calls().length;
    const result = run(documentedBlock("adopt-plan-networking"));
    expect({ status: result.status, output: result.status === 0 ? "" : result.output }).toEqual({ status: 0, output: "" });
    expect(callsSince(since)).toEqual(["init", "plan"].map((c) => `${stackDir("networking-staging")}: terraform ${c}`));
  });

  it("step 4, keep (```sh adopt-plan-keep-secrets): inits and plans in the folder step 2 prepared", () => {
    const since = sandbox.terraform.calls().length;
    const result = run(documentedBlock("adopt-plan-keep-secrets"));
    expect({ status: result.status, output: result.status === 0 ? "" : result.output }).toEqual({ status: 0, output: "" });
    expect(callsSince(since)).toEqual(["init", "plan"].map((c) => `${keepDir()}: terraform ${c}`));
  });

  it("step 4, rotate (```sh adopt-plan-secrets): inits, plans and applies in secrets-staging's stack directory", () => {
    const since = sandbox.terraform.calls().length;
    const result = run(documentedBlock("adopt-plan-secrets"));
    expect({ status: result.status, output: result.status === 0 ? "" : result.output }).toEqual({ status: 0, output: "" });
    expect(callsSince(since)).toEqual(["init", "plan", "apply"].map((c) => `${stackDir("secrets-staging")}: terraform ${c}`));
  });

  it("step 5 (```sh adopt-plan-jitsi-matrix, then adopt-apply): plans into the backup folder, applies that plan file and removes it", () => {
    const since = sandbox.terraform.calls().length;
    const plan = path.join(backupDir, "adopt.tfplan");
    const result = run(documentedBlock("adopt-apply"), { before: [documentedBlock("adopt-plan-jitsi-matrix")], env: { BACKUP: backupDir } });
    expect({ status: result.status, output: result.status === 0 ? "" : result.output }).toEqual({ status: 0, output: "" });
    expect(callsSince(since)).toEqual(["init", `plan -out=${plan}`, `apply ${plan}`].map((c) => `${stackDir("jitsi-matrix-staging")}: terraform ${c}`));
    expect(existsSync(plan)).toBe(false);
  });
});

describe("the runbook's synth with the upgrade switch on (```sh adopt-switch-on-synth), run for real", () => {
  let project: ProjectCopy;
  beforeAll(() => {
    project = new ProjectCopy();
  });
  afterAll(() => project?.dispose());

  it("leaves the shell in a jitsi-matrix-staging synthesized with the postgres-upgrade pair in place of Matrix's, outside the checked-in cdktf.out", () => {
    const check = [
      'echo "cwd=$PWD"',
      `node -e 'const r = require("./cdk.tf.json").resource; console.log("services=" + Object.keys(r.aws_ecs_service).sort().join(","))'`,
      'rm -rf "$SWITCH_ON"',
    ].join("\n");
    const result = spawnSync("bash", ["-e", "-c", `${script(documentedBlock("adopt-switch-on-synth"), { "<env>": "staging" })}\n${check}`], { cwd: project.dir, encoding: "utf8" });
    expect({ status: result.status, output: result.status === 0 ? "" : result.output }).toEqual({ status: 0, output: "" });
    expect(result.stderr).toContain("postgres upgrade switch ON for environment staging (from CDKTF_CONTEXT_JSON postgresUpgrade=true)");
    const cwd = /^cwd=(.+)$/m.exec(result.stdout)![1];
    expect(path.basename(cwd)).toBe("jitsi-matrix-staging");
    expect(cwd.startsWith(project.dir)).toBe(false);
    expect(/^services=(.+)$/m.exec(result.stdout)![1].split(",")).toEqual(["jitsi_service", "postgres_upgrade_service"]);
  });
});

describe("docs/adopting-an-environment.md, pin what runs today (```sh adopt-running-images)", () => {
  const containers = (names: string[]) => names.map((name) => `{"name":"${name}","image":"${name}:latest","imageDigest":"${RUNNING_DIGESTS[name as keyof typeof RUNNING_DIGESTS] ?? `sha256:${"9".repeat(64)}`}"}`).join(",");
  // What ECS answers: one running task per service.
  const ecs = `case "$*" in
  *list-tasks*jitsi-service-production*) echo '{"taskArns":["arn:aws:ecs:eu-west-1:1:task/j"]}' ;;
  *list-tasks*matrix-service-production*) echo '{"taskArns":["arn:aws:ecs:eu-west-1:1:task/m"]}' ;;
  *describe-tasks*task/j*) echo '{"tasks":[{"containers":[${containers(["web", "prosody", "jicofo", "jvb"])}]}]}' ;;
  *describe-tasks*task/m*) echo '{"tasks":[{"containers":[${containers(["synapse", "element", "postgres", "redis"])}]}]}' ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac`;

  it("prints, for production, the pins of synapse, element and redis to the digests their containers run, reading only ECS", () => {
    const project = new ProjectCopy();
    try {
      const run = runWithStandIns(documentedBlock("adopt-running-images"), { cwd: project.dir, programs: ["aws"], placeholders: { "<env>": "production" }, answers: { aws: ecs } });
      expect({ status: run.status, output: run.status === 0 ? "" : run.output }).toEqual({ status: 0, output: "" });
      expect(run.output).toContain("pin these in src/environments/production.ts:");
      expect(run.output).toContain(`matrix.imageTags.synapse: "latest@${RUNNING_DIGESTS.synapse}"`);
      expect(run.output).toContain(`matrix.imageTags.element: "latest@${RUNNING_DIGESTS.element}"`);
      expect(run.output).toContain(`matrix.imageTags.redis: "latest@${RUNNING_DIGESTS.redis}"`);
      expect(run.output).not.toContain("matrix.imageTags.postgres:");
      expect(run.calls.map((call) => call.args.split(" ").slice(0, 2).join(" "))).toEqual(["ecs list-tasks", "ecs describe-tasks", "ecs list-tasks", "ecs describe-tasks"]);
      // The pins are what validation accepts, and the adoption then goes ahead (test/adoption/adopt.test.ts).
      expect(pinnedProduction.matrix.imageTags.synapse).toBe(`latest@${RUNNING_DIGESTS.synapse}`);
    } finally {
      project.dispose();
    }
  });

  it("exits 1 and says why when the matrix service runs no task, pinning nothing", () => {
    const project = new ProjectCopy();
    try {
      const run = runWithStandIns(documentedBlock("adopt-running-images"), { cwd: project.dir, programs: ["aws"], placeholders: { "<env>": "production" }, answers: { aws: `echo '{"taskArns":[]}'` } });
      expect(run.status).toBe(1);
      expect(run.output).toContain("no running task");
      expect(run.output).toMatch(/matrix.imageTags.synapse: cannot pin: no running task of matrix-service-production has a synapse container/);
    } finally {
      project.dispose();
    }
  });
});
