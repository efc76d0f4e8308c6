import { execFileSync, spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { defaultBase, exportCheckedInSynth, resolveCommit } from "../../tools/review/git";
import { PROJECT_ROOT } from "../../tools/synthesize";
import { findTerraform, terraformEnv, writeCliConfig } from "../../tools/terraform";
import { describeIfTerraform } from "../support/terraform";

const REVIEW = path.join(PROJECT_ROOT, "scripts", "review.ts");

/** `npm run review -- <args>`, as a process: its exit status and output. */
function review(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", REVIEW, ...args], { cwd: PROJECT_ROOT, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "review-cli-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A synth output directory with one stack `app` holding a `terraform_data` resource: built
 * into Terraform, so it plans (and applies) without any provider, and Terraform replaces it
 * when `triggers_replace` changes and updates it in place when only `input` changes.
 */
function synth(name: string, resource: Record<string, unknown> | undefined): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, "stacks", "app"), { recursive: true });
  const json = {
    terraform: { backend: { s3: { bucket: "state", key: "app.tfstate", region: "eu-west-1" } } },
    ...(resource ? { resource: { terraform_data: { marker: resource } } } : {}),
  };
  writeFileSync(path.join(dir, "stacks", "app", "cdk.tf.json"), JSON.stringify(json, null, 2));
  return dir;
}

describe("npm run review: usage", () => {
  it("exits 2 and prints the usage on an unknown option", () => {
    const result = review("--bogus");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Usage: npm run review");
  });

  it("exits 2 naming the flag when --state is not <stack>=<file>", () => {
    const dir = synth("usage", { input: "a" });
    const result = review("--base-dir", dir, "--head-dir", dir, "--state", "app");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--state app: expected <stack>=<state file>");
  });

  it("exits 0 without planning when no stack changed", () => {
    const dir = synth("same", { input: "a" });
    const result = review("--base-dir", dir, "--head-dir", dir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("No stack changed (1 compared).");
  });
});

describeIfTerraform(
  "npm run review: exit status against a state",
  () => {
    let state: string;
    beforeAll(() => {
      // A real state of the base, applied by Terraform (terraform_data needs no cloud).
      const applied = path.join(root, "applied");
      mkdirSync(applied);
      writeFileSync(path.join(applied, "main.tf.json"), JSON.stringify({ resource: { terraform_data: { marker: { input: "a", triggers_replace: "v1" } } } }));
      const env = terraformEnv(writeCliConfig(applied));
      for (const args of [["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]]) {
        execFileSync(findTerraform()!, args, { cwd: applied, env, stdio: "pipe" });
      }
      state = path.join(applied, "terraform.tfstate");
    });

    it("exits 1 on a replacement that is not on the allow list, and 0 once it is", () => {
      const base = synth("base-replace", { input: "a", triggers_replace: "v1" });
      const head = synth("head-replace", { input: "a", triggers_replace: "v2" });
      const blocked = review("--base-dir", base, "--head-dir", head, "--state", `app=${state}`);
      expect(blocked.stderr).toBe("");
      expect(blocked.stdout).toMatch(/^BLOCKED: 1 destroy\/replacement/m);
      expect(blocked.stdout).toMatch(/!! -\/\+ replace terraform_data\.marker .*forced by triggers_replace/);
      expect(blocked.status).toBe(1);
      const allowed = review("--base-dir", base, "--head-dir", head, "--state", `app=${state}`, "--allow", "app:terraform_data.*");
      expect(allowed.stdout).toContain("allowed by app:terraform_data.*");
      expect(allowed.status).toBe(0);
    });

    it("exits 0 on an in-place update", () => {
      const base = synth("base-update", { input: "a", triggers_replace: "v1" });
      const head = synth("head-update", { input: "b", triggers_replace: "v1" });
      const result = review("--base-dir", base, "--head-dir", head, "--state", `app=${state}`);
      expect(result.stdout).toContain("This change: 1 to change in place");
      expect(result.status).toBe(0);
    });

    it("gives the same as data with --json, here a destroy, and never touches the state file", () => {
      const before = readFileSync(state, "utf8");
      const base = synth("base-destroy", { input: "a", triggers_replace: "v1" });
      const head = synth("head-destroy", undefined);
      const result = review("--base-dir", base, "--head-dir", head, "--state", `app=${state}`, "--json");
      expect(result.status).toBe(1);
      const data = JSON.parse(result.stdout);
      expect(data).toMatchObject({
        exitCode: 1,
        blocking: [{ stack: "app", address: "terraform_data.marker", kind: "destroy" }],
        stacks: [{ stack: "app", status: "changed", stateFile: state, counts: { destroy: 1 }, changes: [{ address: "terraform_data.marker", kind: "destroy" }] }],
      });
      expect(readFileSync(state, "utf8")).toBe(before);
    });

    it("also plans an unchanged stack that reads the outputs of a changed one", () => {
      const synthPair = (name: string, value: string): string => {
        const dir = path.join(root, name);
        const backend = (key: string) => ({ s3: { bucket: "state", key, region: "eu-west-1" } });
        const stacks: Record<string, unknown> = {
          net: { terraform: { backend: backend("net.tfstate") }, output: { zone: { value } } },
          app: {
            terraform: { backend: backend("app.tfstate") },
            data: { terraform_remote_state: { net: { backend: "s3", config: backend("net.tfstate").s3 } } },
            resource: { terraform_data: { marker: { input: "${data.terraform_remote_state.net.outputs.zone}" } } },
          },
        };
        for (const [stack, json] of Object.entries(stacks)) {
          mkdirSync(path.join(dir, "stacks", stack), { recursive: true });
          writeFileSync(path.join(dir, "stacks", stack, "cdk.tf.json"), JSON.stringify(json));
        }
        return dir;
      };
      const result = review("--base-dir", synthPair("pair-base", "a"), "--head-dir", synthPair("pair-head", "b"), "--json");
      expect(result.stderr).toBe("");
      const data = JSON.parse(result.stdout);
      expect(data.stacks.map((s: { stack: string }) => s.stack)).toEqual(["app", "net"]);
      expect(data.stacks[0].notes[0]).toBe("Its JSON is unchanged; it is planned because it reads the outputs of net, which changed.");
      // Against its synthetic base state, the new output is an in-place update of what reads it.
      expect(data.stacks[0].changes).toEqual([expect.objectContaining({ address: "terraform_data.marker", kind: "update", changedAttributes: ["input"] })]);
      expect(result.status).toBe(0);
    });

    it("exits 2 when a changed stack cannot be planned, listing its configuration changes, unless --allow-unplanned", () => {
      const unplannable = (name: string, size: string): string => {
        const dir = path.join(root, name);
        mkdirSync(path.join(dir, "stacks", "app"), { recursive: true });
        const json = {
          terraform: { required_providers: { nope: { source: "example/nope", version: "1.0.0" } } },
          resource: { nope_thing: { kept: { size }, [`only_${name}`]: {} } },
        };
        writeFileSync(path.join(dir, "stacks", "app", "cdk.tf.json"), JSON.stringify(json));
        return dir;
      };
      const base = unplannable("unplannable-base", "1");
      const head = unplannable("unplannable-head", "2");
      const result = review("--base-dir", base, "--head-dir", head);
      expect(result.stdout).toMatch(/NOT PLANNED: Error: .*example\/nope/);
      expect(result.stdout).toMatch(/~  update   nope_thing\.kept/);
      expect(result.stdout).toMatch(/\+  create   nope_thing\.only_unplannable-head/);
      // Without a plan, a resource gone from the configuration is taken for a destroy.
      expect(result.stdout).toMatch(/!! -  destroy  nope_thing\.only_unplannable-base/);
      expect(result.status).toBe(1);
      const allowed = review("--base-dir", base, "--head-dir", head, "--allow", "nope_thing.*");
      expect(allowed.stdout).toContain("INCOMPLETE: app could not be planned here");
      expect(allowed.status).toBe(2);
      expect(review("--base-dir", base, "--head-dir", head, "--allow", "nope_thing.*", "--allow-unplanned").status).toBe(0);
    });

    it("without --state, plans against a synthetic base state, so a forced replacement blocks and an in-place update does not", () => {
      const base = synth("base-synthetic", { input: "a", triggers_replace: "v1" });
      const replaced = review("--base-dir", base, "--head-dir", synth("head-synthetic-replace", { input: "a", triggers_replace: "v2" }), "--markdown");
      expect(replaced.stderr).toBe("");
      expect(replaced.stdout).toContain("### Plan review: ⛔ blocked");
      expect(replaced.stdout).toContain("| `app` | 1 to replace | – |");
      expect(replaced.stdout).toMatch(/app {2}\[changed; synthetic base state; compared with the base's plan\]/);
      expect(replaced.stdout).toContain("Note: No state given: planned against a synthetic base state");
      expect(replaced.status).toBe(1);
      const updated = review("--base-dir", base, "--head-dir", synth("head-synthetic-update", { input: "b", triggers_replace: "v1" }), "--json");
      const data = JSON.parse(updated.stdout);
      expect(data.stacks[0]).toMatchObject({ stateSource: "synthetic", counts: { update: 1 }, pending: [] });
      expect(data.stacks[0].changes).toEqual([expect.objectContaining({ address: "terraform_data.marker", kind: "update", changedAttributes: expect.arrayContaining(["input"]) })]);
      expect(updated.status).toBe(0);
    });
  },
  [],
);

describe("the base from git", () => {
  let repo: string;
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main", ...args], { cwd: repo, encoding: "utf8" }).trim();
  const write = (stack: string, json: unknown) => {
    mkdirSync(path.join(repo, "cdktf.out", "stacks", stack), { recursive: true });
    writeFileSync(path.join(repo, "cdktf.out", "stacks", stack, "cdk.tf.json"), JSON.stringify(json));
  };

  beforeAll(() => {
    repo = mkdtempSync(path.join(tmpdir(), "review-git-"));
    git("init", "-q");
    write("networking-x", { v: 1 });
    write("app-x", { v: 1 });
    git("add", ".");
    git("commit", "-q", "-m", "base");
    git("checkout", "-q", "-b", "feature");
    write("app-x", { v: 2 });
    git("commit", "-q", "-am", "change");
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it("defaults to the merge base of HEAD with main", () => {
    expect(defaultBase(repo)).toEqual({ commit: resolveCommit(repo, "main"), branch: "main" });
  });

  it("exports the checked-in synth of a commit as a synth output directory", () => {
    const out = path.join(repo, "..", `${path.basename(repo)}-export`);
    try {
      expect(exportCheckedInSynth(repo, resolveCommit(repo, "main"), out)).toEqual(["app-x", "networking-x"]);
      expect(JSON.parse(readFileSync(path.join(out, "stacks", "app-x", "cdk.tf.json"), "utf8"))).toEqual({ v: 1 });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("names the fix when there is no main to take the merge base with", () => {
    expect(() => defaultBase(repo, ["trunk"])).toThrow(/merge base of HEAD with trunk.*pass --base <ref> or --base-dir/);
    expect(() => resolveCommit(repo, "no-such-ref")).toThrow(/--base no-such-ref: not a commit/);
    expect(existsSync(repo)).toBe(true);
  });
});
