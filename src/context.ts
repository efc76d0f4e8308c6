/**
 * The cdktf context this app reads, and the one way the cdktf CLI could lose it.
 *
 * The CLI (0.21 and its fork) sets `CDKTF_CONTEXT_JSON` from `cdktf.json`'s `context` key whenever
 * that key is present, even as `{}`, replacing whatever the operator exported. A switch given on
 * the command line would then be dropped without a word, so the app refuses to run while the key
 * is there rather than synthesize the switch off.
 */
import { App } from "cdktf";
import { existsSync, readFileSync } from "fs";
import * as path from "path";

/** The variable cdktf reads context from, in the CLI and in a direct `node` run alike. */
export const CONTEXT_ENV = "CDKTF_CONTEXT_JSON";

/** cdktf context key that turns the PostgreSQL upgrade switch on for one synth or deploy. */
export const POSTGRES_UPGRADE_CONTEXT_KEY = "postgresUpgrade";

/**
 * The problem, naming the field and the fix, when `<projectRoot>/cdktf.json` has a `context` key:
 * with it the CLI would replace the operator's `CDKTF_CONTEXT_JSON`. Undefined when there is none.
 */
export function cliContextProblem(projectRoot: string): string | undefined {
  const file = path.join(projectRoot, "cdktf.json");
  if (!existsSync(file)) return undefined;
  const config = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  if (!("context" in config)) return undefined;
  return (
    `cdktf.json: context: ${JSON.stringify(config.context)} makes the cdktf CLI replace ${CONTEXT_ENV} with it, ` +
      `so a switch given as ${CONTEXT_ENV}='{"${POSTGRES_UPGRADE_CONTEXT_KEY}":true}' would be dropped silently; ` +
      `remove the "context" key from cdktf.json (this app takes its context only from ${CONTEXT_ENV}).`
  );
}

/** Where a switch's value came from, for the line a synth prints when it turns the switch on. */
export interface Switch {
  readonly on: boolean;
  readonly source: string;
}

/**
 * The PostgreSQL upgrade switch of one environment: the context key when set (`true`/`false`, as
 * JSON or string), else the environment's own field.
 */
export function postgresUpgradeSwitch(app: App, environmentName: string, enabledInEnvironment: boolean): Switch {
  const value: unknown = app.node.tryGetContext(POSTGRES_UPGRADE_CONTEXT_KEY);
  if (value === undefined || value === null) {
    return { on: enabledInEnvironment, source: `postgresUpgrade.enabled in src/environments (environment ${environmentName})` };
  }
  const source = `${CONTEXT_ENV} ${POSTGRES_UPGRADE_CONTEXT_KEY}=${JSON.stringify(value)}`;
  if (value === true || value === "true") return { on: true, source };
  if (value === false || value === "false") return { on: false, source };
  throw new Error(
    `context ${POSTGRES_UPGRADE_CONTEXT_KEY}: ${JSON.stringify(value)} is not a switch; ` +
      `use ${CONTEXT_ENV}='{"${POSTGRES_UPGRADE_CONTEXT_KEY}":true}' or false.`,
  );
}
