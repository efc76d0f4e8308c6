/**
 * The registry's environments parsed, as the app hands them to the stacks and tools
 * (`parseEnvironments`): every default resolved. Tests that build stacks or run tools take these;
 * tests of validation take the files' inputs.
 */
import { Environment, ENVIRONMENTS, parseEnvironment, parseEnvironments } from "../../src/environments";
import { dev as devInput } from "../../src/environments/dev";
import { production as productionInput } from "../../src/environments/production";
import { staging as stagingInput } from "../../src/environments/staging";

/** An environment as `parseEnvironments` returns it; its warnings are validation's tests' concern. */
export const parsed = (input: unknown): Environment => parseEnvironment(input, { onWarning: () => undefined });

export const staging = parsed(stagingInput);
export const production = parsed(productionInput);
export const dev = parsed(devInput);

/** The registry, parsed as `main.ts` parses it. */
export const PARSED_ENVIRONMENTS = parseEnvironments(ENVIRONMENTS, { onWarning: () => undefined });
