import { execFileSync, spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { findAwsCredentials, parseIni } from "../../tools/drift/credentials";
import { PROJECT_ROOT } from "../../tools/synthesize";
import { findTerraform, terraformEnv, writeCliConfig } from "../../tools/terraform";
import { describeIfTerraform } from "../support/terraform";

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "drift-test-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A home directory with the given `~/.aws/credentials` and `~/.aws/config`. */
function home(name: string, files: { credentials?: string; config?: string } = {}): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, ".aws"), { recursive: true });
  if (files.credentials !== undefined) writeFileSync(path.join(dir, ".aws", "credentials"), files.credentials);
  if (files.config !== undefined) writeFileSync(path.join(dir, ".aws", "config"), files.config);
  return dir;
}

/** The environment of this process without anything that could give AWS credentials. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("AWS_")) env[key] = value;
  return { ...env, ...extra };
}

describe("finding AWS credentials without calling AWS", () => {
  it("finds none in a bare environment and says where it looked", () => {
    const check = findAwsCredentials({}, home("bare"));
    expect(check.found).toBeUndefined();
    expect(check.checked.join("\n")).toMatch(/AWS_ACCESS_KEY_ID.*\n.*profile "default".*\n.*AWS_WEB_IDENTITY_TOKEN_FILE.*\n.*CONTAINER.*\n.*instance role/);
    expect(check.problems).toEqual([]);
  });

  it("takes keys from the environment, and names a half-set pair as the problem", () => {
    expect(findAwsCredentials({ AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "s" }, home("env")).found?.kind).toBe("environment");
    const half = findAwsCredentials({ AWS_ACCESS_KEY_ID: "AKIA" }, home("env-half"));
    expect(half.found).toBeUndefined();
    expect(half.problems).toEqual(["AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither."]);
  });

  it("takes the default profile from the shared credentials file", () => {
    const dir = home("default-profile", { credentials: "[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n" });
    expect(findAwsCredentials({}, dir).found).toEqual({ kind: "profile", description: 'profile "default" (static keys)' });
  });

  it("takes AWS_PROFILE from the config file: SSO, assumed role, credential_process", () => {
    const dir = home("config-profiles", {
      config: [
        "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\n",
        "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = base\n",
        "[profile proc]\ncredential_process = /usr/bin/get-creds\n",
        "[profile empty]\nregion = eu-west-1\n",
      ].join("\n"),
    });
    expect(findAwsCredentials({ AWS_PROFILE: "sso" }, dir).found?.description).toMatch(/profile "sso" \(IAM Identity Center/);
    expect(findAwsCredentials({ AWS_PROFILE: "deploy" }, dir).found?.description).toBe('profile "deploy" (assumed role)');
    expect(findAwsCredentials({ AWS_PROFILE: "proc" }, dir).found?.description).toBe('profile "proc" (credential_process)');
    expect(findAwsCredentials({ AWS_PROFILE: "empty" }, dir).problems[0]).toMatch(/profile "empty" exists but has no credentials/);
    expect(findAwsCredentials({ AWS_PROFILE: "typo" }, dir).problems[0]).toMatch(/AWS_PROFILE=typo names no profile in .*credentials or .*config/);
  });

  it("honours AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE", () => {
    const file = path.join(root, "elsewhere-credentials");
    writeFileSync(file, "[ci]\naws_access_key_id = AKIA\naws_secret_access_key = s\n");
    expect(findAwsCredentials({ AWS_PROFILE: "ci", AWS_SHARED_CREDENTIALS_FILE: file }, home("elsewhere")).found?.kind).toBe("profile");
  });

  it("takes web identity when the token file exists, and says so when it does not", () => {
    const token = path.join(root, "token");
    writeFileSync(token, "jwt");
    const role = "arn:aws:iam::123456789012:role/ci";
    expect(findAwsCredentials({ AWS_WEB_IDENTITY_TOKEN_FILE: token, AWS_ROLE_ARN: role }, home("wi")).found).toEqual({
      kind: "web-identity",
      description: `web identity for ${role}`,
    });
    expect(findAwsCredentials({ AWS_WEB_IDENTITY_TOKEN_FILE: `${token}-missing`, AWS_ROLE_ARN: role }, home("wi-missing")).problems).toEqual([
      `AWS_WEB_IDENTITY_TOKEN_FILE=${token}-missing does not exist.`,
    ]);
  });

  it("takes container credentials, and an instance role only when told to trust it", () => {
    expect(findAwsCredentials({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/x" }, home("ecs")).found?.kind).toBe("container");
    expect(findAwsCredentials({}, home("ec2"), { trustInstanceRole: true }).found?.kind).toBe("instance-role");
  });

  it("reads INI sections, comments and spaced keys", () => {
    const ini = parseIni("# c\n[ profile a ]\n Key = v = w \n; x\n[b]\nk=v\n");
    expect(ini.get("profile a")?.get("key")).toBe("v = w");
    expect(ini.get("b")?.get("k")).toBe("v");
  });
});

/** `npm run drift -- <args>` as a process. */
function drift(env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "scripts", "drift.ts"), ...args], {
    cwd: PROJECT_ROOT,
    env,
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run drift without credentials", () => {
  it("exits 3 and explains what it looked for and how to give credentials", () => {
    const result = drift(cleanEnv({ HOME: home("cli-bare") }), "jitsi-matrix-staging");
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("drift: cannot check jitsi-matrix-staging: no AWS credentials found.");
    expect(result.stderr).toContain("export AWS_PROFILE=<profile>");
  });

  it("exits 1 naming the stacks when the stack does not exist", () => {
    const result = drift(cleanEnv({ HOME: home("cli-typo") }), "jitsi-matrix-stagign");
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/no stack jitsi-matrix-stagign in .*; stacks: .*jitsi-matrix-staging/);
  });
});

describeIfTerraform(
  "npm run drift with credentials: a refresh-only plan against the stack's own backend",
  () => {
    /**
     * A stack whose backend is a local state applied here, as a real stack's S3 state would be
     * there. Its output stands in for a real resource: refresh-only plans report a difference
     * between state and reality in outputs as drift too.
     */
    function appliedStack(name: string, stateOutput: string, configOutput: string): string {
      const state = path.join(root, `${name}.tfstate`);
      const applied = path.join(root, `${name}-applied`);
      mkdirSync(applied);
      const config = (value: string) => ({ terraform: { backend: { local: { path: state } } }, output: { version: { value } } });
      writeFileSync(path.join(applied, "main.tf.json"), JSON.stringify(config(stateOutput)));
      const env = terraformEnv(writeCliConfig(applied));
      for (const args of [["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]]) {
        execFileSync(findTerraform()!, args, { cwd: applied, env, stdio: "pipe" });
      }
      const synth = path.join(root, `${name}-synth`);
      mkdirSync(path.join(synth, "stacks", "app"), { recursive: true });
      writeFileSync(path.join(synth, "stacks", "app", "cdk.tf.json"), JSON.stringify(config(configOutput)));
      return synth;
    }
    const withKeys = () => cleanEnv({ HOME: home("cli-keys"), AWS_ACCESS_KEY_ID: "AKIAOFFLINE", AWS_SECRET_ACCESS_KEY: "offline" });

    it("exits 0 when state and reality agree", () => {
      const result = drift(withKeys(), "app", "--synth-dir", appliedStack("same", "1", "1"));
      expect(result.stdout).toContain("drift: checking app with AWS credentials from AWS_ACCESS_KEY_ID (static keys).");
      expect(result.stdout).toContain("drift: none.");
      expect(result.status).toBe(0);
    });

    it("exits 2 and says what to do when they differ", () => {
      const result = drift(withKeys(), "app", "--synth-dir", appliedStack("differs", "1", "2"));
      expect(result.stdout).toMatch(/version = "1" -> "2"/);
      expect(result.stdout).toContain("drift: found in app");
      expect(result.status).toBe(2);
    });
  },
  [],
);
