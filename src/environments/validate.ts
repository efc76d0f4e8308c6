/**
 * Validation of environments before any stack is built: the environment's schema (`schema.ts`:
 * its fields' own rules and the rules between fields) and, for the registry, the rules between
 * environments. Every problem is reported at once, each as `path: what is wrong; how to fix it`.
 */
import { z } from "zod";
import { crossEnvironmentProblems, LocatedProblem, labelsOf } from "./between-environments";
import type { Environment } from "./environment";
import { EnvironmentProblem } from "./rules/problem";
import { collectingWarnings, ruleFieldOf } from "./rules/rule";
import { environmentSchema } from "./schema";
import { environmentFields } from "./shape";

export type { EnvironmentProblem } from "./rules/problem";

/** A problem of one environment of a list. */
export interface EnvironmentCheck {
  readonly errors: readonly EnvironmentProblem[];
  /** Problems that do not stop a synth, such as a waived `latest` image tag. */
  readonly warnings: readonly EnvironmentProblem[];
  /** The schema's parse of the input, when it has no error: what the stacks read. */
  readonly environment?: Environment;
}

export interface ParseOptions {
  /**
   * Receives each warning.
   * @default - printed on stderr
   */
  readonly onWarning?: (problem: LocatedProblem) => void;
}

/** One error listing every problem of one or more environments. */
export class EnvironmentValidationError extends Error {
  public readonly problems: readonly LocatedProblem[];

  constructor(problems: readonly LocatedProblem[]) {
    super(formatProblems(problems));
    this.name = "EnvironmentValidationError";
    this.problems = problems;
  }
}

/** `path: message`, the one line format of a problem. */
export function formatProblem(problem: EnvironmentProblem): string {
  return `${problem.path}: ${problem.message}`;
}

function formatProblems(problems: readonly LocatedProblem[]): string {
  const byEnvironment = new Map<string, LocatedProblem[]>();
  for (const problem of problems) byEnvironment.set(problem.environment, [...(byEnvironment.get(problem.environment) ?? []), problem]);
  const lines = [`${problems.length} problem(s) in ${byEnvironment.size} environment(s); fix them and synthesize again:`];
  for (const [environment, list] of byEnvironment) {
    lines.push(`environment ${environment}:`);
    for (const problem of list) lines.push(`  - ${formatProblem(problem)}`);
  }
  return lines.join("\n");
}

const printWarning = (problem: LocatedProblem) => console.warn(`warning: environment ${problem.environment}: ${formatProblem(problem)}`);

// ---------------------------------------------------------------------------------------------
// Zod issues in the project's format
// ---------------------------------------------------------------------------------------------

/** `network.subnets[1].cidrBlock`, `waivers["admin-ports-closed"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(key))) text += text === "" ? String(key) : `.${String(key)}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text === "" ? "(environment)" : text;
}

/** The schema below a path, looking through optional wrappers, arrays and records. */
function schemaAt(path: readonly PropertyKey[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = environmentFields;
  const unwrap = () => {
    while (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) schema = schema.unwrap() as z.ZodType;
  };
  for (const key of path) {
    unwrap();
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(key)];
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else return undefined;
  }
  unwrap();
  return schema;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "an object",
  array: "a list",
  record: "an object",
};

/** A value as the environment file would write it; JSON would render NaN and Infinity as `null`. */
const show = (value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? String(value) : JSON.stringify(value));

function toProblems(issue: z.core.$ZodIssue): EnvironmentProblem[] {
  const ruleField = ruleFieldOf(issue);
  if (ruleField !== undefined) return [{ path: ruleField, message: issue.message }];
  const path = formatPath(issue.path);
  switch (issue.code) {
    case "custom":
      return [{ path, message: issue.message }];
    case "invalid_type": {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return [
        issue.input === undefined
          ? { path, message: `is missing; add it (${expected})` }
          : { path, message: `${show(issue.input)} is not ${expected}; give ${expected}` },
      ];
    }
    case "unrecognized_keys": {
      const schema = schemaAt(issue.path);
      const fields = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: `is not a field ${issue.path.length === 0 ? "of an environment" : `of ${path}`}; remove it or fix its spelling${fields.length > 0 ? ` (fields: ${fields.join(", ")})` : ""}`,
      }));
    }
    case "invalid_value":
      return [
        {
          path,
          message: `${show(issue.input)} is not allowed; use one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`,
        },
      ];
    default:
      return [{ path, message: `${issue.message}; fix the value` }];
  }
}

// ---------------------------------------------------------------------------------------------
// One environment
// ---------------------------------------------------------------------------------------------

/** Every problem of one environment, without throwing. */
export function checkEnvironment(input: unknown): EnvironmentCheck {
  const { result: parsed, warnings } = collectingWarnings(() => environmentSchema.safeParse(input, { reportInput: true }));
  if (parsed.success) return { errors: [], warnings: inFieldOrder(warnings), environment: parsed.data };
  return { errors: inFieldOrder(parsed.error.issues.flatMap(toProblems)), warnings: inFieldOrder(warnings) };
}

/** Problems in the order of the fields in an environment file (stable within a field). */
function inFieldOrder(problems: readonly EnvironmentProblem[]): EnvironmentProblem[] {
  const fields = Object.keys(environmentFields.shape);
  const rank = (problem: EnvironmentProblem) => {
    const index = fields.indexOf(problem.path.split(/[.[]/)[0]);
    return index < 0 ? fields.length : index;
  };
  return [...problems].sort((a, b) => rank(a) - rank(b));
}

/**
 * The environment, checked: returns it typed, or throws one
 * `EnvironmentValidationError` that lists every problem, each with the
 * field's path, what is wrong and what would be right.
 */
export function parseEnvironment(input: unknown, options: ParseOptions = {}): Environment {
  return parseEnvironments([input], options)[0];
}

// ---------------------------------------------------------------------------------------------
// Several environments: the registry
// ---------------------------------------------------------------------------------------------

/**
 * Every environment, checked on its own and against the others; returns
 * them typed, or throws one `EnvironmentValidationError` listing every
 * problem of every environment.
 */
export function parseEnvironments(inputs: readonly unknown[], options: ParseOptions = {}): Environment[] {
  const problems: LocatedProblem[] = [];
  const warnings: LocatedProblem[] = [];
  const labels = labelsOf(inputs);
  const parsed = inputs.map((input, index) => {
    const environment = labels[index];
    const check = checkEnvironment(input);
    problems.push(...check.errors.map((problem) => ({ environment, ...problem })));
    warnings.push(...check.warnings.map((problem) => ({ environment, ...problem })));
    return check.environment;
  });
  problems.push(...crossEnvironmentProblems(inputs));
  if (problems.length > 0) throw new EnvironmentValidationError(problems);
  warnings.forEach(options.onWarning ?? printWarning);
  // The schema's output, never the input cast: a field the schema does not know cannot reach a stack.
  return parsed as Environment[];
}

/**
 * The waivers the environments declare, one line each as `environment: rule — reason`,
 * so that whoever synthesizes or tests sees every weaker setting kept and why.
 */
export function formatWaivers(environments: readonly Pick<Environment, "name" | "waivers">[]): string {
  const lines = environments.flatMap((environment) =>
    Object.entries(environment.waivers).map(([rule, reason]) => `  - ${environment.name}: ${rule} — ${reason}`),
  );
  if (lines.length === 0) return "Security baseline waivers in force: none.";
  return ["Security baseline waivers in force (docs/security-baseline.md):", ...lines].join("\n");
}

/**
 * For the app's entry point: the environments, checked, or their problems on
 * stderr and exit code 1, before anything is built or written. On success it
 * prints the waivers in force on stdout.
 */
export function parseEnvironmentsOrExit(inputs: readonly unknown[], options: ParseOptions & { readonly registryProblems?: readonly string[] } = {}): Environment[] {
  // Problems of the registry itself (its files, registry-files.ts) stop the synth as the environments' do, reported with them.
  const registry = options.registryProblems ?? [];
  const fail = (text: string) => {
    process.stderr.write(`${[text, ...registry].filter(Boolean).join("\n")}\nNo stack was synthesized.\n`);
    process.exit(1);
  };
  try {
    const environments = parseEnvironments(inputs, options);
    if (registry.length > 0) fail("");
    process.stdout.write(`${formatWaivers(environments)}\n`);
    return environments;
  } catch (error) {
    if (!(error instanceof EnvironmentValidationError)) throw error;
    return fail(error.message) as never;
  }
}
