/**
 * The environments of the registry for a tool: parsed as `main.ts` parses them, so that a tool reads
 * the same environments the stacks were synthesized from, and never an unchecked one.
 */
import { Environment, ENVIRONMENTS, EnvironmentValidationError, parseEnvironments } from "../src/environments";

/**
 * The parsed environments, or undefined after printing every problem and `consequence` (what the
 * tool did not do, e.g. "Nothing was checked.") on stderr. Warnings stay with the synth, which prints them.
 */
export function registryEnvironments(consequence: string): Environment[] | undefined {
  try {
    return parseEnvironments(ENVIRONMENTS, { onWarning: () => undefined });
  } catch (error) {
    if (!(error instanceof EnvironmentValidationError)) throw error;
    console.error(`${error.message}\n${consequence}`);
    return undefined;
  }
}
