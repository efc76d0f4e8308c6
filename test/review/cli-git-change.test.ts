/**
 * The "done means", end to end: `npm run review` in a clone of this repository, on
 * real commits that change `src/environments/staging.ts`, with the default base (the merge
 * base with main) and no state file, as a reviewer runs it on a branch.
 */
import { execFileSync, spawnSync } from "child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../tools/synthesize";
import { documentedBlock, script } from "../support/documented-commands";
import { adoptedStagingStates } from "../support/legacy-states";
import { describeIfTerraform, providerAvailable } from "../support/terraform";

const STAGING = path.join("src", "environments", "staging.ts");
const STACK = "jitsi-matrix-staging";
/** Minutes: every run synthesizes, reads the aws provider's schema and plans two stacks three times over. */
const TIMEOUT = 10 * 60_000;

const isGitRepository = spawnSync("git", ["rev-parse", "--git-dir"], { cwd: PROJECT_ROOT }).status === 0;
if (!isGitRepository) console.warn(`Skipping the review of a git change: ${PROJECT_ROOT} is not a git repository to clone.`);
const describeIfGit = isGitRepository ? describeIfTerraform : (name: string, fn: () => void) => describe.skip(name, fn);

describeIfGit("npm run review of a commit on a branch, against the merge base with main, without state files", () => {
  let root: string;
  let clone: string;
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=review-test", "-c", "user.email=review-test@example.org", ...args], { cwd: clone, encoding: "utf8", stdio: "pipe" }).trim();

  /**
   * `npm run review -- <args>` in the clone, as a process. With the test's own environment: jest gives each test
   * file a copy of process.env, and a child started without `env` gets the worker's, without the plan cache setting.
   */
  const review = (...args: string[]) => {
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join("scripts", "review.ts"), ...args], { cwd: clone, env: process.env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  /** A branch off main with one commit that edits staging.ts (pairs of text and its replacement), checked out. */
  const branch = (name: string, ...edits: string[]) => {
    git("switch", "--quiet", "--force-create", name, "main");
    const file = path.join(clone, STAGING);
    let text = readFileSync(file, "utf8");
    for (let i = 0; i < edits.length; i += 2) {
      const [from, to] = [edits[i], edits[i + 1]];
      if (!text.includes(from)) throw new Error(`${STAGING} no longer contains ${JSON.stringify(from)}: update this test's change.`);
      text = text.replace(from, to);
    }
    writeFileSync(file, text);
    git("commit", "--quiet", "-m", `test: ${name}`, "--", STAGING);
  };

  // Outside the secrets stacks, nothing here needs the random provider; a tag change touches them too.
  const unplannable = providerAvailable("hashicorp/random") ? [] : ["--allow-unplanned"];

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "review-git-change-"));
    clone = path.join(root, "repo");
    execFileSync("git", ["clone", "--quiet", "--shared", PROJECT_ROOT, clone], { stdio: "pipe" });
    symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");
    // The clone's main is the base; a CI checkout may be a detached merge commit, so name it here.
    git("switch", "--quiet", "--force-create", "main");
    // The checked-in synth of main must be current, else the review also reports what the commit under test did not change.
    const synth = spawnSync(process.execPath, ["--import", "tsx", path.join("scripts", "synth.ts")], { cwd: clone, encoding: "utf8" });
    if (synth.status !== 0) throw new Error(`npm run synth in the clone failed:\n${synth.stderr}`);
    git("add", "--", "cdktf.out/stacks");
    if (git("status", "--porcelain", "--", "cdktf.out/stacks") !== "") git("commit", "--quiet", "-m", "test: checked-in synth current", "--", "cdktf.out/stacks");
    // The synth must not need anything beside the project: the clone has nothing beside it.
    expect(existsSync(path.join(root, "shared"))).toBe(false);
  }, TIMEOUT);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it(
    "reports renamed target groups as replacements first, then the listener rule and HTTPS listener forwarding to them, and exits 1; 0 once allowed",
    () => {
      // Two renames in one commit: each review plans the changed stacks three times, so one commit proves both kinds of dependant.
      branch("rename-target-groups", 'element: "element-http-target-staging"', 'element: "element-tg-staging"', 'jitsi: "jitsi-http-target-staging"', 'jitsi: "jitsi-tg-staging"');
      const blocked = review();
      expect(blocked.stderr).toBe("");
      expect(blocked.stdout).toMatch(/^Plan review: [0-9a-f]{7,} \(merge base with main\) -> working tree \(fresh synth\)$/m);
      expect(blocked.stdout).toMatch(new RegExp(`^1 of \\d+ stacks changed: ${STACK}$`, "m"));
      expect(blocked.stdout).toMatch(/^BLOCKED: 2 destroy\/replacement caused by this change/m);
      expect(blocked.stdout).toContain(`  replace ${STACK}:aws_lb_target_group.load_balancer_element`);
      expect(blocked.stdout).toContain(`  replace ${STACK}:aws_lb_target_group.load_balancer_jitsi`);
      const section = blocked.stdout.slice(blocked.stdout.indexOf(`${STACK}  [`));
      expect(section).toMatch(new RegExp(`^${STACK} {2}\\[changed; synthetic base state; compared with the base's plan\\]`));
      const changeLines = section.split("\n").filter((line) => /^ {2}(!!| {2}) \S/.test(line));
      expect(changeLines.slice(0, 2).sort()).toEqual([
        "  !! -/+ replace aws_lb_target_group.load_balancer_element  (forced by name; NOT ALLOWED)",
        "  !! -/+ replace aws_lb_target_group.load_balancer_jitsi  (forced by name; NOT ALLOWED)",
      ]);
      expect(changeLines.slice(2).every((line) => line.includes("~  update"))).toBe(true);
      expect(section).toMatch(/~ {2}update {3}aws_lb_listener_rule\.load_balancer_rule_element {2}\(changes action\)/);
      expect(section).toMatch(/~ {2}update {3}aws_lb_listener\.load_balancer_https {2}\(changes default_action\)/);
      expect(section).toContain("Note: No state given: planned against a synthetic base state");
      expect(blocked.status).toBe(1);

      const allow = ["aws_lb_target_group.load_balancer_element", "aws_lb_target_group.load_balancer_jitsi"].flatMap((address) => ["--allow", `${STACK}:${address}`]);
      const allowed = review("--json", ...allow);
      const data = JSON.parse(allowed.stdout);
      expect(data.stacks.map((s: { stack: string }) => s.stack)).toEqual([STACK]);
      const [stack] = data.stacks;
      expect(stack).toMatchObject({ stateSource: "synthetic", comparedWithBase: true, pending: [] });
      for (const group of ["element", "jitsi"]) {
        expect(stack.changes.find((c: { address: string }) => c.address === `aws_lb_target_group.load_balancer_${group}`)).toMatchObject({
          kind: "replace",
          replacePaths: ["name"],
          introducesDestruction: true,
          allowedBy: `${STACK}:aws_lb_target_group.load_balancer_${group}`,
        });
      }
      expect(stack.changes.find((c: { address: string }) => c.address === "aws_lb_listener.load_balancer_https")).toMatchObject({
        kind: "update",
        changedAttributes: ["default_action"],
      });
      expect(stack.changes.filter((c: { kind: string }) => c.kind !== "update").length).toBe(2);
      expect(data.blocking).toEqual([]);
      expect(allowed.status).toBe(0);
    },
    TIMEOUT,
  );

  it(
    "reports a tag added to the environment as in-place updates of tags_all and exits 0",
    () => {
      branch("add-a-tag", 'Responsible: "Ebcont",', 'Responsible: "Ebcont",\n    CostCenter: "video-platform",');
      const result = review("--json", ...unplannable);
      expect(result.stderr).toBe("");
      const data = JSON.parse(result.stdout);
      const planned = data.stacks.filter((s: { notPlanned: string | null }) => s.notPlanned === null);
      expect(planned.map((s: { stack: string }) => s.stack)).toEqual([STACK, "networking-staging"]);
      for (const stack of planned) {
        expect(stack.stateSource).toBe("synthetic");
        expect(stack.changes.length).toBeGreaterThan(0);
        for (const change of stack.changes) {
          expect(change).toMatchObject({ kind: "update", introducesDestruction: false });
          expect(change.changedAttributes).toContain("tags_all");
        }
      }
      // Without the random provider the secrets stack cannot be planned here; its resource blocks did not change.
      for (const stack of data.stacks.filter((s: { notPlanned: string | null }) => s.notPlanned !== null)) {
        expect(stack.stack).toBe("secrets-staging");
        expect(stack.changes).toEqual([]);
      }
      expect(data.blocking).toEqual([]);
      expect(result.status).toBe(0);
    },
    TIMEOUT,
  );

  it(
    "runs README's examples (```sh review) as written, on a commit that changes one stack in place: each of the four exits 0",
    () => {
      // Only jitsi-matrix-staging changes (the group's maximum, in place), so the secrets stack needs no plan here.
      branch("raise-max-size", "maxSize: 1,", "maxSize: 2,");
      // The state files the second example names: staging's, as the adoption leaves them.
      const states = adoptedStagingStates(path.join(root, "states"));
      copyFileSync(states.jitsiMatrix, path.join(clone, "staging.tfstate"));
      copyFileSync(states.networking, path.join(clone, "net.tfstate"));
      // One line at a time, as a reader types them; each must exit 0.
      const lines = script(documentedBlock("review")).split("\n").filter((line) => line.trim() !== "");
      expect(lines).toHaveLength(4);
      const runs = lines.map((line) => spawnSync("bash", ["-c", line], { cwd: clone, env: process.env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }));
      expect(runs.map((run, i) => ({ line: lines[i], status: run.status }))).toEqual(lines.map((line) => ({ line, status: 0 })));
      const [synthetic, withStates, asJson, allowed] = runs.map((run) => run.stdout);
      const section = (out: string) => out.slice(out.indexOf(`${STACK}  [`)).split("\n")[0];
      expect(section(synthetic)).toMatch(/\[changed; synthetic base state;/);
      expect(section(withStates)).toContain(`[changed; state ${path.join(clone, "staging.tfstate")};`);
      expect(withStates).toMatch(/~ {2}update {3}aws_autoscaling_group\.capacity_group {2}\(changes max_size\)/);
      // --silent: the output is the JSON and nothing else.
      const data = JSON.parse(asJson);
      expect(data.stacks.map((s: { stack: string }) => s.stack)).toEqual([STACK]);
      expect(data.stacks[0].changes).toEqual([expect.objectContaining({ address: "aws_autoscaling_group.capacity_group", kind: "update", changedAttributes: ["max_size"] })]);
      expect(allowed).toContain(`1 of `);
      expect(allowed).not.toContain("BLOCKED");
    },
    TIMEOUT,
  );
});
