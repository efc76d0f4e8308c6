/**
 * What an operator sees when switching each operations option on for an adopted
 * legacy environment: staging's legacy state, split by the adoption's own
 * `splitLegacyState` (as `npm run adopt` writes it), planned offline by real
 * Terraform with each option on, one at a time, in one workdir.
 *
 * The adopted state still carries the adoption's own first apply (the secrets
 * wiring, the new task revisions), so each option's changes are what its plan does
 * differently from the plan with every option off: what the operator sees once the
 * adoption has been applied. The expected changes are the table of
 * docs/operations-options.md, read from the doc itself.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { splitLegacyState } from "../../src/adoption/legacy-state";
import { formatState, parseState } from "../../src/adoption/state-file";
import { Environment, parseEnvironment } from "../../src/environments";
import { staging } from "../../src/environments/staging";
import { changedAttributes } from "../../src/review/plan-changes";
import { CHECKED_IN_OUTDIR, PROJECT_ROOT, STACK_FILE } from "../../src/synthesize";
import { synthEnvironment } from "../environments/synth-environment";
import { describeIfTerraform, PlanJson, ResourceChange, resourceChanges, TerraformWorkdir } from "../support/terraform";

const LEGACY_STAGING_STATE = path.join(PROJECT_ROOT, "..", "shared", "legacy", "staging.tfstate");
const DOC = path.join(PROJECT_ROOT, "docs", "operations-options.md");
const TABLE_HEADING = "## What switching an option on plans for staging";

/** One option switched on, as the operator writes it in `src/environments/staging.ts`. */
interface OptionSwitch {
  /** The option's row in the doc's table (first column). */
  readonly option: string;
  /** The setting, as the doc's second column shows it. */
  readonly setting: string;
  readonly switchOn: (env: Environment) => Environment;
}

const withoutImdsv1 = (env: Environment): Environment => {
  const { requireImdsv2: _imdsv1, ...capacity } = env.capacity;
  const { "imdsv2-required": _waiver, ...waivers } = env.waivers ?? {};
  return { ...env, capacity: { ...capacity, launchTemplate: true }, waivers };
};

const SWITCHES: readonly OptionSwitch[] = [
  { option: "logs", setting: "logs: { enabled: true, retentionDays: 7 }", switchOn: (e) => ({ ...e, logs: { enabled: true, retentionDays: 7 } }) },
  {
    option: "alarms",
    setting: 'alarms: { enabled: true, emailAddresses: ["ops@example.org"] }',
    switchOn: (e) => ({ ...e, alarms: { enabled: true, emailAddresses: ["ops@example.org"] } }),
  },
  { option: "scaling", setting: "scaling: { enabled: true }", switchOn: (e) => ({ ...e, scaling: { enabled: true } }) },
  {
    option: "scaling without the JVB per instance",
    setting: "scaling: { enabled: true, jvbPerInstance: false }",
    switchOn: (e) => ({ ...e, scaling: { enabled: true, jvbPerInstance: false } }),
  },
  {
    option: "scaling by ECS",
    setting: 'scaling: { enabled: true, mode: "ecs-managed" }',
    switchOn: (e) => ({ ...e, scaling: { enabled: true, mode: "ecs-managed" } }),
  },
  { option: "backups", setting: "backups: { enabled: true }", switchOn: (e) => ({ ...e, backups: { enabled: true } }) },
  { option: "launch template", setting: "capacity.launchTemplate: true", switchOn: withoutImdsv1 },
];

/** The kinds of change the doc's table has a column for, in its order. */
const KINDS = ["created", "updated in place", "replaced", "destroyed"] as const;
type Kind = (typeof KINDS)[number];
/** Per kind, entries `address` or `address (attribute, attribute)` for updates, sorted. */
type Changes = Record<Kind, string[]>;

interface DocRow {
  readonly setting: string;
  readonly changes: Changes;
}

/** The doc's table: one row per option; cells list backticked addresses, updates with their changed attributes. */
function readDocTable(): Map<string, DocRow> {
  const text = readFileSync(DOC, "utf8");
  const start = text.indexOf(TABLE_HEADING);
  if (start < 0) throw new Error(`${DOC} has no section "${TABLE_HEADING}"`);
  const lines = text.slice(start).split("\n").slice(1);
  const tableLines = lines.slice(lines.findIndex((line) => line.startsWith("|")));
  const rows = tableLines.slice(0, tableLines.findIndex((line) => !line.startsWith("|"))).slice(2);
  const table = new Map<string, DocRow>();
  for (const row of rows) {
    const cells = row.split("|").slice(1, -1).map((cell) => cell.trim());
    if (cells.length !== 2 + KINDS.length) throw new Error(`${DOC}: a row of ${cells.length} cells: ${row}`);
    const entries = (cell: string) =>
      [...cell.matchAll(/`([a-z0-9_]+\.[A-Za-z0-9_-]+)`(?:\s*\(([^)]*)\))?/g)]
        .map(([, address, note]) => {
          // A parenthesis of backticked attribute names belongs to an update; any other is a remark.
          const attributes = [...(note ?? "").matchAll(/`([a-z0-9_]+)`/g)].map((match) => match[1]);
          return attributes.length === 0 ? address : `${address} (${attributes.join(", ")})`;
        })
        .sort();
    const changes = Object.fromEntries(KINDS.map((kind, index) => [kind, entries(cells[2 + index])])) as Changes;
    table.set(cells[0].replace(/\*\*/g, ""), { setting: cells[1], changes });
  }
  return table;
}

/** Top-level attributes an update changes against the state, as `npm run review` lists them. */
function updatedAttributes(change: ResourceChange): string[] {
  // tags_all follows tags; the provider plans it as unknown whenever tags change.
  return changedAttributes(change.before, change.after, change.afterUnknown).filter((key) => key !== "tags_all");
}

const kindOf = (change: ResourceChange): Kind | undefined =>
  ({ create: "created", update: "updated in place", "delete,create": "replaced", "create,delete": "replaced", delete: "destroyed" })[
    change.actions.join()
  ] as Kind | undefined;

const sameChange = (a: ResourceChange, b: ResourceChange) =>
  a.actions.join() === b.actions.join() &&
  JSON.stringify(a.after) === JSON.stringify(b.after) &&
  JSON.stringify(a.afterUnknown) === JSON.stringify(b.afterUnknown);

/** The task definition a service's `task_definition` refers to in the plan's configuration. */
function taskDefinitionOf(plan: PlanJson, service: string): string | undefined {
  const resource = plan.configuration?.root_module?.resources?.find((r) => r.address === service);
  const references: string[] = resource?.expressions?.task_definition?.references ?? [];
  return references.find((reference) => /^aws_ecs_task_definition\.[^.]+$/.test(reference));
}

/**
 * What `variant` plans differently from `baseline`, by kind. A service whose task definition
 * the option replaces is updated in place too, though the baseline updates it already (the
 * adoption's own new revision): once that is applied, the option's revision is a new update.
 */
function optionChanges(baseline: PlanJson, variant: PlanJson): Changes {
  const before = new Map(resourceChanges(baseline).map((change) => [change.address, change]));
  const changes = resourceChanges(variant);
  const differing = changes.filter((change) => {
    const old = before.get(change.address);
    return old === undefined ? change.actions.join() !== "no-op" : !sameChange(old, change);
  });
  const replacedTasks = new Set(differing.filter((c) => c.type === "aws_ecs_task_definition" && kindOf(c) === "replaced").map((c) => c.address));
  const followers = changes.filter(
    (change) => change.type === "aws_ecs_service" && change.actions.join() === "update" && replacedTasks.has(taskDefinitionOf(variant, change.address) ?? ""),
  );
  const result: Changes = { created: [], "updated in place": [], replaced: [], destroyed: [] };
  for (const change of [...new Set([...differing, ...followers])]) {
    const kind = kindOf(change);
    if (kind === undefined) throw new Error(`${change.address}: [${change.actions.join()}] differs from the plan with every option off`);
    result[kind].push(kind === "updated in place" ? `${change.address} (${updatedAttributes(change).join(", ")})` : change.address);
  }
  for (const address of before.keys()) {
    if (!changes.some((change) => change.address === address)) throw new Error(`${address} is in the plan with every option off, not in this one`);
  }
  for (const kind of KINDS) result[kind].sort();
  return result;
}

describeIfTerraform("switching each operations option on for adopted staging, planned by real Terraform", () => {
  const table = readDocTable();
  let scratch: string;
  let workdir: TerraformWorkdir;
  let baseline: PlanJson;

  /** Plans `environment`'s jitsi-matrix stack in the shared workdir, against the adopted state. */
  async function planFor(environment: Environment): Promise<PlanJson> {
    const jitsiMatrix = synthEnvironment(environment).find((stack) => stack.name === "jitsi-matrix-staging")!;
    writeFileSync(path.join(workdir.dir, STACK_FILE), JSON.stringify(jitsiMatrix.json));
    return workdir.plan();
  }

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "operations-options-"));
    const legacy = parseState(readFileSync(LEGACY_STAGING_STATE, "utf8"), LEGACY_STAGING_STATE);
    const networkingSynth = JSON.parse(readFileSync(path.join(CHECKED_IN_OUTDIR, "stacks", "networking-staging", STACK_FILE), "utf8"));
    const split = splitLegacyState(legacy, staging, networkingSynth);
    const networkingState = path.join(scratch, "networking.tfstate");
    const jitsiMatrixState = path.join(scratch, "jitsi-matrix.tfstate");
    writeFileSync(networkingState, formatState(split.networking));
    writeFileSync(jitsiMatrixState, formatState(split.jitsiMatrix));
    workdir = new TerraformWorkdir(path.join(CHECKED_IN_OUTDIR, "stacks", "jitsi-matrix-staging"), {
      statePath: jitsiMatrixState,
      remoteState: networkingState,
    });
    await workdir.init();
    baseline = await planFor(staging);
  });
  afterAll(() => {
    workdir?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("has a row in the doc for every option switched here, and no other", () => {
    expect([...table.keys()].sort()).toEqual(SWITCHES.map((s) => s.option).sort());
  });

  it("plans, with every option off, only the adoption's own changes: the staging file keeps adoption a no-op", () => {
    const changed = resourceChanges(baseline).filter((change) => change.actions.join() !== "no-op");
    expect(changed.map((change) => `${change.actions.join()} ${change.address}`).sort()).toEqual([
      "create aws_iam_role.task_execution_role",
      "create aws_iam_role_policy.task_execution_role_read_secrets",
      "create aws_iam_role_policy_attachment.task_execution_role_ecs_task_execution",
      "delete,create aws_ecs_task_definition.jitsi_task_definition",
      "delete,create aws_ecs_task_definition.matrix_task_definition",
      "update aws_ecs_service.jitsi_service",
      "update aws_ecs_service.matrix_service",
    ]);
  });

  describe.each(SWITCHES.map((s) => [s.option, s] as const))("%s", (option, optionSwitch) => {
    let changes: Changes;
    beforeAll(async () => {
      // The switched environment must itself be valid: the setting is what an operator can write.
      const environment = parseEnvironment(optionSwitch.switchOn(staging), { onWarning: () => undefined });
      changes = optionChanges(baseline, await planFor(environment));
    });

    it(`is switched on in the doc as ${optionSwitch.setting}`, () => {
      expect(table.get(option)?.setting).toContain(`\`${optionSwitch.setting}\``);
    });

    it("plans exactly the changes the doc's table lists", () => {
      expect(changes).toEqual(table.get(option)!.changes);
    });

    it(
      option === "launch template"
        ? "creates the template, updates the group in place and destroys only the launch configuration (the documented switch)"
        : "creates and updates in place only, and replaces nothing but task definitions (new revisions)",
      () => {
        expect(changes.replaced.filter((address) => !address.startsWith("aws_ecs_task_definition."))).toEqual([]);
        expect(changes.destroyed).toEqual(option === "launch template" ? ["aws_launch_configuration.capacity_launch_configuration"] : []);
        expect(changes.created.length + changes["updated in place"].length).toBeGreaterThan(0);
      },
    );
  });
});
