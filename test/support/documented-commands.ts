/**
 * The commands README.md and docs/ tell a user to type, read from the documents themselves so
 * that a document and the test running it cannot drift apart.
 *
 * A command block is a fenced block whose info string is `sh <id>`, or `sh <id> needs-aws` when it
 * cannot run without an AWS account: a test runs the first as written, the second against recording
 * stand-ins (`runWithStandIns`). A test claims a block by calling `documentedBlock("<id>")`;
 * test/docs/documented-commands.test.ts fails on a block no test claims, on a block without an id, and
 * on an indented code block (which has no info string to carry one). Output shown to the reader goes
 * in a `text` block.
 */
import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../tools/synthesize";

export interface CommandBlock {
  /** Relative to the project, e.g. `docs/maintenance.md`. */
  readonly file: string;
  readonly line: number;
  readonly id: string;
  readonly needsAws: boolean;
  /** The block's text, its indentation (inside a list item) removed. */
  readonly text: string;
}

export interface DocumentProblem {
  readonly file: string;
  readonly line: number;
  readonly problem: string;
}

/** README.md and every Markdown file in docs/. */
export function documents(): string[] {
  const docs = readdirSync(path.join(PROJECT_ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs];
}

interface Parsed {
  readonly blocks: CommandBlock[];
  readonly problems: DocumentProblem[];
}

/** Fenced blocks (``` at any indentation, closed by ``` at the same), and indented code blocks as problems. */
export function parseDocument(file: string, text: string): Parsed {
  const lines = text.split("\n");
  const blocks: CommandBlock[] = [];
  const problems: DocumentProblem[] = [];
  let previousBlank = true;
  let inList = false;
  for (let i = 0; i < lines.length; i++) {
    const fence = /^( *)```(.*)$/.exec(lines[i]);
    if (fence) {
      const [, indent, info] = fence;
      const end = lines.findIndex((line, j) => j > i && line === `${indent}\`\`\``);
      if (end < 0) {
        problems.push({ file, line: i + 1, problem: "a fenced block is never closed" });
        break;
      }
      const body = lines
        .slice(i + 1, end)
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
        .join("\n");
      const words = info.trim().split(/\s+/).filter(Boolean);
      if (words[0] === "sh") {
        const [, id, marker, ...rest] = words;
        if (!id) problems.push({ file, line: i + 1, problem: "a ```sh block without an id: write ```sh <id> (or ```sh <id> needs-aws) and claim it in a test" });
        else if ((marker !== undefined && marker !== "needs-aws") || rest.length > 0) problems.push({ file, line: i + 1, problem: `\`\`\`${info}: after the id only needs-aws may follow` });
        else blocks.push({ file, line: i + 1, id, needsAws: marker === "needs-aws", text: body });
      } else if (words.length === 0) {
        problems.push({ file, line: i + 1, problem: "a fenced block without a language: ```sh <id> for commands, ```text for output" });
      }
      i = end;
      previousBlank = false;
      continue;
    }
    const line = lines[i];
    // An indented code block: four spaces after a blank line, outside a list (list items indent their paragraphs).
    if (/^\s*([-*]|\d+\.)\s/.test(line)) inList = true;
    else if (/^\S/.test(line)) inList = false;
    if (previousBlank && !inList && /^ {4}\S/.test(line)) {
      problems.push({ file, line: i + 1, problem: "an indented code block: make it a fenced ```sh <id> block (or ```text for output)" });
    }
    previousBlank = line.trim() === "";
  }
  return { blocks, problems };
}

/** Every command block and every problem of every document. */
export function readDocuments(): Parsed {
  const parsed = documents().map((file) => parseDocument(file, readFileSync(path.join(PROJECT_ROOT, file), "utf8")));
  return { blocks: parsed.flatMap((p) => p.blocks), problems: parsed.flatMap((p) => p.problems) };
}

/** The one command block with this id, for the test that runs it. */
export function documentedBlock(id: string): CommandBlock {
  const found = readDocuments().blocks.filter((block) => block.id === id);
  if (found.length !== 1) throw new Error(`${found.length} command blocks \`\`\`sh ${id} in README.md and docs/; there must be one`);
  return found[0];
}

/** The block's commands as a script: comments kept (bash ignores them), placeholders replaced. */
export function script(block: CommandBlock, placeholders: Readonly<Record<string, string>> = {}): string {
  let text = block.text;
  for (const [placeholder, value] of Object.entries(placeholders)) text = text.split(placeholder).join(value);
  const left = /<[a-zA-Z][\w -]*>/.exec(text.replace(/#.*$/gm, ""));
  if (left) throw new Error(`${block.file}:${block.line} (${block.id}): the placeholder ${left[0]} has no value in the test`);
  return text;
}

/** One command a stand-in saw: the program, the directory's name, the arguments. */
export interface StandInCall {
  readonly program: string;
  readonly cwd: string;
  readonly args: string;
}

export interface StandInRun {
  readonly status: number | null;
  readonly output: string;
  readonly calls: StandInCall[];
}

/**
 * Runs a `needs-aws` block with bash in `cwd`, `programs` (e.g. terraform, aws, docker, sudo) replaced on
 * PATH by stand-ins that record their arguments and print `stand-in-<program>` (what a `--query ...
 * --output text` would print), so variables the block sets from them are not empty. `answers` replaces that
 * line for a program by a shell snippet of its own (it sees the arguments as `"$@"`), e.g. a `case` on them
 * that prints what AWS would answer, or `exec "$@"` for a sudo that runs the command. The block runs with
 * `set -e`, so a command that fails stops it as it would stop an operator.
 */
/** What a stand-in `aws` answers for a one-off ECS task: `task` when it starts, and `exitCode` as its container's exit code. */
export const oneOffTaskAnswers = (task: string, exitCode: number): string =>
  ["case \"$2\" in", `  run-task) echo ${task};;`, `  describe-tasks) echo ${exitCode};;`, "esac"].join("\n");

export function runWithStandIns(
  block: CommandBlock,
  options: {
    cwd: string;
    programs: readonly string[];
    /** Blocks the document has the reader run first in the same shell, e.g. the one setting $ENV and $CLUSTER. */
    before?: readonly CommandBlock[];
    placeholders?: Record<string, string>;
    env?: NodeJS.ProcessEnv;
    /** Per program, what its stand-in does after recording the call, instead of printing `stand-in-<program>`. */
    answers?: Readonly<Record<string, string>>;
  },
): StandInRun {
  if (!block.needsAws) throw new Error(`${block.file}:${block.line} (${block.id}) is not marked needs-aws: run it for real`);
  const bin = mkdtempSync(path.join(tmpdir(), "stand-ins-"));
  const log = path.join(bin, "calls.log");
  try {
    for (const program of options.programs) {
      const file = path.join(bin, program);
      const answer = options.answers?.[program] ?? `echo stand-in-${program}`;
      writeFileSync(file, `#!/bin/sh\nprintf '%s\\t%s\\t%s\\n' ${program} "$(basename "$PWD")" "$*" >> ${JSON.stringify(log)}\n${answer}\n`);
      chmodSync(file, 0o755);
    }
    const text = [...(options.before ?? []), block].map((b) => script(b, options.placeholders)).join("\n");
    const result = spawnSync("bash", ["-e", "-c", text], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, PATH: `${bin}${path.delimiter}${options.env?.PATH ?? process.env.PATH}` },
      encoding: "utf8",
      timeout: 180_000,
    });
    const calls = existsSync(log)
      ? readFileSync(log, "utf8")
          .trimEnd()
          .split("\n")
          .map((line) => line.split("\t"))
          .map(([program, cwd, args]) => ({ program, cwd, args }))
      : [];
    return { status: result.status, output: `${result.stdout}${result.stderr}`, calls };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}
