/**
 * The plans docs/moving-to-rds.md tells the operator to expect, planned by real Terraform and compared with the
 * doc's own table: staging from its adopted legacy state (every option off), dev from the state its configuration
 * with Synapse's database in the container leaves (every option on, the state synthesized as `npm run review` does).
 * Each step is planned against the same state as the step before, so its row is what it changes beyond that step.
 */
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { EnvironmentInput, parseEnvironment } from "../../src/environments";
import { dev } from "../../src/environments/dev";
import { staging } from "../../src/environments/staging";
import { CHECKED_IN_OUTDIR, PROJECT_ROOT } from "../../tools/synthesize";
import { synthEnvironment } from "../environments/synth-environment";
import { adoptedStagingStates } from "../support/legacy-states";
import { Changes, planDifference, readChangesTable } from "../support/option-plans";
import { writeNetworkingOutputs } from "../support/networking-outputs";
import { StackPlanner, withDesiredCount } from "../support/stack-planner";
import { describeIfTerraform } from "../support/terraform";

const DOC = path.join(PROJECT_ROOT, "docs", "moving-to-rds.md");

/** The environment at each step of the runbook, from the settings an operator writes. */
/**
 * A new environment on the container needs a larger instance than dev's c5a.large: its postgres container, beside the
 * JVB and coturn daemons, passes the 4 GiB one offers tasks (validation says so). Every step of its plans has the same.
 */
const roomForPostgres = (env: EnvironmentInput): Partial<EnvironmentInput> => (env.legacy ? {} : { capacity: { ...env.capacity, instanceType: "c5a.xlarge" } });
const onContainer = (env: EnvironmentInput): EnvironmentInput => ({ ...env, ...roomForPostgres(env), rds: { enabled: false }, matrix: { ...env.matrix, database: "container" } });
const withInstance = (env: EnvironmentInput): EnvironmentInput => ({ ...env, ...roomForPostgres(env), rds: { enabled: true }, matrix: { ...env.matrix, database: "container" } });
const onRds = (env: EnvironmentInput): EnvironmentInput => ({ ...env, ...roomForPostgres(env), rds: { enabled: true }, matrix: { ...env.matrix, database: "rds" } });

describeIfTerraform("the plans of docs/moving-to-rds.md, planned by real Terraform", () => {
  const table = readChangesTable(DOC, "## What each plan must show", 2, 0, 2);
  const planned = new Map<string, Changes>();
  let scratch: string;

  /** Step 1 against the state before it; step 5 against the same state with Matrix stopped. */
  async function planSteps(name: string, env: EnvironmentInput, p: StackPlanner, state: string): Promise<void> {
    const plan = (step: EnvironmentInput, at: string) => p.plan(p.config({ environment: step }), at);
    planned.set(`instance (step 1) | ${name}`, planDifference(await plan(onContainer(env), state), await plan(withInstance(env), state)));
    // Step 5 runs with Matrix stopped by step 3's `aws ecs update-service --desired-count 0`.
    const down = withDesiredCount(state, "aws_ecs_service.matrix_service", 0);
    planned.set(`Synapse on RDS (step 5) | ${name}`, planDifference(await plan(withInstance(env), down), await plan(onRds(env), down)));
  }

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "moving-to-rds-"));
    const adopted = adoptedStagingStates(path.join(scratch, "staging"));
    const stagingPlanner = new StackPlanner(scratch, staging, adopted.networking, path.join(CHECKED_IN_OUTDIR, "stacks", "jitsi-matrix-staging"));
    try {
      await stagingPlanner.init();
      await planSteps("staging", staging, stagingPlanner, readFileSync(adopted.jitsiMatrix, "utf8"));
    } finally {
      stagingPlanner.dispose();
    }

    const devEnvironment = parseEnvironment(dev, { onWarning: () => undefined });
    const devNetworking = path.join(scratch, "networking-dev.tfstate");
    writeNetworkingOutputs(synthEnvironment(devEnvironment).find((stack) => stack.name === "networking-dev")!.json, devNetworking);
    const devPlanner = new StackPlanner(scratch, dev, devNetworking, path.join(CHECKED_IN_OUTDIR, "stacks", "jitsi-matrix-dev"));
    try {
      await devPlanner.init();
      await planSteps("dev", dev, devPlanner, await devPlanner.syntheticState(devPlanner.config({ environment: onContainer(dev) })));
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
