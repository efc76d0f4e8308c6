/**
 * What the AWS provider (5.100.0, the real binary from the mirror) sends to SSM when a write-only parameter of
 * `secrets-<env>` changes, applied against an SSM endpoint on loopback (`FakeSsm`): the path README's "Rotating a
 * password" and docs/operations-options.md's encryption key switch rely on, which no plan shows.
 *
 * The parameter is the one `SecretParameters` synthesizes; only its value's source differs: an ephemeral input
 * variable instead of the ephemeral `random_password`, whose provider cannot be installed here. Both are ephemeral
 * values, which is all `value_wo` sees.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SecretParameters } from "../../src/modules/secret-parameters";
import { plannedChanges } from "../../tools/review/plan-changes";
import { renderText } from "../../tools/review/render";
import { Review, reviewExitCode } from "../../tools/review/review";
import { writeJson } from "../../tools/terraform/files";
import { runTerraform } from "../../tools/terraform/run";
import { FakeSsm } from "../support/fake-ssm";
import { synthConstructs } from "../support/synth";
import { describeIfTerraform, findPluginMirror, PlanJson, PROVIDER_VERSIONS, terraformEnv, TerraformError, writeCliConfig } from "../support/terraform";

const NAME = "/jitsi-matrix/staging/JVB_AUTH_PASSWORD";
const KEY = "alias/jitsi-matrix-staging";

/** The parameter's resource block as the construct synthesizes it for `keyId` and `version`. */
function parameterBlock(version: number, keyId?: string): Record<string, unknown> {
  const { json } = synthConstructs(
    (scope) => new SecretParameters(scope, "secret", { environmentName: "staging", versions: { JVB_AUTH_PASSWORD: version } as never, secrets: ["JVB_AUTH_PASSWORD"], keyId }),
  );
  const { "//": _metadata, ...block } = json.resource!.aws_ssm_parameter.secret_JVB_AUTH_PASSWORD;
  expect(block.value_wo).toBe("${ephemeral.random_password.secret_JVB_AUTH_PASSWORD_value.result}");
  return { ...block, value_wo: "${var.password}" };
}

describeIfTerraform("a write-only secret parameter updated by the real AWS provider", () => {
  let ssm: FakeSsm;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const terraform = (args: string[], password: string) =>
    runTerraform(args, { cwd: dir, env: { ...env, TF_VAR_password: password }, timeoutMs: 5 * 60_000 });
  const configure = (version: number, keyId?: string) =>
    writeJson(path.join(dir, "main.tf.json"), {
      terraform: { required_providers: { aws: { source: "hashicorp/aws", version: PROVIDER_VERSIONS["hashicorp/aws"] } } },
      provider: {
        aws: [
          {
            region: "eu-west-1",
            access_key: "AKIAOFFLINETESTING00",
            secret_key: "offline-testing-secret-key",
            skip_credentials_validation: true,
            skip_requesting_account_id: true,
            skip_metadata_api_check: true,
            skip_region_validation: true,
            max_retries: 1,
            endpoints: [{ ssm: ssm.endpoint }],
          },
        ],
      },
      variable: { password: { type: "string", ephemeral: true, sensitive: true } },
      resource: { aws_ssm_parameter: { secret_JVB_AUTH_PASSWORD: parameterBlock(version, keyId) } },
    });
  /** Applies the saved plan `planFile`, or plans and applies at once; an ephemeral value must be given to both. */
  const apply = (password: string, planFile?: string) =>
    terraform(["apply", "-auto-approve", "-input=false", "-no-color", "-lock=false", ...(planFile ? [planFile] : [])], password);

  beforeAll(async () => {
    ssm = await FakeSsm.start();
    dir = mkdtempSync(path.join(tmpdir(), "secret-parameter-updates-"));
    env = terraformEnv(writeCliConfig(dir, findPluginMirror()));
    configure(1);
    await terraform(["init", "-input=false", "-no-color"], "unused");
    await apply("first-value");
  }, 300_000);

  afterAll(async () => {
    await ssm?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes the ephemeral value at create, and keeps it out of the state", async () => {
    expect(ssm.puts.map((put) => ({ Name: put.Name, Value: put.Value, KeyId: put.KeyId }))).toEqual([{ Name: NAME, Value: "first-value", KeyId: undefined }]);
    const state = await terraform(["show", "-json", "-no-color"], "unused");
    expect(state).not.toContain("first-value");
    expect(state).toContain('"has_value_wo":true');
  });

  it("fails to switch the key on at the same version: the provider sends the stored value, empty, and SSM refuses it", async () => {
    configure(1, KEY);
    ssm.puts.length = 0;
    // What npm run review reads in the plan, before anything is sent.
    await terraform(["plan", "-input=false", "-no-color", "-lock=false", "-out=key.tfplan"], "second-value");
    const plan = JSON.parse(await terraform(["show", "-json", "key.tfplan"], "unused")) as PlanJson;
    const [change] = plannedChanges(plan);
    expect(change).toMatchObject({ address: "aws_ssm_parameter.secret_JVB_AUTH_PASSWORD", kind: "update", changedAttributes: expect.arrayContaining(["key_id"]) });
    expect(change.failsAtApply).toMatch(/^updates key_id of a write-only parameter at the same value_wo_version, .*; raise the secret's version/);
    // As npm run review reports it: a line of its verdict, and exit 1.
    const { after: _after, afterUnknown: _unknown, fingerprint: _fingerprint, ...reviewed } = change;
    const stack = { stack: "secrets-staging", status: "changed" as const, stateSource: "file" as const, comparedWithBase: false, changes: [{ ...reviewed, alteredAttributes: [], introducesDestruction: false }], pending: [], notes: [] };
    const review: Review = { stacks: [stack], unchanged: [], blocking: [], unusedAllowPatterns: [], applyFailures: [{ stack: "secrets-staging", address: change.address, reason: change.failsAtApply! }] };
    expect(reviewExitCode(review)).toBe(1);
    expect(renderText(review, { base: "main", head: "working tree" })).toContain(
      `WOULD FAIL AT APPLY: 1 change(s) the plan accepts and AWS refuses:\n  secrets-staging:aws_ssm_parameter.secret_JVB_AUTH_PASSWORD updates key_id`,
    );

    const failure = await apply("second-value", "key.tfplan").then(
      () => undefined,
      (error: TerraformError) => error,
    );
    expect(failure).toBeInstanceOf(TerraformError);
    expect(failure!.stderr).toMatch(/updating SSM Parameter \(\/jitsi-matrix\/staging\/JVB_AUTH_PASSWORD\).*ValidationException/s);
    expect(ssm.puts).toEqual([expect.objectContaining({ Name: NAME, Value: "", KeyId: KEY, Overwrite: true })]);
    expect(ssm.parameter(NAME)).toMatchObject({ value: "first-value", keyId: "alias/aws/ssm", version: 1 });
  });

  it("switches the key on with a new version: one write of the new value under the key, which the review lets pass", async () => {
    configure(2, KEY);
    ssm.puts.length = 0;
    await terraform(["plan", "-input=false", "-no-color", "-lock=false", "-out=rotate.tfplan"], "second-value");
    const [change] = plannedChanges(JSON.parse(await terraform(["show", "-json", "rotate.tfplan"], "unused")) as PlanJson);
    expect(change).toMatchObject({ kind: "update", changedAttributes: expect.arrayContaining(["key_id", "value_wo_version"]) });
    expect(change.failsAtApply).toBeUndefined();

    await apply("second-value", "rotate.tfplan");
    expect(ssm.puts).toEqual([expect.objectContaining({ Name: NAME, Value: "second-value", KeyId: KEY, Overwrite: true })]);
    expect(ssm.parameter(NAME)).toMatchObject({ value: "second-value", keyId: KEY, version: 2 });
  });

  it("changes nothing at the next apply, whatever the ephemeral value then is", async () => {
    ssm.puts.length = 0;
    await apply("third-value");
    expect(ssm.puts).toEqual([]);
    expect(ssm.parameter(NAME)).toMatchObject({ value: "second-value" });
  });
});
