/**
 * The plans docs/moving-to-rds.md tells the operator to expect, planned by real Terraform and compared with the
 * doc's own table: staging from its adopted legacy state (every option off), dev from the state its configuration
 * with Synapse's database in the container leaves (every option on, the state synthesized as `npm run review` does).
 * Each step is planned against the same state as the step before, so its row is what it changes beyond that step.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { formatState, parseState } from "../../tools/adoption/state-file";
import { EnvironmentInput, parseEnvironment } from "../../src/environments";
import { dev } from "../../src/environments/dev";
import { staging } from "../../src/environments/staging";
import { providerSchemas, providersKey, syntheticState } from "../../tools/review/synthetic-state";
import { CHECKED_IN_OUTDIR, PROJECT_ROOT, STACK_FILE } from "../../tools/synthesize";
import { synthEnvironment } from "../environments/synth-environment";
import { adoptedStagingStates } from "../support/legacy-states";
import { Changes, planDifference, readChangesTable } from "../support/option-plans";
import { writeNetworkingOutputs } from "../support/networking-outputs";
import { describeIfTerraform, PlanJson, TerraformState, TerraformWorkdir } from "../support/terraform";

const DOC = path.join(PROJECT_ROOT, "docs", "moving-to-rds.md");
type Json = Record<string, any>;

/** The environment at each step of the runbook, from the settings an operator writes. */
const onContainer = (env: EnvironmentInput): EnvironmentInput => ({ ...env, rds: { enabled: false }, matrix: { ...env.matrix, database: "container" } });
const withInstance = (env: EnvironmentInput): EnvironmentInput => ({ ...env, rds: { enabled: true }, matrix: { ...env.matrix, database: "container" } });
const onRds = (env: EnvironmentInput): EnvironmentInput => ({ ...env, rds: { enabled: true }, matrix: { ...env.matrix, database: "rds" } });

/** The state with the matrix service stopped, as step 3's `aws ecs update-service --desired-count 0` leaves it. */
function stopped(state: string): string {
  const copy = parseState(state, "state") as unknown as Json;
  const service = (copy.resources as Json[]).find((r) => `${r.type}.${r.name}` === "aws_ecs_service.matrix_service");
  service!.instances[0].attributes.desired_count = 0;
  return formatState(copy as unknown as TerraformState as never);
}

/** One environment's jitsi-matrix stack in one workdir, planned with any configuration against any state. */
async function planner(scratch: string, name: string, stackDir: string, remoteState: string) {
  const statePath = path.join(scratch, `${name}.tfstate`);
  writeFileSync(statePath, "");
  const workdir = new TerraformWorkdir(stackDir, { statePath, remoteState });
  await workdir.init();
  const config = (env: EnvironmentInput) =>
    synthEnvironment(parseEnvironment(env, { onWarning: () => undefined })).find((stack) => stack.name === `jitsi-matrix-${name}`)!.json as Json;
  const plan = async (env: EnvironmentInput, state: string): Promise<PlanJson> => {
    writeFileSync(path.join(workdir.dir, STACK_FILE), JSON.stringify(config(env)));
    writeFileSync(statePath, state);
    return workdir.plan();
  };
  const appliedState = async (env: EnvironmentInput): Promise<string> => {
    const planned = await plan(env, "");
    const schemas = await providerSchemas(providersKey(config(env), planned), workdir.dir);
    return JSON.stringify(syntheticState(planned, schemas, config(env)), null, 2);
  };
  return { plan, appliedState, dispose: () => workdir.dispose() };
}

describeIfTerraform("the plans of docs/moving-to-rds.md, planned by real Terraform", () => {
  const table = readChangesTable(DOC, "## What each plan must show", 2, 0, 2);
  const planned = new Map<string, Changes>();
  let scratch: string;

  /** Step 1 against the state before it; step 5 against the same state with Matrix stopped. */
  async function planSteps(name: string, env: EnvironmentInput, p: Awaited<ReturnType<typeof planner>>, state: string): Promise<void> {
    planned.set(`instance (step 1) | ${name}`, planDifference(await p.plan(onContainer(env), state), await p.plan(withInstance(env), state)));
    const down = stopped(state);
    planned.set(`Synapse on RDS (step 5) | ${name}`, planDifference(await p.plan(withInstance(env), down), await p.plan(onRds(env), down)));
  }

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "moving-to-rds-"));
    const adopted = adoptedStagingStates(path.join(scratch, "staging"));
    const stagingPlanner = await planner(scratch, "staging", path.join(CHECKED_IN_OUTDIR, "stacks", "jitsi-matrix-staging"), adopted.networking);
    try {
      await planSteps("staging", staging, stagingPlanner, readFileSync(adopted.jitsiMatrix, "utf8"));
    } finally {
      stagingPlanner.dispose();
    }

    const devEnvironment = parseEnvironment(dev, { onWarning: () => undefined });
    const devNetworking = path.join(scratch, "networking-dev.tfstate");
    writeNetworkingOutputs(synthEnvironment(devEnvironment).find((stack) => stack.name === "networking-dev")!.json, devNetworking);
    const devPlanner = await planner(scratch, "dev", path.join(CHECKED_IN_OUTDIR, "stacks", "jitsi-matrix-dev"), devNetworking);
    try {
      await planSteps("dev", dev, devPlanner, await devPlanner.appliedState(onContainer(dev)));
    } finally {
      devPlanner.dispose();
    }
  });
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("has a row in the doc for every plan checked here, and no other", () => {
    expect([...table.keys()].sort()).toEqual([...planned.keys()].sort());
  });

  it.each(["instance (step 1) | staging", "instance (step 1) | dev", "Synapse on RDS (step 5) | staging", "Synapse on RDS (step 5) | dev"])(
    "%s plans exactly the doc's row",
    (row) => {
      expect(planned.get(row)).toEqual(table.get(row)?.changes);
    },
  );

  it("creates the instance beside the container, and moves Synapse without destroying anything that holds data", () => {
    for (const [row, changes] of planned) {
      expect([row, changes.destroyed]).toEqual([row, []]);
      expect([row, changes.replaced.filter((address) => !address.startsWith("aws_ecs_task_definition."))]).toEqual([row, []]);
    }
  });
});
