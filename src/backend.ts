import { readFileSync } from "fs";
import * as path from "path";

/** The S3 backend settings every stack shares, as `backend.tf.json` holds them. */
export interface S3BackendSettings {
  readonly bucket: string;
  readonly region: string;
  readonly encrypt: boolean;
  /** DynamoDB lock table. @default - no table */
  readonly dynamodb_table?: string;
  /** S3's native lock file (Terraform 1.11+). @default false */
  readonly use_lockfile?: boolean;
  /**
   * The alias of the state's own KMS key (`alias/...`), which the `state-backend` stack creates and every state is
   * written under. @default - SSE-S3
   */
  readonly kms_key_id?: string;
}

/** `backend.tf.json` at the project's top level. */
export const BACKEND_FILE = path.join(__dirname, "..", "backend.tf.json");

const KNOWN_SETTINGS = new Set(["bucket", "region", "encrypt", "dynamodb_table", "use_lockfile", "kms_key_id"]);

/** Reads and checks `backend.tf.json`: `{ "terraform": { "backend": { "s3": { ... } } } }`. */
export function readBackendSettings(file: string = BACKEND_FILE): S3BackendSettings {
  const where = path.basename(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${where}: cannot read it as JSON (${(error as Error).message}); fix the file.`);
  }
  const s3 = (parsed as { terraform?: { backend?: { s3?: Record<string, unknown> } } })?.terraform?.backend?.s3;
  if (s3 === undefined || typeof s3 !== "object" || s3 === null) {
    throw new Error(`${where}: terraform.backend.s3 is missing; the stacks share one S3 backend, give its settings there.`);
  }
  const problems: string[] = [];
  for (const key of Object.keys(s3)) {
    if (!KNOWN_SETTINGS.has(key)) {
      problems.push(`terraform.backend.s3.${key}: not a setting this project passes on; use ${[...KNOWN_SETTINGS].join(", ")}`);
    }
  }
  for (const key of ["bucket", "region"]) {
    if (typeof s3[key] !== "string" || s3[key] === "") {
      problems.push(`terraform.backend.s3.${key}: must be a non-empty string, got ${JSON.stringify(s3[key])}`);
    }
  }
  if (typeof s3.encrypt !== "boolean") {
    problems.push(`terraform.backend.s3.encrypt: must be true or false, got ${JSON.stringify(s3.encrypt)}`);
  }
  if (s3.dynamodb_table !== undefined && typeof s3.dynamodb_table !== "string") {
    problems.push(`terraform.backend.s3.dynamodb_table: must be a table name, got ${JSON.stringify(s3.dynamodb_table)}`);
  }
  if (s3.use_lockfile !== undefined && typeof s3.use_lockfile !== "boolean") {
    problems.push(`terraform.backend.s3.use_lockfile: must be true or false, got ${JSON.stringify(s3.use_lockfile)}`);
  }
  if (s3.kms_key_id !== undefined && (typeof s3.kms_key_id !== "string" || !/^alias\/[A-Za-z0-9/_-]+$/.test(s3.kms_key_id) || s3.kms_key_id.startsWith("alias/aws/"))) {
    problems.push(
      `terraform.backend.s3.kms_key_id: must name the alias the state-backend stack creates, e.g. "alias/terraform-state", got ${JSON.stringify(s3.kms_key_id)}`,
    );
  }
  if (problems.length > 0) {
    throw new Error(`${where} has ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`);
  }
  return s3 as unknown as S3BackendSettings;
}

/** The kinds of stack an environment has. */
export type StackKind = "networking" | "secrets" | "jitsi-matrix";

/**
 * State key of a stack. `jitsi-matrix` keeps the legacy key without its
 * leading slash (Terraform 1.6+ refuses keys starting with `/`); the others
 * sit beside it.
 */
export function stateKey(kind: StackKind, environmentName: string): string {
  const folder = `jitsi_matrix/${environmentName}`;
  return kind === "jitsi-matrix" ? `${folder}/terraform.tfstate` : `${folder}/${kind}.tfstate`;
}
