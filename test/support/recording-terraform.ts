/**
 * A stand-in for terraform that only records which stack directory ran which command, for the
 * real cdktf CLI (`TERRAFORM_BINARY_NAME`) and for documented commands that would need AWS:
 * offline, nothing deployed, and the order is exactly what the caller asked for.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { ProjectCopy } from "./project-copy";

/** One recorded call: the directory's name (the stack, in a cdktf layout) and the arguments. */
export interface RecordedCall {
  readonly stack: string;
  readonly args: readonly string[];
}

export class RecordingTerraform {
  /** Holds the stand-in, named `terraform`, so the folder can also be put first on PATH. */
  readonly dir: string;
  readonly binary: string;
  private readonly log: string;

  constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), "recording-terraform-"));
    this.binary = path.join(this.dir, "terraform");
    this.log = path.join(this.dir, "calls.log");
    writeFileSync(
      this.binary,
      [
        "#!/bin/sh",
        `echo "$(basename "$PWD") $*" >> ${JSON.stringify(this.log)}`,
        'case "$1" in',
        // What the cdktf CLI asks before it runs anything.
        '  version) echo \'{"terraform_version":"1.11.4","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}\';;',
        "  -v) echo 'Terraform v1.11.4';;",
        "  output) echo '{}';;",
        "esac",
        "exit 0",
        "",
      ].join("\n"),
    );
    chmodSync(this.binary, 0o755);
  }

  /** Calls since the last `reset()`, in order, without the CLI's version probes. */
  calls(): RecordedCall[] {
    if (!existsSync(this.log)) return [];
    return readFileSync(this.log, "utf8")
      .trim()
      .split("\n")
      .map((line) => line.split(" "))
      .map(([stack, ...args]) => ({ stack, args }))
      .filter((call) => !["version", "-v"].includes(call.args[0]));
  }

  /** Stacks a command (e.g. `apply`) ran in, in order. */
  ranIn(command: string): string[] {
    return this.calls()
      .filter((call) => call.args[0] === command)
      .map((call) => call.stack);
  }

  reset(): void {
    rmSync(this.log, { force: true });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What the real cdktf CLI needs to run offline against `terraform`. */
export function cdktfCliEnv(terraform: RecordingTerraform): NodeJS.ProcessEnv {
  return { TERRAFORM_BINARY_NAME: terraform.binary, CHECKPOINT_DISABLE: "1", CI: "1" };
}

/**
 * A copy of the project and a recording terraform for the tests of one file or describe block,
 * made before its first test and removed after its last: the sandbox the real cdktf CLI runs in.
 */
export function cliSandbox(): { readonly project: ProjectCopy; readonly terraform: RecordingTerraform } {
  let project: ProjectCopy | undefined;
  let terraform: RecordingTerraform | undefined;
  beforeAll(() => {
    project = new ProjectCopy();
    terraform = new RecordingTerraform();
  });
  afterAll(() => {
    project?.dispose();
    terraform?.dispose();
  });
  return {
    get project() {
      return project!;
    },
    get terraform() {
      return terraform!;
    },
  };
}
