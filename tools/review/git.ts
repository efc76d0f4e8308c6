import { spawnSync } from "child_process";
import { mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { STACK_FILE } from "../synthesize";

/** Where the checked-in synth's stacks live inside the repository. */
export const CHECKED_IN_STACKS = "cdktf.out/stacks";

/** Branches whose merge base with HEAD is the default base of a review, in order of preference. */
export const DEFAULT_BASE_BRANCHES = ["main", "origin/main"];

function git(repo: string, args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync("git", args, { cwd: repo, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw new Error(`git ${args.join(" ")}: ${result.error.message}; is git installed?`);
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr };
}

/** The commit a ref names, or an error naming the ref and the fix. */
export function resolveCommit(repo: string, ref: string): string {
  const result = git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (!result.ok) throw new Error(`--base ${ref}: not a commit in ${repo}; give a branch, tag or commit (fetch it first in a shallow clone).`);
  return result.stdout.trim();
}

/** The merge base of HEAD with the first of `branches` that exists, and that branch. */
export function defaultBase(repo: string, branches: readonly string[] = DEFAULT_BASE_BRANCHES): { commit: string; branch: string } {
  for (const branch of branches) {
    if (!git(repo, ["rev-parse", "--verify", "--quiet", `${branch}^{commit}`]).ok) continue;
    const result = git(repo, ["merge-base", "HEAD", branch]);
    if (result.ok) return { commit: result.stdout.trim(), branch };
  }
  throw new Error(
    `the default base is the merge base of HEAD with ${branches.join(" or ")}, and ${repo} has none of them ` +
      "(or no common history); pass --base <ref> or --base-dir <synth dir>.",
  );
}

/**
 * Writes the checked-in synth of `commit` (`cdktf.out/stacks/<stack>/cdk.tf.json`) into
 * `outdir/stacks/`, the layout of a synth output directory, and returns its stack names.
 */
export function exportCheckedInSynth(repo: string, commit: string, outdir: string): string[] {
  const listing = git(repo, ["ls-tree", "-r", "--name-only", commit, "--", `${CHECKED_IN_STACKS}/`]);
  if (!listing.ok) throw new Error(`git ls-tree ${commit}: ${listing.stderr.trim()}`);
  const stacks: string[] = [];
  for (const file of listing.stdout.split("\n")) {
    const match = new RegExp(`^${CHECKED_IN_STACKS}/([^/]+)/${STACK_FILE.replace(".", "\\.")}$`).exec(file);
    if (!match) continue;
    const shown = git(repo, ["show", `${commit}:${file}`]);
    if (!shown.ok) throw new Error(`git show ${commit}:${file}: ${shown.stderr.trim()}`);
    mkdirSync(path.join(outdir, "stacks", match[1]), { recursive: true });
    writeFileSync(path.join(outdir, "stacks", match[1], STACK_FILE), shown.stdout);
    stacks.push(match[1]);
  }
  return stacks.sort();
}

/** `1a2b3c4`, for headings. */
export function shortCommit(repo: string, commit: string): string {
  const result = git(repo, ["rev-parse", "--short", commit]);
  return result.ok ? result.stdout.trim() : commit.slice(0, 7);
}
