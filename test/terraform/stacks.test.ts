import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { ENVIRONMENTS } from "../../src/environments";
import { ECS_OPTIMIZED_IMAGE } from "../../src/modules/ecs-launch-template";
import { stackNames, synthesizeTo } from "../../src/synthesize";
import {
  describeIfTerraform,
  PlanJson,
  providerAvailable,
  resourceChanges,
  TerraformWorkdir,
  writeOutputsState,
} from "../support/terraform";
import { addressesOf, StackJson } from "../support/synth";

/** A synthesized app in a temp dir, with an optional cdktf context. */
function synth(context?: Record<string, unknown>): string {
  const outdir = mkdtempSync(path.join(tmpdir(), "stacks-synth-"));
  const env = context ? { ...process.env, CDKTF_CONTEXT_JSON: JSON.stringify(context) } : process.env;
  const result = synthesizeTo(outdir, env);
  if (!result.ok) throw new Error(`synth failed:\n${result.stderr}`);
  return outdir;
}

const stackDir = (outdir: string, stack: string) => path.join(outdir, "stacks", stack);
const stackJson = (outdir: string, stack: string) => JSON.parse(readFileSync(path.join(stackDir(outdir, stack), "cdk.tf.json"), "utf8")) as StackJson;

/**
 * The state networking-<env> leaves after its first apply, as far as
 * terraform_remote_state reads it: the root outputs, with made-up subnet IDs.
 */
function networkingOutputsState(outdir: string, environmentName: string, file: string): void {
  const json = JSON.parse(readFileSync(path.join(stackDir(outdir, `networking-${environmentName}`), "cdk.tf.json"), "utf8"));
  const subnetIds = Object.keys(json.resource.aws_subnet).map((name, i) => [name, `subnet-0000000000000000${i}`]);
  const idOf = (expression: string) => subnetIds.find(([name]) => expression.includes(`aws_subnet.${name}.`))![1];
  const outputs: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(json.output as Record<string, { value: string | string[] }>)) {
    outputs[name] = Array.isArray(output.value) ? output.value.map(idOf) : idOf(output.value);
  }
  writeOutputsState(file, outputs);
}

async function planStack(dir: string, remoteState?: string): Promise<PlanJson> {
  const workdir = new TerraformWorkdir(dir, { remoteState });
  try {
    await workdir.init();
    await workdir.validate();
    return await workdir.plan();
  } finally {
    workdir.dispose();
  }
}

const createsOnly = (plan: PlanJson) => resourceChanges(plan).every((change) => change.actions.join() === "create");
const afterOf = (plan: PlanJson, address: string) => resourceChanges(plan).find((c) => c.address === address)?.after as Record<string, unknown>;

describeIfTerraform("every stack, validated and planned offline from an empty state", () => {
  let outdir: string;
  let scratch: string;
  beforeAll(() => {
    outdir = synth();
    scratch = mkdtempSync(path.join(tmpdir(), "stacks-scratch-"));
  });
  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it("synthesizes the three stacks of every environment and the shared state-backend stack", () => {
    expect(stackNames(outdir)).toEqual(
      ["state-backend", ...ENVIRONMENTS.flatMap((e) => [`jitsi-matrix-${e.name}`, `networking-${e.name}`, `secrets-${e.name}`])].sort(),
    );
  });

  describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))("%s", (name, environment) => {
    it(`networking-${name} creates the subnets`, async () => {
      const plan = await planStack(stackDir(outdir, `networking-${name}`));
      expect(createsOnly(plan)).toBe(true);
      expect(resourceChanges(plan).map((c) => (c.after as { cidr_block: string }).cidr_block)).toEqual(
        environment.network.subnets.map((s) => s.cidrBlock),
      );
    });

    let jitsiMatrixPlan: PlanJson;
    it(`jitsi-matrix-${name} plans against networking's outputs and creates the platform`, async () => {
      const networkingState = path.join(scratch, `networking-${name}.tfstate`);
      networkingOutputsState(outdir, name, networkingState);
      const plan = (jitsiMatrixPlan = await planStack(stackDir(outdir, `jitsi-matrix-${name}`), networkingState));
      expect(createsOnly(plan)).toBe(true);
      // Every resource the stack declares: the legacy set and the secrets wiring, and what the environment's options add.
      expect(resourceChanges(plan).map((c) => c.address).sort()).toEqual(addressesOf(stackJson(outdir, `jitsi-matrix-${name}`)));
      if (environment.legacy !== undefined) expect(resourceChanges(plan)).toHaveLength(30);
      expect(afterOf(plan, "aws_autoscaling_group.capacity_group")).toMatchObject({
        name: environment.capacity.autoScalingGroupName,
        vpc_zone_identifier: ["subnet-00000000000000000", "subnet-00000000000000001"],
      });
      expect(afterOf(plan, "aws_lb.load_balancer")).toMatchObject({ name: environment.loadBalancer.name, tags_all: environment.tags });
      expect(plan.configuration).not.toHaveProperty("provider_config.random");
    });

    // A new environment's defaults, as Terraform plans them: the operations options all on.
    if (environment.legacy === undefined) {
      it(`jitsi-matrix-${name}, with every operations default, plans the launch template, logs, alarms, scaling, the JVB daemon and backups`, () => {
        const plan = jitsiMatrixPlan;
        const ofType = (type: string) => resourceChanges(plan).filter((c) => c.type === type);
        expect(ofType("aws_launch_configuration")).toEqual([]);
        expect(afterOf(plan, "aws_launch_template.capacity_launch_template")).toMatchObject({
          image_id: ECS_OPTIMIZED_IMAGE,
          metadata_options: [expect.objectContaining({ http_tokens: "required" })],
        });
        expect(ofType("aws_cloudwatch_log_group").map((c) => (c.after as { retention_in_days: number }).retention_in_days)).toEqual([30, 30, 30]);
        expect(ofType("aws_sns_topic_subscription").map((c) => (c.after as { endpoint: string }).endpoint)).toEqual(environment.alarms?.emailAddresses);
        expect(afterOf(plan, "aws_ecs_capacity_provider.scaling_provider")).toMatchObject({ name: environment.capacity.autoScalingGroupName });
        expect(afterOf(plan, "aws_ecs_service.jvb_service")).toMatchObject({ scheduling_strategy: "DAEMON", launch_type: "EC2" });
        expect(afterOf(plan, "aws_lb.xmpp")).toMatchObject({ load_balancer_type: "network", internal: true, subnets: expect.arrayContaining(["subnet-00000000000000000"]) });
        expect(afterOf(plan, "aws_backup_plan.backup_plan")).toMatchObject({ rule: [expect.objectContaining({ lifecycle: [expect.objectContaining({ delete_after: 7 })] })] });
      });
    }
  });

  it("jitsi-matrix-staging with postgresUpgrade on plans the postgres-upgrade task and service instead of matrix", async () => {
    const upgradeOutdir = synth({ postgresUpgrade: true });
    try {
      const networkingState = path.join(scratch, "networking-staging-upgrade.tfstate");
      networkingOutputsState(upgradeOutdir, "staging", networkingState);
      const plan = await planStack(stackDir(upgradeOutdir, "jitsi-matrix-staging"), networkingState);
      const services = resourceChanges(plan)
        .filter((c) => c.type === "aws_ecs_service")
        .map((c) => (c.after as { name: string }).name)
        .sort();
      expect(services).toEqual(["jitsi-service-staging", "postgres-upgrade-service"]);
    } finally {
      rmSync(upgradeOutdir, { recursive: true, force: true });
    }
  });
});

const randomMissing = !providerAvailable("hashicorp/random");
(randomMissing ? describe.skip : describe)("the secrets stacks, validated by Terraform", () => {
  it.each(ENVIRONMENTS.map((e) => e.name))("secrets-%s is valid", async (name) => {
    const outdir = synth();
    const workdir = new TerraformWorkdir(stackDir(outdir, `secrets-${name}`));
    try {
      await workdir.init();
      await workdir.validate();
    } finally {
      workdir.dispose();
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
if (randomMissing) {
  console.warn(
    "SKIPPED: terraform validate of the secrets-<env> stacks: the hashicorp/random provider is not in this machine's " +
      "plugin mirror and there is no registry access, so `terraform init` cannot install it. Their JSON is still checked " +
      "by the unit tests; run these on a machine with the random provider.",
  );
}
