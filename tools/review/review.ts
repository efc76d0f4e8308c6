import { existsSync, readFileSync } from "fs";
import { stackNames } from "../synthesize";
import { CHANGE_KINDS, ChangeKind, DESTRUCTIVE_KINDS, PlannedChange, canonicalJson, plannedChanges } from "./plan-changes";
import { remoteStateProducers, StackPlan, StackPlanner, StateFiles, StateSource, stackFile } from "./stack-planner";

export interface ReviewOptions {
  /**
   * Synth output directory of the base (`<dir>/stacks/<stack>/cdk.tf.json`).
   * @default - no base: every stack of the head is new
   */
  readonly baseDir?: string;
  /** Synth output directory of the change under review. */
  readonly headDir: string;
  /**
   * State file per stack name.
   * @default - no state files: see `syntheticBase`
   */
  readonly states?: StateFiles;
  /**
   * Whether a stack without a state file plans against a synthetic state, the base's own plan
   * of it as if applied (`synthetic-state.ts`), so that Terraform's diff tells a replacement
   * from an update; else it plans from an empty state, where every resource is a create.
   * Stacks the base does not have always plan from an empty state.
   * @default true
   */
  readonly syntheticBase?: boolean;
  /**
   * Destroys and replacements the reviewer accepts: `[<stack>:]<address>`, `*` matching anything.
   * @default - none
   */
  readonly allow?: readonly string[];
  /**
   * A planner to plan with, e.g. one shared by several reviews so that equal plans run once.
   * @default - a planner of this review, disposed at its end
   */
  readonly planner?: StackPlanner;
}

/** One resource change of a stack, set against what the base plans for the same resource. */
export interface ReviewedChange extends Omit<PlannedChange, "after" | "afterUnknown" | "fingerprint"> {
  /** What the base plans for this resource against the same state; undefined when it plans nothing or there is no base. */
  readonly baseKind?: ChangeKind;
  /** Top-level attributes whose planned value differs from the base's plan. */
  readonly alteredAttributes: readonly string[];
  /** A destroy or replacement that the base does not already plan: this change causes it. */
  readonly introducesDestruction: boolean;
  /** The allow-list pattern that accepts it. */
  readonly allowedBy?: string;
}

export type StackStatus = "changed" | "added" | "removed";

export interface StackReview {
  readonly stack: string;
  /** `added`: not in the base; `removed`: only in the base, so no longer managed by the app. */
  readonly status: StackStatus;
  /** The state file planned against; undefined for an empty or synthetic state. */
  readonly stateFile?: string;
  /** What the stack was planned against: its state file, a state synthesized from the base's plan, or nothing. */
  readonly stateSource: StateSource;
  /** Whether the base was planned against the same state, so changes are attributed to this change. */
  readonly comparedWithBase: boolean;
  /** Changes this change makes to the plan, destroys and replacements first. */
  readonly changes: readonly ReviewedChange[];
  /** Changes the base already plans in the same way (e.g. an adoption not yet applied). */
  readonly pending: readonly ReviewedChange[];
  /** Why the stack could not be planned; `changes` then lists configuration differences only. */
  readonly notPlanned?: string;
  /** Things a reviewer should know about how this stack was planned. */
  readonly notes: readonly string[];
}

export interface Review {
  readonly stacks: readonly StackReview[];
  /** Stacks whose JSON is the same in base and head: not planned. */
  readonly unchanged: readonly string[];
  /** Destroys and replacements this change causes that no allow-list pattern accepts. */
  readonly blocking: ReadonlyArray<{ readonly stack: string; readonly address: string; readonly kind: ChangeKind }>;
  /** Allow-list patterns that matched nothing, usually a typo. */
  readonly unusedAllowPatterns: readonly string[];
  /** Changes the plan accepts and AWS refuses at apply (`failsAtApply`), this change's or already planned at base. */
  readonly applyFailures: ReadonlyArray<{ readonly stack: string; readonly address: string; readonly reason: string }>;
}

/**
 * Exit status of `npm run review`: 0 fine, 1 a destroy or replacement not on the allow list or a change that would fail
 * at apply, 2 a stack could not be planned.
 */
export function reviewExitCode(review: Review, options: { readonly allowUnplanned?: boolean } = {}): number {
  if (review.blocking.length > 0 || review.applyFailures.length > 0) return 1;
  if (!options.allowUnplanned && review.stacks.some((s) => s.notPlanned !== undefined)) return 2;
  return 0;
}

/** Stacks whose synthesized JSON differs between two synth output directories, with their status. */
export function changedStacks(baseDir: string | undefined, headDir: string): { changed: Array<{ stack: string; status: StackStatus }>; unchanged: string[] } {
  const head = stackNames(headDir);
  const base = baseDir === undefined ? [] : stackNames(baseDir);
  const changed: Array<{ stack: string; status: StackStatus }> = [];
  const unchanged: string[] = [];
  for (const stack of [...new Set([...base, ...head])].sort()) {
    if (!head.includes(stack)) changed.push({ stack, status: "removed" });
    else if (!base.includes(stack)) changed.push({ stack, status: "added" });
    else if (canonicalJson(readJson(stackFile(baseDir!, stack))) !== canonicalJson(readJson(stackFile(headDir, stack)))) {
      changed.push({ stack, status: "changed" });
    } else unchanged.push(stack);
  }
  return { changed, unchanged };
}

/**
 * Reviews a change: for each stack whose JSON differs between `baseDir` and `headDir`, plans
 * the head offline against the stack's state (or an empty one) and the base against the same
 * state, and sets the two plans against each other, so that what the base already plans (an
 * adoption not yet applied, say) is told apart from what this change adds.
 */
export async function reviewSynth(options: ReviewOptions): Promise<Review> {
  const planner = options.planner ?? new StackPlanner();
  const states = options.states ?? {};
  const allow = options.allow ?? [];
  try {
    const { changed, unchanged: same } = changedStacks(options.baseDir, options.headDir);
    const readers = readersOfChangedStacks(options.headDir, same, changed.map((c) => c.stack));
    const unchanged = same.filter((stack) => !readers.has(stack));
    const reviewed = [...changed, ...[...readers.keys()].map((stack) => ({ stack, status: "changed" as const }))].sort((a, b) =>
      a.stack < b.stack ? -1 : 1,
    );
    const stacks = await Promise.all(
      reviewed.map(async ({ stack, status }) => {
        const review = await reviewStack(planner, options.baseDir, options.headDir, stack, status, states, allow, options.syntheticBase ?? true);
        const producer = readers.get(stack);
        return producer === undefined
          ? review
          : { ...review, notes: [`Its JSON is unchanged; it is planned because it reads the outputs of ${producer}, which changed.`, ...review.notes] };
      }),
    );
    const blocking = stacks.flatMap((s) =>
      s.changes.filter((c) => c.introducesDestruction && c.allowedBy === undefined).map((c) => ({ stack: s.stack, address: c.address, kind: c.kind })),
    );
    const used = new Set(stacks.flatMap((s) => [...s.changes, ...s.pending].map((c) => c.allowedBy)));
    // Whoever made it, a change that fails at apply stops the apply of its stack: base's pending ones too.
    const applyFailures = stacks.flatMap((s) =>
      [...s.changes, ...s.pending].flatMap((c) => (c.failsAtApply === undefined ? [] : [{ stack: s.stack, address: c.address, reason: c.failsAtApply }])),
    );
    return { stacks, unchanged, blocking, unusedAllowPatterns: allow.filter((pattern) => !used.has(pattern)), applyFailures };
  } finally {
    if (options.planner === undefined) planner.dispose();
  }
}

/**
 * Unchanged stacks that read the outputs of a changed stack, directly or through others: their
 * plan can change though their JSON does not (a replaced subnet gets a new ID). Keyed by stack,
 * with the changed stack they read.
 */
function readersOfChangedStacks(headDir: string, unchanged: readonly string[], changed: readonly string[]): Map<string, string> {
  const readers = new Map<string, string>();
  let affected = new Set(changed);
  for (let grew = true; grew; ) {
    grew = false;
    for (const stack of unchanged) {
      if (readers.has(stack)) continue;
      const producers = producersOf(headDir, stack);
      const producer = producers.find((p) => affected.has(p));
      if (producer !== undefined) {
        readers.set(stack, producer);
        affected = new Set([...affected, stack]);
        grew = true;
      }
    }
  }
  return readers;
}

/** The stacks whose outputs `stack` reads; none when one of them is not a stack of this synth (its plan would say so). */
function producersOf(outdir: string, stack: string): string[] {
  try {
    return Object.values(remoteStateProducers(outdir, stack, readJson(stackFile(outdir, stack)) as Record<string, unknown>));
  } catch {
    return [];
  }
}

async function reviewStack(
  planner: StackPlanner,
  baseDir: string | undefined,
  headDir: string,
  stack: string,
  status: StackStatus,
  states: StateFiles,
  allow: readonly string[],
  syntheticBase: boolean,
): Promise<StackReview> {
  const stateFile = states[stack];
  if (status === "removed") {
    return {
      stack,
      status,
      stateFile,
      stateSource: stateFile === undefined ? "empty" : "file",
      comparedWithBase: false,
      changes: [],
      pending: [],
      notes: [
        "The app no longer synthesizes this stack. Nothing is destroyed by that: its resources stay in AWS and in its state, " +
          `unmanaged. Run \`cdktf destroy ${stack}\` from the base first if they should go.`,
      ],
    };
  }
  let head: StackPlan;
  let base: StackPlan | undefined;
  // Head and base against the same synthetic state: what the base plans against it (a provider's
  // normalization the placeholders do not match, say) is then "already planned at base", not this change.
  const planOptions = { syntheticBaseDir: syntheticBase ? baseDir : undefined };
  try {
    [head, base] = await Promise.all([
      planner.plan(headDir, stack, states, planOptions),
      status === "changed" ? planner.plan(baseDir!, stack, states, planOptions) : Promise.resolve(undefined),
    ]);
  } catch (error) {
    return unplannedReview(stack, status, stateFile, baseDir, headDir, allow, error as Error);
  }
  const headChanges = plannedChanges(head.plan);
  const baseChanges = new Map((base ? plannedChanges(base.plan) : []).map((c) => [c.address, c]));
  const changes: ReviewedChange[] = [];
  const pending: ReviewedChange[] = [];
  for (const change of headChanges) {
    const before = baseChanges.get(change.address);
    baseChanges.delete(change.address);
    if (before !== undefined && before.fingerprint === change.fingerprint) {
      if (change.kind !== "no-op") pending.push(reviewed(change, before, allow, stack));
    } else if (change.kind !== "no-op" || (before !== undefined && before.kind !== "no-op")) {
      changes.push(reviewed(change, before, allow, stack));
    }
  }
  // Planned at base, gone from the head's plan altogether (e.g. a resource the base would create).
  for (const before of baseChanges.values()) {
    if (before.kind !== "no-op") changes.push(reviewed({ ...before, kind: "no-op", replacePaths: [], changedAttributes: [] }, before, allow, stack));
  }
  return {
    stack,
    status,
    stateFile,
    stateSource: head.stateSource,
    comparedWithBase: base !== undefined,
    changes: sortChanges(changes),
    pending: sortChanges(pending),
    notes: planNotes(head),
  };
}

function reviewed(change: PlannedChange, before: PlannedChange | undefined, allow: readonly string[], stack: string): ReviewedChange {
  const baseKind = before === undefined || before.kind === "no-op" ? undefined : before.kind;
  const introducesDestruction = DESTRUCTIVE_KINDS.has(change.kind) && !(baseKind !== undefined && DESTRUCTIVE_KINDS.has(baseKind));
  const destructive = DESTRUCTIVE_KINDS.has(change.kind);
  return {
    address: change.address,
    type: change.type,
    kind: change.kind,
    previousAddress: change.previousAddress,
    importing: change.importing,
    replacePaths: change.replacePaths,
    changedAttributes: change.changedAttributes,
    reason: change.reason,
    failsAtApply: change.failsAtApply,
    baseKind,
    alteredAttributes: before === undefined || before.fingerprint === change.fingerprint ? [] : alteredAttributes(before, change),
    introducesDestruction,
    allowedBy: destructive ? allow.find((pattern) => allowPatternMatches(pattern, stack, change.address)) : undefined,
  };
}

/** Top-level attributes whose planned value (known or unknown) differs between two plans of one resource. */
function alteredAttributes(before: PlannedChange, after: PlannedChange): string[] {
  const field = (value: unknown, name: string) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[name] : undefined) ?? null;
  const names = new Set([before.after, after.after, before.afterUnknown, after.afterUnknown].flatMap((v) => (v !== null && typeof v === "object" ? Object.keys(v) : [])));
  return [...names]
    .filter((name) => canonicalJson([field(before.after, name), field(before.afterUnknown, name)]) !== canonicalJson([field(after.after, name), field(after.afterUnknown, name)]))
    .sort();
}

/**
 * Whether an allow-list pattern accepts a resource: `<stack>:<address>` or `<address>` (any
 * stack), where `*` stands for any characters, e.g. `jitsi-matrix-staging:aws_lb_target_group.*`.
 */
export function allowPatternMatches(pattern: string, stack: string, address: string): boolean {
  const colon = pattern.indexOf(":");
  const [stackPattern, addressPattern] = colon >= 0 ? [pattern.slice(0, colon), pattern.slice(colon + 1)] : ["*", pattern];
  return glob(stackPattern).test(stack) && glob(addressPattern).test(address);
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

function planNotes(head: StackPlan): string[] {
  const notes: string[] = [];
  if (head.stateSource === "synthetic") {
    notes.push(
      `No state given: planned against a synthetic base state, the base's plan of ${head.stack} as if applied, with placeholders ` +
        "for values known only after apply; Terraform's diff against it tells replacements from in-place updates. " +
        `Pass --state ${head.stack}=<file> to plan against the deployed state.`,
    );
  }
  const from: Record<StateSource, string> = {
    file: "",
    synthetic: " (it planned against a synthetic base state",
    empty: " (it planned from an empty state",
  };
  notes.push(
    ...head.remoteStates
      .filter((remote) => remote.placeholders.length > 0)
      .map((remote) =>
        `Outputs ${remote.placeholders.join(", ")} of ${remote.producer} are known only after apply` +
          (remote.producerState === "file" ? "" : `${from[remote.producerState]}; pass --state ${remote.producer}=<file> for real values)`) +
          `: this plan used placeholders for them${head.stateSource !== "empty" ? ", so resources reading them may show changes that a real plan would not" : ""}.`,
      ),
  );
  return notes;
}

/** When Terraform cannot plan a stack (e.g. a provider that cannot be installed here): the configuration's differences, marked as such. */
function unplannedReview(
  stack: string,
  status: StackStatus,
  stateFile: string | undefined,
  baseDir: string | undefined,
  headDir: string,
  allow: readonly string[],
  error: Error,
): StackReview {
  const resources = (dir: string | undefined): Map<string, string> => {
    const map = new Map<string, string>();
    if (dir === undefined || !existsSync(stackFile(dir, stack))) return map;
    const config = readJson(stackFile(dir, stack)) as { resource?: Record<string, Record<string, unknown>> };
    for (const [type, byName] of Object.entries(config.resource ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        const { "//": _metadata, ...rest } = body as Record<string, unknown>;
        map.set(`${type}.${name}`, canonicalJson(rest));
      }
    }
    return map;
  };
  const base = resources(status === "changed" ? baseDir : undefined);
  const head = resources(headDir);
  const changes: ReviewedChange[] = [];
  const entry = (address: string, kind: ChangeKind): ReviewedChange => ({
    address,
    type: address.split(".")[0],
    kind,
    importing: false,
    replacePaths: [],
    changedAttributes: [],
    reason: "configuration only, not planned",
    alteredAttributes: [],
    // Without a plan, a removed resource is taken for a destroy: the review must not pass it unseen.
    introducesDestruction: kind === "destroy",
    allowedBy: kind === "destroy" ? allow.find((pattern) => allowPatternMatches(pattern, stack, address)) : undefined,
  });
  for (const [address, body] of head) {
    if (!base.has(address)) changes.push(entry(address, "create"));
    else if (base.get(address) !== body) changes.push(entry(address, "update"));
  }
  for (const address of base.keys()) if (!head.has(address)) changes.push(entry(address, "destroy"));
  // Terraform's diagnostics are boxed in `│`: the `Error:` line and the sentence after it say why.
  const lines = error.message.split("\n").map((line) => line.replace(/^[│╷╵\s]+/, "").trim());
  const at = lines.findIndex((line) => line.startsWith("Error:"));
  const reason = at < 0 ? lines[0] : [lines[at], ...lines.slice(at + 1).filter(Boolean).slice(0, 2)].join(" ");
  return {
    stack,
    status,
    stateFile,
    stateSource: stateFile === undefined ? "empty" : "file",
    comparedWithBase: false,
    changes: sortChanges(changes),
    pending: [],
    notPlanned: reason.trim(),
    notes: ["Terraform could not plan this stack; the list compares its resource blocks only: an update may turn out a replacement."],
  };
}

function sortChanges(changes: ReviewedChange[]): ReviewedChange[] {
  const rank = (c: ReviewedChange) => CHANGE_KINDS.indexOf(c.kind);
  return [...changes].sort((a, b) => rank(a) - rank(b) || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8"));
}
