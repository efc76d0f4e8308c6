/**
 * A stand-in for terraform that keeps states the way an S3 backend would, for documented commands
 * whose real run needs AWS (`npm run adopt` against the S3 bucket of `backend.tf.json`): `state pull`
 * prints the object the working directory's backend block names, `state push <file>` stores the file
 * there, and `plan -out=<file>` writes a plan file, so a following `apply <file> && rm <file>` runs as
 * documented. Every call is recorded. It checks nothing else Terraform would: the adoption suite
 * (test/adoption/adopt.test.ts) proves lineage, serial and plans with real Terraform against local states.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";

/** One recorded call: the working directory and the arguments. */
export interface StateStoreCall {
  readonly cwd: string;
  readonly args: readonly string[];
}

/** Reads the backend block of the working directory's `*.tf.json` files and does what the call asks for. */
const HANDLER = `
const fs = require("fs");
const path = require("path");
const [store, log, ...args] = process.argv.slice(2);
fs.appendFileSync(log, JSON.stringify({ cwd: process.cwd(), args }) + "\\n");
const object = () => {
  for (const file of fs.readdirSync(".").filter((f) => f.endsWith(".tf.json")).sort()) {
    const s3 = JSON.parse(fs.readFileSync(file, "utf8")).terraform?.backend?.s3;
    if (s3) return path.join(store, s3.bucket, s3.key);
  }
  console.error("stand-in terraform: no S3 backend block in " + process.cwd());
  process.exit(1);
};
if (args[0] === "state" && args[1] === "pull") {
  const file = object();
  if (fs.existsSync(file)) process.stdout.write(fs.readFileSync(file));
} else if (args[0] === "state" && args[1] === "push") {
  const file = object();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.copyFileSync(args[2], file);
} else if (args[0] === "plan") {
  const out = args.find((a) => a.startsWith("-out="));
  if (out) fs.writeFileSync(out.slice("-out=".length), "stand-in plan");
}
`;

export class StateStoreTerraform {
  /** Holds the stand-in, named `terraform`, to be put first on PATH. */
  readonly dir: string;
  /** Where `s3://<bucket>/<key>` is kept, as `<store>/<bucket>/<key>`. */
  readonly store: string;
  private readonly log: string;

  constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), "state-store-terraform-"));
    this.store = path.join(this.dir, "s3");
    this.log = path.join(this.dir, "calls.log");
    mkdirSync(this.store);
    const handler = path.join(this.dir, "handler.js");
    writeFileSync(handler, HANDLER);
    const binary = path.join(this.dir, "terraform");
    writeFileSync(binary, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(handler)} ${JSON.stringify(this.store)} ${JSON.stringify(this.log)} "$@"\n`);
    chmodSync(binary, 0o755);
  }

  /** The environment that makes `terraform` this stand-in, for the adoption tool (TERRAFORM_BIN) and for a shell (PATH). */
  env(): NodeJS.ProcessEnv {
    return { TERRAFORM_BIN: path.join(this.dir, "terraform"), PATH: `${this.dir}${path.delimiter}${process.env.PATH}` };
  }

  /** The state kept for `s3://<bucket>/<key>`, parsed; undefined when none was pushed. */
  object(bucket: string, key: string): { resources: { mode: string; instances: unknown[] }[] } | undefined {
    const file = path.join(this.store, bucket, key);
    return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
  }

  calls(): StateStoreCall[] {
    if (!existsSync(this.log)) return [];
    return readFileSync(this.log, "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as StateStoreCall);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
