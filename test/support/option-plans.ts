/**
 * What a change of an environment (an option switched on, the PostgreSQL upgrade switch, a
 * new image tag) plans, read from two real Terraform plans against the same state: the plan
 * without the change (the baseline) and the plan with it. Its changes are what the second
 * plans differently from the first, which leaves out what the state would plan anyway (an
 * adoption not applied yet). The runbooks in docs/ list the expected changes in tables that
 * `readChangesTable` reads, so that the tests compare the plans with the docs themselves.
 */
import { readFileSync } from "fs";
import { changedAttributes } from "../../tools/review/plan-changes";
import { PlanJson, ResourceChange, resourceChanges } from "./terraform";

/** The kinds of change the docs' tables have a column for, in their order. */
export const KINDS = ["created", "updated in place", "replaced", "destroyed"] as const;
export type Kind = (typeof KINDS)[number];
/** Per kind, entries `address` or `address (attribute, attribute)` for updates, sorted. */
export type Changes = Record<Kind, string[]>;

export interface DocRow {
  /** The cells before the change columns, e.g. the option and its setting. */
  readonly keys: readonly string[];
  /** The cell after the change columns, if the table has one (e.g. Terraform's summary line). */
  readonly after?: string;
  readonly changes: Changes;
}

/**
 * The first table under `heading` in `doc`: `keyColumns` cells, one cell per kind of change
 * listing backticked addresses (updates with their changed attributes in a parenthesis of
 * backticked names), then optionally `trailingColumns` cells. Rows keyed by their first cell
 * (bold marks removed), or by the first `keyColumns` cells joined with " | ".
 */
export function readChangesTable(doc: string, heading: string, keyColumns: number, trailingColumns = 0, keyCells = 1): Map<string, DocRow> {
  const text = readFileSync(doc, "utf8");
  const start = text.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`${doc} has no section "${heading}"`);
  const lines = text.slice(start).split("\n").slice(1);
  const tableLines = lines.slice(lines.findIndex((line) => line.startsWith("|")));
  const rows = tableLines.slice(0, tableLines.findIndex((line) => !line.startsWith("|"))).slice(2);
  const table = new Map<string, DocRow>();
  for (const row of rows) {
    const cells = row.split("|").slice(1, -1).map((cell) => cell.trim());
    if (cells.length !== keyColumns + KINDS.length + trailingColumns) throw new Error(`${doc}: a row of ${cells.length} cells: ${row}`);
    const entries = (cell: string) =>
      [...cell.matchAll(/`([a-z0-9_]+\.[A-Za-z0-9_-]+)`(?:\s*\(([^)]*)\))?/g)]
        .map(([, address, note]) => {
          // A parenthesis of backticked attribute names belongs to an update; any other is a remark.
          const attributes = [...(note ?? "").matchAll(/`([a-z0-9_]+)`/g)].map((match) => match[1]);
          return attributes.length === 0 ? address : `${address} (${attributes.join(", ")})`;
        })
        .sort();
    const changes = Object.fromEntries(KINDS.map((kind, index) => [kind, entries(cells[keyColumns + index])])) as Changes;
    const keys = cells.slice(0, keyColumns).map((cell) => cell.replace(/\*\*/g, ""));
    table.set(keys.slice(0, keyCells).join(" | "), { keys, after: trailingColumns > 0 ? cells[keyColumns + KINDS.length] : undefined, changes });
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
 * the variant replaces is updated in place too, though the baseline may update it already (an
 * adoption's own new revision): once that is applied, the variant's revision is a new update.
 */
export function planDifference(baseline: PlanJson, variant: PlanJson): Changes {
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
    const old = before.get(change.address);
    // Created by the adoption's own first apply in both plans, differently here: once that apply is done, an update in place.
    if (old !== undefined && old.actions.join() === "create" && change.actions.join() === "create") {
      const attributes = changedAttributes(old.after, change.after, change.afterUnknown).filter((key) => key !== "tags_all");
      result["updated in place"].push(`${change.address} (${attributes.join(", ")})`);
      continue;
    }
    const kind = kindOf(change);
    if (kind === undefined) throw new Error(`${change.address}: [${change.actions.join()}] differs from the baseline plan`);
    result[kind].push(kind === "updated in place" ? `${change.address} (${updatedAttributes(change).join(", ")})` : change.address);
  }
  for (const address of before.keys()) {
    if (!changes.some((change) => change.address === address)) throw new Error(`${address} is in the baseline plan, not in this one`);
  }
  for (const kind of KINDS) result[kind].sort();
  return result;
}

/** Terraform's summary line of these changes: a replacement counts as one to add and one to destroy. */
export function planSummary(changes: Changes): string {
  const add = changes.created.length + changes.replaced.length;
  const destroy = changes.destroyed.length + changes.replaced.length;
  return `${add} to add, ${changes["updated in place"].length} to change, ${destroy} to destroy`;
}
