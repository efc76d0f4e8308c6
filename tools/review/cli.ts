import { existsSync, mkdtempSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parseArgs } from "util";
import { PROJECT_ROOT, stackNames, synthesizeTo } from "../synthesize";
import { defaultBase, exportCheckedInSynth, resolveCommit, shortCommit } from "./git";
import { renderJson, renderMarkdown, renderText, ReviewLabels } from "./render";
import { reviewExitCode, reviewSynth } from "./review";

export const REVIEW_USAGE = `Usage: npm run review -- [options]

Synthesizes the app, then for each stack whose JSON differs from the checked-in synth of the
base, plans it offline (terraform plan -refresh=false, no cloud access) against its state, or
without one against a synthetic base state (the base's own plan of the stack as if applied),
and summarizes what it would destroy, replace, add, change, move or import.

Options:
  --base <ref>             git ref of the base (default: the merge base of HEAD with main,
                           else origin/main); its cdktf.out/stacks is compared
  --base-dir <dir>         a synth output directory as the base instead of a git ref
  --head-dir <dir>         review this synth output directory instead of a fresh synth
  --state <stack>=<file>   plan <stack> against this state file (terraform state pull);
                           repeatable; other stacks plan against a synthetic base
                           state (a stack new in the change: an empty state)
  --state-dir <dir>        use <dir>/<stack>.tfstate for every stack that has one
  --allow <pattern>        accept a destroy or replacement: [<stack>:]<address>, * matches
                           anything; repeatable
  --allow-unplanned        do not fail when a changed stack cannot be planned here
  --json                   print the review as JSON
  --markdown               print the review as Markdown (pull request comments)
  -h, --help               this text

Exit status: 0 fine; 1 a destroy or replacement caused by the change is not on the allow
list; 2 a changed stack could not be planned, or bad usage.
`;

export interface ReviewIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const PROCESS_IO: ReviewIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** `npm run review`: parses `argv`, reviews, prints, and returns the exit status. */
export async function runReviewCli(argv: readonly string[], io: ReviewIo = PROCESS_IO, repo: string = PROJECT_ROOT): Promise<number> {
  let options: ReturnType<typeof parse>;
  try {
    options = parse(argv);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${REVIEW_USAGE}`);
    return 2;
  }
  if (options.help) {
    io.stdout(REVIEW_USAGE);
    return 0;
  }
  const scratch = mkdtempSync(path.join(tmpdir(), "review-"));
  try {
    const { baseDir, baseLabel } = resolveBase(options, repo, scratch);
    const { headDir, headLabel } = resolveHead(options, scratch);
    const states = { ...statesFromDir(options.stateDir, headDir), ...statesFromFlags(options.state) };
    const known = new Set([...stackNames(headDir), ...stackNames(baseDir)]);
    for (const stack of Object.keys(states)) {
      if (!known.has(stack)) throw new Error(`--state ${stack}=...: no stack ${stack} in the synth; its stacks are ${[...known].sort().join(", ")}.`);
    }
    const review = await reviewSynth({ baseDir, headDir, states, allow: options.allow });
    const labels: ReviewLabels = { base: baseLabel, head: headLabel };
    const render = options.json ? renderJson : options.markdown ? renderMarkdown : renderText;
    io.stdout(render(review, labels, { allowUnplanned: options.allowUnplanned }));
    return reviewExitCode(review, { allowUnplanned: options.allowUnplanned });
  } catch (error) {
    io.stderr(`review failed: ${(error as Error).message}\n`);
    return 2;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function parse(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      base: { type: "string" },
      "base-dir": { type: "string" },
      "head-dir": { type: "string" },
      state: { type: "string", multiple: true },
      "state-dir": { type: "string" },
      allow: { type: "string", multiple: true },
      "allow-unplanned": { type: "boolean" },
      json: { type: "boolean" },
      markdown: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.base !== undefined && values["base-dir"] !== undefined) {
    throw new Error("--base and --base-dir both name the base; give one.");
  }
  if (values.json && values.markdown) throw new Error("--json and --markdown both choose the output; give one.");
  for (const dir of [values["base-dir"], values["head-dir"]]) {
    if (dir !== undefined && !existsSync(path.join(dir, "stacks"))) {
      throw new Error(`${dir}: not a synth output directory (no stacks/ inside); give the directory cdktf synthesized into.`);
    }
  }
  if (values["state-dir"] !== undefined && !statSync(values["state-dir"], { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`--state-dir ${values["state-dir"]}: not a directory; give the directory holding <stack>.tfstate files.`);
  }
  return {
    base: values.base,
    baseDir: values["base-dir"],
    headDir: values["head-dir"],
    state: values.state ?? [],
    stateDir: values["state-dir"],
    allow: values.allow ?? [],
    allowUnplanned: values["allow-unplanned"] ?? false,
    json: values.json ?? false,
    markdown: values.markdown ?? false,
    help: values.help ?? false,
  };
}

function resolveBase(options: ReturnType<typeof parse>, repo: string, scratch: string): { baseDir: string; baseLabel: string } {
  if (options.baseDir !== undefined) return { baseDir: path.resolve(options.baseDir), baseLabel: options.baseDir };
  const base = options.base !== undefined ? { commit: resolveCommit(repo, options.base), branch: undefined } : defaultBase(repo);
  const baseDir = path.join(scratch, "base");
  exportCheckedInSynth(repo, base.commit, baseDir);
  const short = shortCommit(repo, base.commit);
  return { baseDir, baseLabel: base.branch ? `${short} (merge base with ${base.branch})` : `${short} (${options.base})` };
}

function resolveHead(options: ReturnType<typeof parse>, scratch: string): { headDir: string; headLabel: string } {
  if (options.headDir !== undefined) return { headDir: path.resolve(options.headDir), headLabel: options.headDir };
  const headDir = path.join(scratch, "head");
  const result = synthesizeTo(headDir);
  if (!result.ok) throw new Error(`synth of the working tree failed:\n${result.stderr}`);
  return { headDir, headLabel: "working tree (fresh synth)" };
}

function statesFromFlags(flags: readonly string[]): Record<string, string> {
  const states: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0 || eq === flag.length - 1) {
      throw new Error(`--state ${flag}: expected <stack>=<state file>, e.g. --state jitsi-matrix-staging=staging.tfstate.`);
    }
    states[flag.slice(0, eq)] = path.resolve(flag.slice(eq + 1));
  }
  return states;
}

function statesFromDir(dir: string | undefined, headDir: string): Record<string, string> {
  if (dir === undefined) return {};
  return Object.fromEntries(
    stackNames(headDir)
      .map((stack) => [stack, path.resolve(dir, `${stack}.tfstate`)] as const)
      .filter(([, file]) => existsSync(file)),
  );
}
