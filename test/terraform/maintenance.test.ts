/**
 * The plans docs/maintenance.md tells the operator to expect, planned by real Terraform
 * and compared with the doc's own table: the PostgreSQL upgrade switch and the Element
 * upgrade, for staging (adopted from its legacy state, every option off) and for dev
 * (a new environment with every default on).
 *
 * Staging's state is its legacy state as the adoption leaves it (test/support/legacy-states.ts):
 * each plan is compared with the plan without the change against the same state, which
 * leaves out what the adoption itself still plans (the secrets wiring, new task revisions). Dev has
 * never been deployed: its state is the synthetic one `npm run review` uses (its plan from
 * an empty state, as if applied; tools/review/synthetic-state.ts), against which the plan
 * without the change must itself plan nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { Environment } from "../../src/environments";
import { dev, staging } from "../support/environments";
import { CHECKED_IN_OUTDIR, PROJECT_ROOT } from "../../tools/synthesize";
import { synthEnvironment } from "../environments/synth-environment";
import { adoptedStagingStates } from "../support/legacy-states";
import { Changes, planDifference, planSummary, readChangesTable } from "../support/option-plans";
import { writeNetworkingOutputs } from "../support/networking-outputs";
import { StackPlanner, withDesiredCount } from "../support/stack-planner";
import { describeIfTerraform, PlanJson, resourceChanges } from "../support/terraform";

const DOC = path.join(PROJECT_ROOT, "docs", "maintenance.md");
const TABLE_HEADING = "## What each plan must show";
/** The Element tag the doc's upgrade rows bump to. */
const NEW_ELEMENT_TAG = "v1.11.85";

const withElementTag = (env: Environment): Environment => ({ ...env, matrix: { ...env.matrix, imageTags: { ...env.matrix.imageTags, element: NEW_ELEMENT_TAG } } });

/** The networking outputs jitsi-matrix-<env> reads, with made-up IDs. */
const networkingOutputs = (environment: Environment, file: string) =>
  writeNetworkingOutputs(synthEnvironment(environment).find((stack) => stack.name === `networking-${environment.name}`)!.json, file);

describeIfTerraform("the plans of docs/maintenance.md, planned by real Terraform", () => {
  const table = readChangesTable(DOC, TABLE_HEADING, 2, 1, 2);
  let scratch: string;
  const planned = new Map<string, Changes>();
  let devBaseline: PlanJson;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "maintenance-"));

    // Staging: its legacy state as the adoption leaves it, every resource at its new address.
    const adopted = adoptedStagingStates(path.join(scratch, "staging"));
    const stagingNetworking = adopted.networking;
    const stagingState = readFileSync(adopted.jitsiMatrix, "utf8");
    const stagingPlanner = new StackPlanner(scratch, staging, stagingNetworking, path.join(CHECKED_IN_OUTDIR, "stacks", "jitsi-matrix-staging"));
    try {
      await stagingPlanner.init();
      const off = stagingPlanner.config();
      const baseline = await stagingPlanner.plan(off, stagingState);
      planned.set("PostgreSQL upgrade on (step 2) | staging", planDifference(baseline, await stagingPlanner.plan(stagingPlanner.config({ postgresUpgrade: true }), stagingState)));
      const stopped = withDesiredCount(stagingState, "aws_ecs_service.matrix_service", 0);
      const stoppedBaseline = await stagingPlanner.plan(off, stopped);
      planned.set(
        "Element upgrade (step 3) | staging",
        planDifference(stoppedBaseline, await stagingPlanner.plan(stagingPlanner.config({ environment: withElementTag(staging) }), stopped)),
      );
    } finally {
      stagingPlanner.dispose();
    }

    // Dev: never deployed; its states are what its plans from an empty state leave.
    const devNetworking = path.join(scratch, "networking-dev.tfstate");
    networkingOutputs(dev, devNetworking);
    const devStack = path.join(scratch, "jitsi-matrix-dev.tf.json");
    writeFileSync(devStack, JSON.stringify(synthEnvironment(dev).find((stack) => stack.name === "jitsi-matrix-dev")!.json));
    const devPlanner = new StackPlanner(scratch, dev, devNetworking, devStack);
    try {
      await devPlanner.init();
      const off = devPlanner.config();
      const on = devPlanner.config({ postgresUpgrade: true });
      const offState = await devPlanner.syntheticState(off);
      devBaseline = await devPlanner.plan(off, offState);
      planned.set("PostgreSQL upgrade on (step 2) | dev", planDifference(devBaseline, await devPlanner.plan(on, offState)));
      const onState = await devPlanner.syntheticState(on);
      planned.set("PostgreSQL upgrade off (step 10) | dev", planDifference(await devPlanner.plan(on, onState), await devPlanner.plan(off, onState)));
      const stopped = withDesiredCount(offState, "aws_ecs_service.matrix_service", 0);
      const newTag = devPlanner.config({ environment: withElementTag(dev) });
      planned.set("Element upgrade (step 3) | dev", planDifference(devBaseline, await devPlanner.plan(newTag, stopped)));
      planned.set("Element upgrade, tag unchanged (step 3) | dev", planDifference(devBaseline, await devPlanner.plan(off, stopped)));
    } finally {
      devPlanner.dispose();
    }
  });
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("plans for dev without a change no create, replacement or destroy: its synthetic state is what its configuration leaves", () => {
    // Updates remain where a string is a function of an ARN (replace(...)), which the synthetic state cannot evaluate.
    const changed = resourceChanges(devBaseline).filter((change) => change.actions.join() !== "no-op");
    expect(changed.filter((change) => change.actions.join() !== "update").map((change) => change.address)).toEqual([]);
  });

  it("has a row in the doc for every plan checked here, and no other", () => {
    expect([...table.keys()].sort()).toEqual([...planned.keys()].sort());
  });

  it.each([
    "PostgreSQL upgrade on (step 2) | staging",
    "PostgreSQL upgrade on (step 2) | dev",
    "PostgreSQL upgrade off (step 10) | dev",
    "Element upgrade (step 3) | staging",
    "Element upgrade (step 3) | dev",
    "Element upgrade, tag unchanged (step 3) | dev",
  ])("%s plans exactly the doc's row, with its summary line", (row) => {
    expect(planned.get(row)).toEqual(table.get(row)?.changes);
    expect(table.get(row)?.after).toBe(`**${planSummary(planned.get(row)!)}**`);
  });

  it("swaps only the matrix task and service for the upgrade's: nothing that holds logs or history is destroyed", () => {
    for (const row of ["PostgreSQL upgrade on (step 2) | staging", "PostgreSQL upgrade on (step 2) | dev", "PostgreSQL upgrade off (step 10) | dev"]) {
      const changes = planned.get(row)!;
      expect([row, changes["updated in place"], changes.replaced]).toEqual([row, [], []]);
      for (const address of [...changes.created, ...changes.destroyed]) expect(address).toMatch(/^aws_ecs_(service|task_definition)\.(matrix|postgres_upgrade)_/);
    }
  });
});
