import { dev } from "./dev";
import { EnvironmentInput } from "./environment";
import { production } from "./production";
import { staging } from "./staging";

export * from "./environment";
export {
  checkEnvironment,
  EnvironmentValidationError,
  formatProblem,
  parseEnvironment,
  parseEnvironments,
  parseEnvironmentsOrExit,
} from "./validate";
export type { EnvironmentCheck, EnvironmentProblem, ParseOptions } from "./validate";
export type { LocatedProblem } from "./between-environments";

/**
 * Every environment the app synthesizes. Adding one is a new file (a copy of
 * `dev.ts`) and one line here; `main.ts` validates them all (`parseEnvironments`)
 * before building a stack.
 */
export const ENVIRONMENTS: readonly EnvironmentInput[] = [staging, production, dev];
