/**
 * A rule between fields of one environment, as a refinement of the environment's schema.
 *
 * Each rule names the fields it reads and runs whenever those passed their own schemas (zod's
 * `when`), even if an unrelated field is invalid: every problem of an environment is reported at
 * once, and a rule only ever reads values of the types the schema promises.
 */
import { z } from "zod";
import type { EnvironmentFields } from "../shape";
import { EnvironmentProblem } from "./problem";

/** Where a rule reports. */
export interface Report {
  /** A problem that stops the synth. */
  readonly error: (path: string, message: string) => void;
  /** A problem that does not stop a synth, such as a waived `latest` image tag. */
  readonly warn: (path: string, message: string) => void;
  /** Whether a field (a dotted path, `capacity.instanceType`) passed its own schema, for a rule that reads it only when it did. */
  readonly valid: (path: string) => boolean;
}

export interface EnvironmentRule {
  /** Dotted paths of the fields the rule reads; it runs when none of them has a problem of its own. */
  readonly reads: readonly string[];
  readonly check: (env: EnvironmentFields, report: Report) => void;
}

/** The field path a rule reports at, in the project's notation (`waivers["admin-ports-closed"]`), kept on its issue. */
interface RuleIssueParams {
  readonly field: string;
}

/** A problem of a rule, rather than of a field's own schema. */
export function ruleFieldOf(issue: z.core.$ZodIssue): string | undefined {
  return issue.code === "custom" ? (issue.params as Partial<RuleIssueParams> | undefined)?.field : undefined;
}

const pathOf = (dotted: string): readonly string[] => dotted.split(".");

/** One path is the other or lies inside it. */
const related = (a: readonly PropertyKey[], b: readonly PropertyKey[]) => a.slice(0, b.length).every((key, i) => String(key) === String(b[i])) || b.slice(0, a.length).every((key, i) => String(key) === String(a[i]));

/**
 * Whether a field has no problem of its own: no issue inside it or on a field that contains it. A
 * misspelt key beside it does not count, nor does another rule's problem.
 */
function fieldValid(issues: readonly z.core.$ZodRawIssue[], path: readonly string[]): boolean {
  return issues.every((issue) => issue.code === "unrecognized_keys" || ruleFieldOf(issue as z.core.$ZodIssue) !== undefined || !related(issue.path ?? [], path));
}

// zod has no warning level (any issue fails the parse), so warnings are collected beside it.
let warningSink: EnvironmentProblem[] | undefined;

/** Runs a parse, returning what it returns and the warnings its rules gave. */
export function collectingWarnings<T>(parse: () => T): { readonly result: T; readonly warnings: EnvironmentProblem[] } {
  const outer = warningSink;
  const warnings: EnvironmentProblem[] = [];
  warningSink = warnings;
  try {
    return { result: parse(), warnings };
  } finally {
    warningSink = outer;
  }
}

/** The rules as refinements of a schema of the environment's fields, in their order. */
export function withRules<S extends z.ZodType<EnvironmentFields>>(schema: S, rules: readonly EnvironmentRule[]): S {
  return rules.reduce(
    (refined, rule) =>
      refined.superRefine(
        (env, ctx) => {
          rule.check(env, {
            error: (field, message) => ctx.addIssue({ code: "custom", message, path: [], input: undefined, params: { field } satisfies RuleIssueParams }),
            warn: (path, message) => warningSink?.push({ path, message }),
            valid: (field) => fieldValid(ctx.issues, pathOf(field)),
          });
        },
        { when: (payload) => rule.reads.every((field) => fieldValid(payload.issues, pathOf(field))) },
      ),
    schema,
  );
}
