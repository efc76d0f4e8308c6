/**
 * Rules of an environment that relate several fields, one file per concern in `rules/`: the
 * network, the load balancer, names, the tasks, the operations options and the settings the
 * security baseline allows only with a waiver. The rules between environments are in
 * `between-environments.ts`.
 *
 * They read the raw input defensively (`rules/read.ts`), so that they run even when some field has
 * the wrong type (the schema reports that one): every problem of an environment is reported at once.
 */
import { jvbSettings, regionOf, RuleContext } from "./rules/context";
import { certificateRules, dnsRules, listenerPriorityRules } from "./rules/load-balancer";
import { derivedNameRules, distinctNameRules } from "./rules/names";
import { networkRules } from "./rules/network";
import { capacitySizeRules, operationsRules } from "./rules/operations";
import { EnvironmentProblem } from "./rules/problem";
import { obj } from "./rules/read";
import { instanceRules, volumeRules } from "./rules/tasks";
import { waiverRules } from "./rules/waivers";

export type { EnvironmentProblem } from "./rules/problem";

export interface CrossCheckResult {
  readonly errors: EnvironmentProblem[];
  readonly warnings: EnvironmentProblem[];
}

/** In the order they report: within one field, problems keep this order. */
const RULES: readonly ((ctx: RuleContext) => void)[] = [
  networkRules,
  certificateRules,
  dnsRules,
  listenerPriorityRules,
  capacitySizeRules,
  derivedNameRules,
  distinctNameRules,
  volumeRules,
  instanceRules,
  operationsRules,
  waiverRules,
];

export function crossCheck(input: unknown): CrossCheckResult {
  const errors: EnvironmentProblem[] = [];
  const warnings: EnvironmentProblem[] = [];
  const env = obj(input);
  const ctx: RuleContext = {
    env,
    region: regionOf(env),
    error: (path, message) => errors.push({ path, message }),
    warn: (path, message) => warnings.push({ path, message }),
    jvb: jvbSettings(env),
  };
  for (const rule of RULES) rule(ctx);
  return { errors, warnings };
}
