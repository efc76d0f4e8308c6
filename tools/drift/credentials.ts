import { existsSync, readFileSync } from "fs";
import { homedir } from "os";
import * as path from "path";

/** Where AWS credentials were found, in words for the operator. */
export interface CredentialSource {
  readonly kind: "environment" | "web-identity" | "container" | "profile" | "instance-role";
  readonly description: string;
}

export interface CredentialCheck {
  /** The first source the AWS SDK's default chain (which Terraform's AWS provider and S3 backend use) would take. */
  readonly found?: CredentialSource;
  /** Every place looked at, for the explanation when nothing was found. */
  readonly checked: readonly string[];
  /** Half-configured sources, each with its fix: they are the likely reason nothing was found. */
  readonly problems: readonly string[];
}

type Ini = Map<string, Map<string, string>>;

/** A minimal INI reader for the AWS shared files: `[section]`, `key = value`, `#`/`;` comments. */
export function parseIni(text: string): Ini {
  const sections: Ini = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      current = sections.get(section[1]) ?? new Map();
      sections.set(section[1], current);
      continue;
    }
    const eq = line.indexOf("=");
    if (current && eq > 0) current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return sections;
}

function readIni(file: string): Ini | undefined {
  return existsSync(file) ? parseIni(readFileSync(file, "utf8")) : undefined;
}

/** What a profile's settings make of it, or undefined when they give no credentials. */
function profileCredentials(settings: Map<string, string>): string | undefined {
  if (settings.get("aws_access_key_id") && settings.get("aws_secret_access_key")) return "static keys";
  if (settings.get("sso_session") || settings.get("sso_start_url")) return "IAM Identity Center (SSO; run `aws sso login` first if its token expired)";
  if (settings.get("credential_process")) return "credential_process";
  if (settings.get("role_arn") && settings.get("web_identity_token_file")) return "role with web identity";
  if (settings.get("role_arn") && (settings.get("source_profile") || settings.get("credential_source"))) return "assumed role";
  return undefined;
}

/**
 * Looks for AWS credentials the way the AWS SDK's default chain does, without calling AWS:
 * environment keys, the profile (`AWS_PROFILE`, else `default`) in the shared credentials and
 * config files, web identity, and container credentials. An EC2 instance role cannot be seen
 * without asking the instance metadata service, so it counts only when `trustInstanceRole` says so.
 */
export function findAwsCredentials(
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
  options: { readonly trustInstanceRole?: boolean } = {},
): CredentialCheck {
  const checked: string[] = [];
  const problems: string[] = [];
  const set = (name: string) => (env[name] ?? "") !== "";

  checked.push("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  if (set("AWS_ACCESS_KEY_ID") && set("AWS_SECRET_ACCESS_KEY")) {
    return { found: { kind: "environment", description: `AWS_ACCESS_KEY_ID (${set("AWS_SESSION_TOKEN") ? "with a session token" : "static keys"})` }, checked, problems };
  }
  if (set("AWS_ACCESS_KEY_ID") !== set("AWS_SECRET_ACCESS_KEY")) {
    const [given, missing] = set("AWS_ACCESS_KEY_ID") ? ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] : ["AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"];
    problems.push(`${given} is set but ${missing} is not: set both, or neither.`);
  }

  const profileFromEnv = env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE;
  const profile = profileFromEnv || "default";
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, ".aws", "credentials");
  const configFile = env.AWS_CONFIG_FILE || path.join(home, ".aws", "config");
  checked.push(`profile "${profile}" in ${credentialsFile} and ${configFile}`);
  const fromCredentials = readIni(credentialsFile)?.get(profile);
  const fromConfig = readIni(configFile)?.get(profile === "default" ? "default" : `profile ${profile}`);
  if (fromCredentials || fromConfig) {
    const merged = new Map([...(fromConfig ?? []), ...(fromCredentials ?? [])]);
    const what = profileCredentials(merged);
    if (what) return { found: { kind: "profile", description: `profile "${profile}" (${what})` }, checked, problems };
    problems.push(
      `profile "${profile}" exists but has no credentials: give it aws_access_key_id and aws_secret_access_key, ` +
        "sso_session, credential_process, or role_arn with source_profile.",
    );
  } else if (profileFromEnv) {
    problems.push(`AWS_PROFILE=${profileFromEnv} names no profile in ${credentialsFile} or ${configFile}: fix the name or add the profile.`);
  }

  checked.push("AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN");
  if (set("AWS_WEB_IDENTITY_TOKEN_FILE") || set("AWS_ROLE_ARN")) {
    if (!set("AWS_WEB_IDENTITY_TOKEN_FILE") || !set("AWS_ROLE_ARN")) {
      problems.push("web identity needs both AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN.");
    } else if (!existsSync(env.AWS_WEB_IDENTITY_TOKEN_FILE!)) {
      problems.push(`AWS_WEB_IDENTITY_TOKEN_FILE=${env.AWS_WEB_IDENTITY_TOKEN_FILE} does not exist.`);
    } else {
      return { found: { kind: "web-identity", description: `web identity for ${env.AWS_ROLE_ARN}` }, checked, problems };
    }
  }

  checked.push("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI (ECS, CodeBuild)");
  if (set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") || set("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    return { found: { kind: "container", description: "container credentials endpoint" }, checked, problems };
  }

  checked.push("an EC2 instance role (only with --instance-role: it cannot be seen without calling AWS)");
  if (options.trustInstanceRole) {
    return { found: { kind: "instance-role", description: "the EC2 instance role (trusted, not checked)" }, checked, problems };
  }
  return { checked, problems };
}

/** The explanation printed when no credentials were found: what was looked at, what is half set, and how to give them. */
export function explainMissingCredentials(check: CredentialCheck, stack: string): string {
  return [
    `drift: cannot check ${stack}: no AWS credentials found.`,
    "",
    "A drift check reads the real resources and the stack's state in its S3 backend, so it needs",
    "credentials that can read both. Looked for:",
    ...check.checked.map((where) => `  - ${where}`),
    ...(check.problems.length > 0 ? ["", "Half-configured:", ...check.problems.map((p) => `  - ${p}`)] : []),
    "",
    "Give credentials one of these ways, then run it again:",
    "  - export AWS_PROFILE=<profile> (from `aws configure` or `aws configure sso`)",
    "  - export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... [AWS_SESSION_TOKEN=...]",
    "  - in CI, a role by web identity (AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE)",
    "  - on an EC2 instance with a role: npm run drift -- <stack> --instance-role",
    "",
  ].join("\n");
}
