import { Environment } from "./environment";
import { production } from "./production";
import { staging } from "./staging";

export * from "./environment";

/** Every environment the app synthesizes. Adding one is a new file and one line here. */
export const ENVIRONMENTS: readonly Environment[] = [staging, production];
