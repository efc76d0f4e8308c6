/**
 * A throwaway copy of the project, for running a user's command exactly as typed (`npm run synth`,
 * `npx cdktf ...`, `cd cdktf.out/stacks/<stack> && terraform ...`) without touching the checked-in
 * synth. node_modules is linked, not copied: the copy resolves the same pinned packages.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../tools/synthesize";

/** What the app, its tools and scripts and the cdktf CLI read; everything else (tests, docs, CI) stays behind. */
const APP_ENTRIES = ["main.ts", "src", "tools", "scripts", ".gen", "cdktf.out", "package.json", "package-lock.json", "cdktf.json", "tsconfig.json", "backend.tf.json"];

export class ProjectCopy {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), "project-copy-"));
    for (const entry of APP_ENTRIES) cpSync(path.join(PROJECT_ROOT, entry), path.join(this.dir, entry), { recursive: true });
    symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(this.dir, "node_modules"), "dir");
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  read(...parts: string[]): string {
    return readFileSync(this.path(...parts), "utf8");
  }

  /** Rewrites the copy's cdktf.json. */
  editCdktfConfig(edit: (config: Record<string, unknown>) => Record<string, unknown>): void {
    writeFileSync(this.path("cdktf.json"), `${JSON.stringify(edit(JSON.parse(this.read("cdktf.json"))), null, 2)}\n`);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
