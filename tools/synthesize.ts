import { spawnSync } from "child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";

/** The project's top level, where `main.ts` and the checked-in synth live. */
export const PROJECT_ROOT = path.join(__dirname, "..");

/** Where the checked-in synth lives: `cdktf.out/stacks/<stack>/cdk.tf.json`, cdktf's own layout. */
export const CHECKED_IN_OUTDIR = path.join(PROJECT_ROOT, "cdktf.out");

/** Name of the synthesized JSON inside a stack directory. */
export const STACK_FILE = "cdk.tf.json";

export interface SynthResult {
  readonly ok: boolean;
  /** What the app printed on stderr, e.g. the list of problems of a bad environment. */
  readonly stderr: string;
  readonly stdout: string;
}

/**
 * Runs `main.ts` as `cdktf synth` would, transpiled only (types are checked
 * by `npm test`), writing to `outdir`. Context such as `postgresUpgrade`
 * comes through `CDKTF_CONTEXT_JSON`, the same variable the cdktf CLI sets.
 */
export function synthesizeTo(outdir: string, env: NodeJS.ProcessEnv = process.env): SynthResult {
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "main.ts")], {
    cwd: PROJECT_ROOT,
    env: { ...env, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
  return { ok: result.status === 0, stderr: result.stderr ?? "", stdout: result.stdout ?? "" };
}

/** Stack names in a synth output directory. */
export function stackNames(outdir: string): string[] {
  const stacks = path.join(outdir, "stacks");
  return existsSync(stacks) ? readdirSync(stacks).sort() : [];
}

/**
 * Synthesizes into a fresh directory and only on success replaces the
 * checked-in synth with it, so a failed synth never leaves half an output.
 */
export function refreshCheckedInSynth(): SynthResult {
  const staging = mkdtempSync(path.join(tmpdir(), "jitsi-matrix-synth-"));
  try {
    const result = synthesizeTo(staging);
    if (result.ok) {
      rmSync(CHECKED_IN_OUTDIR, { recursive: true, force: true });
      cpSync(staging, CHECKED_IN_OUTDIR, { recursive: true });
    }
    return result;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
