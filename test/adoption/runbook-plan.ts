/**
 * The plans the runbook (docs/adopting-an-environment.md) tells the operator to
 * expect, read from its fenced blocks marked `adoption-plan <name>`, and the
 * same facts computed from a real plan, so that the test compares the two and
 * the runbook cannot drift from what Terraform shows.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../tools/synthesize";
import { PlanJson, resourceChanges } from "../support/terraform";
import { changedAttributes } from "../../tools/review/plan-changes";

export const RUNBOOK_PATH = path.join(PROJECT_ROOT, "docs", "adopting-an-environment.md");

/** One expected resource change: its address (with the PostgreSQL upgrade switch off and on) and the attributes it changes. */
export interface ExpectedChange {
  readonly address: string;
  readonly switchOnAddress: string;
  readonly attributes: readonly string[];
  /** The attributes with the switch on, where they differ. @default attributes */
  readonly switchOnAttributes?: readonly string[];
}

export interface ExpectedPlan {
  readonly moves?: number;
  /** Moves with no other change. */
  readonly movesOnly?: number;
  readonly replace: readonly ExpectedChange[];
  readonly update: readonly ExpectedChange[];
  readonly create: readonly ExpectedChange[];
  /** Output changes, e.g. `+ load_balancer_dns_name`. */
  readonly outputs: readonly string[];
  /** Terraform's last line, e.g. `Plan: 5 to add, 2 to change, 2 to destroy.` */
  readonly summary: string;
}

/**
 * The block `adoption-plan <name>` of the runbook. Lines:
 * `moves <n> (<m> with no other change)`, `replace|update|create <address> [attribute ...] [(switch on: <address> [attribute ...])]`,
 * `output <+|~|-> <name>`, and the `Plan: ...` line; `#` starts a comment.
 */
export function expectedPlan(name: string, runbook = readFileSync(RUNBOOK_PATH, "utf8")): ExpectedPlan {
  const blocks = [...runbook.matchAll(/^```adoption-plan ([\w-]+)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === name);
  if (blocks.length !== 1) throw new Error(`${RUNBOOK_PATH}: ${blocks.length} blocks \`\`\`adoption-plan ${name}; there must be one`);
  const plan = { replace: [] as ExpectedChange[], update: [] as ExpectedChange[], create: [] as ExpectedChange[], outputs: [] as string[] } as {
    -readonly [K in keyof ExpectedPlan]: ExpectedPlan[K];
  } & { replace: ExpectedChange[]; update: ExpectedChange[]; create: ExpectedChange[]; outputs: string[] };
  for (const raw of blocks[0][2].split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") continue;
    let match: RegExpExecArray | null;
    if ((match = /^moves (\d+) \((\d+) with no other change\)$/.exec(line))) {
      plan.moves = Number(match[1]);
      plan.movesOnly = Number(match[2]);
    } else if ((match = /^(replace|update|create) (\S+)((?: [a-z_]+)*)(?: \(switch on: (\S+)((?: [a-z_]+)*)\))?$/.exec(line))) {
      const [, kind, address, attributes, switchOn, switchOnAttributes] = match;
      const names = (text: string) => text.trim().split(/\s+/).filter(Boolean);
      plan[kind as "replace" | "update" | "create"].push({
        address,
        switchOnAddress: switchOn ?? address,
        attributes: names(attributes),
        ...(switchOnAttributes?.trim() ? { switchOnAttributes: names(switchOnAttributes) } : {}),
      });
    } else if ((match = /^output ([+~-] \S+)$/.exec(line))) {
      plan.outputs.push(match[1]);
    } else if (/^Plan: .*\.$/.test(line)) {
      plan.summary = line;
    } else {
      throw new Error(`${RUNBOOK_PATH}, block adoption-plan ${name}: cannot read the line "${raw}"`);
    }
  }
  if (plan.summary === undefined) throw new Error(`${RUNBOOK_PATH}, block adoption-plan ${name}: no "Plan: ..." line`);
  return plan;
}

const isReplace = (actions: readonly string[]) => ["delete,create", "create,delete"].includes(actions.join());

/** Terraform's summary line of a plan, from `terraform show -json`. */
export function summaryLine(plan: PlanJson): string {
  let imports = 0;
  let add = 0;
  let change = 0;
  let destroy = 0;
  for (const rc of plan.resource_changes ?? []) {
    const actions = rc.change.actions;
    if (rc.change.importing) imports++;
    if (isReplace(actions)) {
      add++;
      destroy++;
    } else if (actions.join() === "create") add++;
    else if (actions.join() === "update") change++;
    else if (actions.join() === "delete") destroy++;
  }
  if (imports + add + change + destroy === 0) return "No changes.";
  return `Plan: ${imports > 0 ? `${imports} to import, ` : ""}${add} to add, ${change} to change, ${destroy} to destroy.`;
}

const OUTPUT_SYMBOL: Record<string, string> = { create: "+", update: "~", delete: "-" };

/** What a real plan shows, in the terms of `ExpectedPlan`, with the addresses as planned. */
export function actualPlan(plan: PlanJson): ExpectedPlan {
  const changes = resourceChanges(plan);
  const replacePaths = new Map((plan.resource_changes ?? []).map((rc) => [rc.address, rc.change.replace_paths ?? []]));
  const entry = (address: string, attributes: string[]): ExpectedChange => ({ address, switchOnAddress: address, attributes: [...attributes].sort() });
  const sorted = (list: ExpectedChange[]) => list.sort((a, b) => a.address.localeCompare(b.address));
  return {
    moves: changes.filter((c) => c.previousAddress !== undefined).length,
    movesOnly: changes.filter((c) => c.previousAddress !== undefined && c.actions.join() === "no-op").length,
    replace: sorted(
      changes
        .filter((c) => isReplace(c.actions))
        .map((c) => entry(c.address, [...new Set(replacePaths.get(c.address)!.map((p) => String(p[0])))])),
    ),
    update: sorted(changes.filter((c) => c.actions.join() === "update").map((c) => entry(c.address, changedAttributes(c.before, c.after, c.afterUnknown)))),
    create: sorted(changes.filter((c) => c.actions.join() === "create").map((c) => entry(c.address, []))),
    outputs: Object.entries(plan.output_changes ?? {})
      .filter(([, c]) => c.actions.join() !== "no-op")
      .map(([name, c]) => `${OUTPUT_SYMBOL[c.actions.join()] ?? c.actions.join()} ${name}`)
      .sort(),
    summary: summaryLine(plan),
  };
}

/** The expectation for one position of the PostgreSQL upgrade switch, in `actualPlan`'s form. */
export function expectedFor(expected: ExpectedPlan, switchOn: boolean): ExpectedPlan {
  const at = (list: readonly ExpectedChange[]) =>
    list
      .map((c) => ({
        address: switchOn ? c.switchOnAddress : c.address,
        switchOnAddress: switchOn ? c.switchOnAddress : c.address,
        attributes: [...(switchOn ? (c.switchOnAttributes ?? c.attributes) : c.attributes)].sort(),
      }))
      .sort((a, b) => a.address.localeCompare(b.address));
  return { ...expected, replace: at(expected.replace), update: at(expected.update), create: at(expected.create), outputs: [...expected.outputs].sort() };
}
