/**
 * Reads and writes states through Terraform itself (`terraform state pull` /
 * `state push` in a throwaway directory holding only a backend block), so
 * S3, its encryption and its lock table are handled as every Terraform run
 * handles them, and the same path runs offline against local backends.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { formatState, parseState, StateFile } from "./state-file";

/** Where a state lives: a backend type and its settings, exactly as in a `backend` block. */
export interface StateLocation {
  readonly backend: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** `s3://bucket/key` or the local file of a location, for messages. */
export function describeLocation(location: StateLocation): string {
  if (location.backend === "s3") return `s3://${location.config.bucket}/${location.config.key}`;
  if (location.backend === "local") return String(location.config.path);
  return `${location.backend} backend ${JSON.stringify(location.config)}`;
}

/**
 * Replaces S3 by local files: the object `s3://<bucket>/<key>` becomes
 * `<dir>/<bucket>/<key>`. Tests use it to run the real adoption path offline;
 * an operator can use it to rehearse the adoption on copies.
 */
export interface BackendOverride {
  readonly localDir: string;
}

/** Parses `--backend-override local:<dir>`. */
export function parseBackendOverride(value: string): BackendOverride {
  const match = /^local:(.+)$/.exec(value);
  if (!match) throw new Error(`--backend-override ${value}: use local:<dir>, which keeps every S3 object as <dir>/<bucket>/<key>.`);
  return { localDir: path.resolve(match[1]) };
}

/** The location after `override`; S3 settings other than bucket and key do not matter to a local file. */
export function overridden(location: StateLocation, override?: BackendOverride): StateLocation {
  if (override === undefined || location.backend !== "s3") return location;
  return { backend: "local", config: { path: path.join(override.localDir, String(location.config.bucket), String(location.config.key)) } };
}

/**
 * The S3 location of a legacy state named `s3://bucket/key`; region,
 * encryption and lock table from the project's backend settings.
 */
export function legacyS3Location(url: string, defaults: Readonly<Record<string, unknown>>): StateLocation {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw new Error(`--legacy-state ${url}: an S3 state is named s3://<bucket>/<key>.`);
  const [, bucket, key] = match;
  if (key.startsWith("/") || key.endsWith("/")) {
    throw new Error(
      `--legacy-state ${url}: the key "${key}" starts or ends with "/", which Terraform 1.6 and later refuse; ` +
        `copy the object first (aws s3 cp '${url}' legacy-${path.basename(key)}) and give the file instead.`,
    );
  }
  // Reading never locks: the lock table is left out.
  return { backend: "s3", config: { region: defaults.region, encrypt: defaults.encrypt, bucket, key } };
}

/**
 * The bytes of a legacy state object, so that its backup is the object
 * itself: `terraform state pull` prints Terraform's re-serialisation of a
 * state, not the stored object. A local location (a stand-in under
 * `--backend-override`) is read as a file, an S3 one with the AWS CLI
 * (`aws s3 cp <url> -`) under the operator's credentials. Undefined when
 * there is no such object.
 */
export function readStateObject(location: StateLocation, env: Readonly<Record<string, string>> = {}): string | undefined {
  if (location.backend === "local") {
    const file = String(location.config.path);
    return existsSync(file) ? readFileSync(file, "utf8") : undefined;
  }
  if (location.backend !== "s3") throw new Error(`${describeLocation(location)}: only S3 and local legacy states can be read.`);
  const url = describeLocation(location);
  const aws = process.env.AWS_CLI_BIN || "aws";
  const result = spawnSync(aws, ["s3", "cp", url, "-", ...(location.config.region ? ["--region", String(location.config.region)] : [])], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) {
    throw new Error(
      `cannot run ${aws} (${result.error.message}) to read ${url}: install the AWS CLI (or set AWS_CLI_BIN), ` +
        "or copy the object yourself (aws s3 cp) and give the file to --legacy-state.",
    );
  }
  if (result.status !== 0) {
    if (/\(404\)|NoSuchKey|Not Found/.test(result.stderr)) return undefined;
    throw new Error(`aws s3 cp ${url} - failed (exit ${result.status}):\n${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** Inherited variables that would redirect the working directory's data or inject arguments. */
const NON_HERMETIC_ENV = /^(TF_DATA_DIR|TF_CLI_ARGS.*)$/;

export interface TerraformStatesOptions {
  /**
   * Providers to install when a state needs them, as a `required_providers`
   * block; the stacks' own, so Terraform reuses what their plans install.
   * @default - none pinned: the newest of what the states name
   */
  readonly requiredProviders?: Readonly<Record<string, unknown>>;
  /** Variables over the inherited environment, e.g. `TF_CLI_CONFIG_FILE`. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** @default `TERRAFORM_BIN`, else `terraform` on PATH */
  readonly terraform?: string;
}

/**
 * Runs Terraform with the operator's environment (credentials, CLI config),
 * without prompts, in one throwaway directory per location holding only a
 * backend block. `terraform init` installs the providers a state names even
 * for `state pull`, so each location is initialized once. Call `dispose()`
 * when done.
 */
export class TerraformStates {
  private readonly terraform: string;
  private readonly dirs = new Map<string, string>();

  constructor(private readonly options: TerraformStatesOptions = {}) {
    this.terraform = options.terraform ?? (process.env.TERRAFORM_BIN || "terraform");
  }

  /** The state at `location`, or undefined when there is none yet. */
  pull(location: StateLocation): StateFile | undefined {
    const text = this.run(["state", "pull"], this.dirFor(location), location);
    return text.trim() === "" ? undefined : parseState(text, describeLocation(location));
  }

  /**
   * Writes `state` to `location`. Terraform refuses when the location holds a
   * state of another lineage or a newer serial; this never forces.
   */
  push(location: StateLocation, state: StateFile): void {
    const dir = this.dirFor(location);
    const file = path.join(dir, "push.tfstate");
    // Legacy states hold passwords: private to the operator, and removed at once.
    writeFileSync(file, formatState(state), { mode: 0o600 });
    try {
      this.run(["state", "push", file], dir, location);
    } finally {
      rmSync(file, { force: true });
    }
  }

  dispose(): void {
    for (const dir of this.dirs.values()) rmSync(dir, { recursive: true, force: true });
    this.dirs.clear();
  }

  private dirFor(location: StateLocation): string {
    const key = JSON.stringify(location);
    const known = this.dirs.get(key);
    if (known !== undefined) return known;
    const dir = mkdtempSync(path.join(tmpdir(), "jitsi-matrix-adopt-"));
    this.dirs.set(key, dir);
    const terraform = {
      backend: { [location.backend]: location.config },
      ...(this.options.requiredProviders ? { required_providers: this.options.requiredProviders } : {}),
    };
    writeFileSync(path.join(dir, "backend.tf.json"), JSON.stringify({ terraform }));
    this.run(["init", "-input=false", "-no-color"], dir, location);
    return dir;
  }

  private run(args: string[], cwd: string, location: StateLocation): string {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!NON_HERMETIC_ENV.test(key)) env[key] = value;
    const result = spawnSync(this.terraform, args, {
      cwd,
      env: { ...env, ...this.options.env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
    if (result.error) {
      throw new Error(`cannot run ${this.terraform} (${result.error.message}); put Terraform on PATH or set TERRAFORM_BIN.`);
    }
    if (result.status !== 0) {
      throw new Error(
        `terraform ${args.join(" ")} for ${describeLocation(location)} failed (exit ${result.status}):\n${(result.stderr || result.stdout).trim()}`,
      );
    }
    return result.stdout;
  }
}
