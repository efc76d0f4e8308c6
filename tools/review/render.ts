import { CHANGE_KINDS, ChangeKind } from "./plan-changes";
import { Review, ReviewedChange, StackReview, reviewExitCode } from "./review";

/** What was compared, for the heading. */
export interface ReviewLabels {
  /** e.g. `1a2b3c4 (merge base with main)`. */
  readonly base: string;
  /** e.g. `working tree (fresh synth)`. */
  readonly head: string;
}

const SYMBOLS: Record<ChangeKind, string> = {
  destroy: "-  destroy",
  replace: "-/+ replace",
  forget: "forget",
  create: "+  create",
  update: "~  update",
  move: "-> move",
  import: "<= import",
  "no-op": "=  settled",
};

const PHRASES: Record<ChangeKind, string> = {
  destroy: "to destroy",
  replace: "to replace",
  forget: "to forget",
  create: "to add",
  update: "to change in place",
  move: "to move",
  import: "to import",
  "no-op": "no longer planned",
};

/** Counts by kind, e.g. `{ replace: 1, update: 2 }`; kinds with none are left out. */
export function countKinds(changes: readonly ReviewedChange[]): Partial<Record<ChangeKind, number>> {
  const counts: Partial<Record<ChangeKind, number>> = {};
  for (const kind of CHANGE_KINDS) {
    const n = changes.filter((c) => c.kind === kind).length;
    if (n > 0) counts[kind] = n;
  }
  return counts;
}

function countsText(changes: readonly ReviewedChange[]): string {
  const parts = Object.entries(countKinds(changes)).map(([kind, n]) => `${n} ${PHRASES[kind as ChangeKind]}`);
  return parts.length === 0 ? "nothing" : parts.join(", ");
}

function changeLine(change: ReviewedChange): string {
  const details: string[] = [];
  if (change.previousAddress) details.push(`from ${change.previousAddress}`);
  if (change.replacePaths.length > 0) details.push(`forced by ${change.replacePaths.join(", ")}`);
  else if (change.kind === "update" && change.changedAttributes.length > 0) details.push(`changes ${change.changedAttributes.join(", ")}`);
  if (change.baseKind !== undefined && change.baseKind !== change.kind) details.push(`base plans: ${change.baseKind}`);
  else if (change.baseKind !== undefined && change.alteredAttributes.length > 0) details.push(`differs from base in ${change.alteredAttributes.join(", ")}`);
  if (change.reason && change.replacePaths.length === 0 && change.kind !== "update") details.push(change.reason);
  if (change.failsAtApply) details.push("WOULD FAIL AT APPLY");
  if (change.allowedBy) details.push(`allowed by ${change.allowedBy}`);
  else if (change.introducesDestruction) details.push("NOT ALLOWED");
  const marker = change.introducesDestruction ? "!! " : "   ";
  return `${marker}${SYMBOLS[change.kind].padEnd(11)} ${change.address}${details.length > 0 ? `  (${details.join("; ")})` : ""}`;
}

function stackLines(stack: StackReview): string[] {
  const where = stack.stateFile ? `state ${stack.stateFile}` : stack.stateSource === "synthetic" ? "synthetic base state" : "empty state";
  const lines = [`${stack.stack}  [${stack.status}; ${where}${stack.comparedWithBase ? "; compared with the base's plan" : ""}]`];
  if (stack.status === "removed") {
    lines.push(...stack.notes.map((note) => `  Note: ${note}`));
    return lines;
  }
  if (stack.notPlanned !== undefined) lines.push(`  NOT PLANNED: ${stack.notPlanned}`);
  lines.push(
    stack.changes.length === 0
      ? "  This change: no resource planned differently (its JSON differs in other ways, e.g. moved blocks or outputs)"
      : `  This change: ${countsText(stack.changes)}`,
  );
  lines.push(...stack.changes.map((c) => `  ${changeLine(c)}`));
  if (stack.pending.length > 0) {
    // Listed one by one only where they destroy: the rest is the same with or without the change.
    const destructive = stack.pending.filter((c) => c.kind === "destroy" || c.kind === "replace");
    lines.push(`  Already planned at base, the same with or without this change: ${countsText(stack.pending)}`);
    lines.push(...destructive.map((c) => `  ${changeLine(c)}`));
  }
  lines.push(...stack.notes.map((note) => `  Note: ${note}`));
  return lines;
}

function headline(review: Review, labels: ReviewLabels): string[] {
  const lines = [`Plan review: ${labels.base} -> ${labels.head}`];
  const total = review.stacks.length + review.unchanged.length;
  lines.push(
    review.stacks.length === 0
      ? `No stack changed (${total} compared).`
      : `${review.stacks.length} of ${total} stacks changed: ${review.stacks.map((s) => s.stack).join(", ")}`,
  );
  return lines;
}

function verdictLines(review: Review, allowUnplanned: boolean): string[] {
  const lines: string[] = [];
  if (review.blocking.length > 0) {
    lines.push(`BLOCKED: ${review.blocking.length} destroy/replacement caused by this change and not on the allow list:`);
    for (const b of review.blocking) lines.push(`  ${b.kind} ${b.stack}:${b.address}`);
    lines.push(
      "Once reviewed, accept each with --allow '<stack>:<address>' (`*` matches anything); " +
        "in a pull request, with a line `review-allow: <stack>:<address>` in its description.",
    );
  }
  if (review.applyFailures.length > 0) {
    lines.push(`WOULD FAIL AT APPLY: ${review.applyFailures.length} change(s) the plan accepts and AWS refuses:`);
    for (const f of review.applyFailures) lines.push(`  ${f.stack}:${f.address} ${f.reason}`);
  }
  const unplanned = review.stacks.filter((s) => s.notPlanned !== undefined);
  if (unplanned.length > 0) {
    lines.push(
      `INCOMPLETE: ${unplanned.map((s) => s.stack).join(", ")} could not be planned here` +
        (allowUnplanned ? " (accepted by --allow-unplanned)." : "; fix that or pass --allow-unplanned."),
    );
  }
  for (const pattern of review.unusedAllowPatterns) lines.push(`Warning: --allow ${pattern} matched no destroy or replacement.`);
  return lines;
}

/** The review as text for a terminal: the verdict first, then each changed stack, destroys and replacements first. */
export function renderText(review: Review, labels: ReviewLabels, options: { readonly allowUnplanned?: boolean } = {}): string {
  const verdict = verdictLines(review, options.allowUnplanned ?? false);
  const sections = [headline(review, labels), ...(verdict.length > 0 ? [verdict] : []), ...review.stacks.map(stackLines)];
  return `${sections.map((lines) => lines.join("\n")).join("\n\n")}\n`;
}

/** The review as Markdown, for a pull request comment or a job summary. */
export function renderMarkdown(review: Review, labels: ReviewLabels, options: { readonly allowUnplanned?: boolean } = {}): string {
  const exitCode = reviewExitCode(review, options);
  const status = exitCode === 0 ? "✅ no destroy or replacement outside the allow list" : exitCode === 1 ? (review.applyFailures.length > 0 && review.blocking.length === 0 ? "⛔ would fail at apply" : "⛔ blocked") : "⚠️ incomplete";
  const out = [`### Plan review: ${status}`, "", `\`${labels.base}\` → \`${labels.head}\``, ""];
  if (review.stacks.length === 0) {
    out.push(`No stack changed (${review.unchanged.length} compared).`);
    return `${out.join("\n")}\n`;
  }
  out.push("| stack | this change | already planned at base |", "| --- | --- | --- |");
  for (const stack of review.stacks) {
    const mine = stack.status === "removed" ? "removed from the app" : stack.notPlanned !== undefined ? `not planned: ${countsText(stack.changes)}` : countsText(stack.changes);
    out.push(`| \`${stack.stack}\` | ${mine} | ${stack.pending.length > 0 ? countsText(stack.pending) : "–"} |`);
  }
  const verdict = verdictLines(review, options.allowUnplanned ?? false);
  if (verdict.length > 0) out.push("", "```", ...verdict, "```");
  out.push("", "<details><summary>Details per stack</summary>", "", "```", ...review.stacks.flatMap((s) => [...stackLines(s), ""]), "```", "</details>");
  if (review.unchanged.length > 0) out.push("", `Unchanged: ${review.unchanged.map((s) => `\`${s}\``).join(", ")}`);
  return `${out.join("\n")}\n`;
}

/** The review as data (`--json`): the same facts as the text, planned values left out (they may hold secrets). */
export function renderJson(review: Review, labels: ReviewLabels, options: { readonly allowUnplanned?: boolean } = {}): string {
  const data = {
    base: labels.base,
    head: labels.head,
    exitCode: reviewExitCode(review, options),
    blocking: review.blocking,
    applyFailures: review.applyFailures,
    unusedAllowPatterns: review.unusedAllowPatterns,
    unchanged: review.unchanged,
    stacks: review.stacks.map((stack) => ({
      stack: stack.stack,
      status: stack.status,
      stateFile: stack.stateFile ?? null,
      stateSource: stack.stateSource,
      comparedWithBase: stack.comparedWithBase,
      notPlanned: stack.notPlanned ?? null,
      counts: countKinds(stack.changes),
      pendingCounts: countKinds(stack.pending),
      changes: stack.changes,
      pending: stack.pending,
      notes: stack.notes,
    })),
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}
