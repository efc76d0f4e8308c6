import { spawnSync } from "child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parseArgs } from "util";
import { CHECKED_IN_OUTDIR, STACK_FILE, stackNames } from "../synthesize";
import { findPluginMirror, findTerraform, terraformEnv, writeCliConfig } from "../terraform";
import { explainMissingCredentials, findAwsCredentials } from "./credentials";

export const DRIFT_USAGE = `Usage: npm run drift -- <stack> [--synth-dir <dir>] [--instance-role]

Runs \`terraform plan -refresh-only\` for one stack against its real backend: it reads the
real resources and reports what changed outside Terraform, changing nothing.

  <stack>            e.g. jitsi-matrix-staging
  --synth-dir <dir>  synth output to take the stack from (default: the checked-in cdktf.out)
  --instance-role    trust the EC2 instance role for credentials (it cannot be detected offline)

Exit status: 0 no drift; 2 drift found; 1 error; 3 cannot run here (no AWS credentials or
no terraform).
`;

export const DRIFT_EXIT = { none: 0, error: 1, drift: 2, cannotRun: 3 } as const;

export interface DriftIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const PROCESS_IO: DriftIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** `npm run drift -- <stack>`: returns the exit status. Terraform's own output goes straight to the terminal. */
export function runDriftCli(argv: readonly string[], io: DriftIo = PROCESS_IO, env: NodeJS.ProcessEnv = process.env): number {
  let values: { "synth-dir"?: string; "instance-role"?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: { "synth-dir": { type: "string" }, "instance-role": { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${DRIFT_USAGE}`);
    return DRIFT_EXIT.error;
  }
  if (values.help) {
    io.stdout(DRIFT_USAGE);
    return DRIFT_EXIT.none;
  }
  const synthDir = path.resolve(values["synth-dir"] ?? CHECKED_IN_OUTDIR);
  const stacks = stackNames(synthDir);
  if (positionals.length !== 1) {
    io.stderr(`drift: give exactly one stack, one of: ${stacks.join(", ") || "(none synthesized)"}.\n\n${DRIFT_USAGE}`);
    return DRIFT_EXIT.error;
  }
  const stack = positionals[0];
  const file = path.join(synthDir, "stacks", stack, STACK_FILE);
  if (!existsSync(file)) {
    io.stderr(`drift: no stack ${stack} in ${synthDir}; stacks: ${stacks.join(", ") || "none (run npm run synth)"}.\n`);
    return DRIFT_EXIT.error;
  }

  const credentials = findAwsCredentials(env, undefined, { trustInstanceRole: values["instance-role"] });
  if (credentials.found === undefined) {
    io.stderr(explainMissingCredentials(credentials, stack));
    return DRIFT_EXIT.cannotRun;
  }
  const terraform = findTerraform();
  if (terraform === undefined) {
    io.stderr("drift: terraform is not on PATH (or set TERRAFORM_BIN); install Terraform 1.11 to check drift.\n");
    return DRIFT_EXIT.cannotRun;
  }
  io.stdout(`drift: checking ${stack} with AWS credentials from ${credentials.found.description}.\n`);

  // A copy, so that .terraform/ and the lock file stay out of the synth directory.
  const workdir = mkdtempSync(path.join(tmpdir(), `drift-${stack}-`));
  try {
    cpSync(path.dirname(file), workdir, { recursive: true, filter: (source) => !source.includes(`${path.sep}.terraform`) });
    const terraformProcessEnv = { ...terraformEnv(writeCliConfig(workdir, findPluginMirror())), TF_IN_AUTOMATION: env.TF_IN_AUTOMATION ?? "" };
    const color = process.stdout.isTTY ? [] : ["-no-color"];
    const run = (args: string[]) => spawnSync(terraform, [...args, ...color], { cwd: workdir, env: terraformProcessEnv, stdio: ["ignore", "inherit", "inherit"] });
    const init = run(["init", "-input=false"]);
    if (init.status !== 0) {
      io.stderr(`drift: terraform init of ${stack} failed (its backend or providers, see above); nothing was checked.\n`);
      return DRIFT_EXIT.error;
    }
    const plan = run(["plan", "-refresh-only", "-input=false", "-detailed-exitcode"]);
    if (plan.status === 0) {
      io.stdout(`drift: none. ${stack}'s real resources match its state.\n`);
      return DRIFT_EXIT.none;
    }
    if (plan.status === 2) {
      io.stdout(
        `drift: found in ${stack} (above). Either apply the refresh to record reality in the state ` +
          "(terraform apply -refresh-only), or run cdktf deploy to put the resources back as the code says.\n",
      );
      return DRIFT_EXIT.drift;
    }
    io.stderr(`drift: terraform plan -refresh-only of ${stack} failed (see above).\n`);
    return DRIFT_EXIT.error;
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}
