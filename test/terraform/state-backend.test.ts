import { App } from "cdktf";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { readBackendSettings, S3BackendSettings, stateKey } from "../../src/backend";
import { PARSED_ENVIRONMENTS as ENVIRONMENTS } from "../support/environments";
import { NetworkingStack } from "../../src/stacks/networking-stack";
import { STATE_BACKEND_STACK_NAME, STATE_BACKEND_TAGS } from "../../src/stacks/state-backend-stack";
import { synthesizeTo } from "../../tools/synthesize";
import { FakeS3 } from "../support/fake-s3";
import { describeIfTerraform, findTerraform, PlanJson, resourceChanges, TerraformWorkdir, validatedPlan, writeOutputsState } from "../support/terraform";

const stackDir = (outdir: string, stack: string) => path.join(outdir, "stacks", stack);

const initValidatePlan = (dir: string): Promise<PlanJson> => validatedPlan(dir);

/** Planned values of each created resource, keyed by address. */
function createdResources(plan: PlanJson): Record<string, Record<string, unknown>> {
  const changes = resourceChanges(plan);
  expect(changes.every((change) => change.actions.join() === "create")).toBe(true);
  return Object.fromEntries(changes.map((change) => [change.address, change.after as Record<string, unknown>]));
}

describeIfTerraform("the state-backend stack, validated and planned offline from an empty state", () => {
  it("as main.ts synthesizes it from backend.tf.json: the protected bucket and, when named, the lock table", async () => {
    const settings = readBackendSettings();
    const outdir = mkdtempSync(path.join(tmpdir(), "state-backend-synth-"));
    try {
      const synth = synthesizeTo(outdir);
      if (!synth.ok) throw new Error(`synth failed:\n${synth.stderr}`);
      const created = createdResources(await initValidatePlan(stackDir(outdir, STATE_BACKEND_STACK_NAME)));

      expect(created["aws_s3_bucket.state_bucket"]).toMatchObject({ bucket: settings.bucket, tags_all: STATE_BACKEND_TAGS });
      expect(created["aws_s3_bucket_versioning.state_bucket_versioning"]).toMatchObject({
        versioning_configuration: [{ status: "Enabled" }],
      });
      // Under the states' own key when backend.tf.json names its alias, as the checked-in one does.
      expect(created["aws_s3_bucket_server_side_encryption_configuration.state_bucket_encryption"]).toMatchObject({
        rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: settings.kms_key_id === undefined ? "AES256" : "aws:kms" }] }],
      });
      if (settings.kms_key_id !== undefined) {
        expect(created["aws_kms_alias.state_key_alias"]).toMatchObject({ name: settings.kms_key_id });
        expect(created["aws_kms_key.state_key"]).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
      }
      expect(created["aws_s3_bucket_public_access_block.state_bucket_public_access_block"]).toEqual(
        expect.objectContaining({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true }),
      );
      expect(created["aws_s3_bucket_ownership_controls.state_bucket_ownership"]).toMatchObject({
        rule: [{ object_ownership: "BucketOwnerEnforced" }],
      });
      expect(created).toHaveProperty(["aws_s3_bucket_policy.state_bucket_tls_only"]);
      // Old state versions (whatever a state once held) expire; the newest ten always stay.
      expect(created["aws_s3_bucket_lifecycle_configuration.state_bucket_lifecycle"]).toMatchObject({
        rule: [{ status: "Enabled", noncurrent_version_expiration: [{ noncurrent_days: 90, newer_noncurrent_versions: 10 }] }],
      });
      if (settings.dynamodb_table !== undefined) {
        expect(created["aws_dynamodb_table.lock_table"]).toMatchObject({
          name: settings.dynamodb_table,
          billing_mode: "PAY_PER_REQUEST",
          hash_key: "LockID",
          attribute: [{ name: "LockID", type: "S" }],
          point_in_time_recovery: [{ enabled: true }],
          tags_all: STATE_BACKEND_TAGS,
        });
      }
      // Its access logs: logging into the bucket beside it, which expires each log after 90 days.
      expect(created["aws_s3_bucket_logging.state_bucket_logging"]).toMatchObject({ target_bucket: `${settings.bucket}-access-logs`, target_prefix: "state-bucket/" });
      expect(created["aws_s3_bucket_lifecycle_configuration.access_logs_lifecycle"]).toMatchObject({ rule: [{ status: "Enabled", expiration: [expect.objectContaining({ days: 90 })] }] });
      expect(created["aws_s3_bucket_server_side_encryption_configuration.access_logs_encryption"]).toMatchObject({
        rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: "AES256" }] }],
      });
      // State bucket: 7 resources, its logging 1, the log bucket 6, the key and its alias 2, the table 1.
      expect(Object.keys(created)).toHaveLength(14 + (settings.kms_key_id === undefined ? 0 : 2) + (settings.dynamodb_table === undefined ? 0 : 1));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
  // Without a table (use_lockfile) the stack is this one minus the table: test/stacks/state-backend-stack.test.ts.
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Asynchronous on purpose: the fake S3 answers on this process's event loop. */
function terraform(args: string[], cwd: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(TF_|AWS_)/.test(key)) env[key] = value;
  Object.assign(env, { TF_CLI_CONFIG_FILE: path.join(cwd, "terraform.tfrc"), TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" });
  return new Promise((resolve) =>
    execFile(findTerraform()!, args, { cwd, env, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    ),
  );
}

describeIfTerraform("an environment stack's S3 backend with use_lockfile, run by real Terraform against a fake S3", () => {
  const environment = ENVIRONMENTS[0];
  const backend: S3BackendSettings = { bucket: "terraform-state-bucket", region: environment.region, encrypt: true, use_lockfile: true };
  const key = stateKey("networking", environment.name);
  let outdir: string;
  let workdir: TerraformWorkdir;
  let s3: FakeS3;

  beforeAll(async () => {
    outdir = mkdtempSync(path.join(tmpdir(), "lockfile-backend-"));
    const app = new App({ outdir });
    new NetworkingStack(app, { environment, backend });
    app.synth();
    s3 = await FakeS3.start();
    // The harness installs the providers (under its init lock); the backend is then switched back to the stack's own S3 one.
    workdir = new TerraformWorkdir(stackDir(outdir, `networking-${environment.name}`));
    await workdir.init();
    rmSync(path.join(workdir.dir, "zz_backend_override.tf.json"));
    const init = await terraform(["init", "-reconfigure", "-input=false", "-no-color", `-backend-config=${s3.writeBackendConfig(workdir.dir)}`], workdir.dir);
    if (init.code !== 0) throw new Error(`terraform init with the S3 backend failed:\n${init.stderr}\n${init.stdout}`);
  });
  afterAll(async () => {
    workdir?.dispose();
    await s3?.close();
    rmSync(outdir, { recursive: true, force: true });
  });

  it("synthesizes the backend with use_lockfile and without a table", () => {
    const json = JSON.parse(readFileSync(path.join(workdir.dir, "cdk.tf.json"), "utf8"));
    expect(json.terraform.backend).toEqual({ s3: { bucket: backend.bucket, region: backend.region, encrypt: true, key, use_lockfile: true } });
  });

  it("initializes and validates with that backend", async () => {
    await workdir.validate();
    expect(s3.requests.some((request) => request.method === "GET" && request.bucket === backend.bucket)).toBe(true);
  });

  it("locks with an encrypted <key>.tflock written only if absent, writes the state, then removes the lock", async () => {
    const stateFile = path.join(workdir.dir, "pushed.tfstate");
    writeOutputsState(stateFile, { marker: "lockfile-test" });
    s3.requests.length = 0;
    const push = await terraform(["state", "push", "-lock-timeout=0s", stateFile], workdir.dir);
    expect(push).toMatchObject({ code: 0 });

    const lockWrite = s3.requests.find((request) => request.method === "PUT" && request.key === `${key}.tflock`);
    expect(lockWrite?.headers).toMatchObject({ "if-none-match": "*", "x-amz-server-side-encryption": "AES256" });
    const stateWrite = s3.requests.findIndex((request) => request.method === "PUT" && request.key === key);
    const unlock = s3.requests.findIndex((request) => request.method === "DELETE" && request.key === `${key}.tflock`);
    expect(s3.requests.indexOf(lockWrite!)).toBeLessThan(stateWrite);
    expect(stateWrite).toBeLessThan(unlock);
    expect(JSON.parse(s3.objects.get(`${backend.bucket}/${key}`)!.toString()).outputs.marker.value).toBe("lockfile-test");
    expect(s3.objects.has(`${backend.bucket}/${key}.tflock`)).toBe(false);
  });

  it("refuses to touch the state while another run's lock file is there", async () => {
    const before = s3.objects.get(`${backend.bucket}/${key}`);
    s3.objects.set(`${backend.bucket}/${key}.tflock`, Buffer.from(JSON.stringify({ ID: "someone-else", Operation: "OperationTypeApply" })));
    const stateFile = path.join(workdir.dir, "second.tfstate");
    writeOutputsState(stateFile, { marker: "must-not-land" });
    const push = await terraform(["state", "push", "-force", "-lock-timeout=0s", stateFile], workdir.dir);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/Error acquiring the state lock/);
    expect(s3.objects.get(`${backend.bucket}/${key}`)).toBe(before);
  });
});
