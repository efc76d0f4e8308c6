/**
 * The environment files against the registry: every file of `src/environments/` that exports an environment must be
 * listed in `ENVIRONMENTS`, under an export named as the environment. A file left out would not be synthesized, and
 * the synth, which rewrites `cdktf.out/stacks`, would delete its checked-in stacks without a word.
 */
import { readdirSync } from "fs";
import * as path from "path";
import type { EnvironmentInput } from "./environment";
import { ENVIRONMENT_NAME } from "./fields";

/** An exported value shaped like an environment: a name, a network, a cluster. */
function looksLikeEnvironment(value: unknown): value is EnvironmentInput {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.name === "string" && typeof candidate.network === "object" && typeof candidate.cluster === "object";
}

/** `qa-eu` is exported as `qaEu`, `qa_eu` or `qaeu`: the letters and digits, in any case. */
const exportNameOf = (name: string) => name.replace(/[^A-Za-z0-9]/g, "").toLowerCase();

/** The problems of `dir`'s environment files against `registry`, each naming the file and the fix. */
export function environmentFileProblems(dir: string, registry: readonly EnvironmentInput[]): string[] {
  const problems: string[] = [];
  for (const file of readdirSync(dir).filter((name) => /\.ts$/.test(name) && !name.endsWith(".d.ts")).sort()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(path.join(dir, file)) as Record<string, unknown>;
    for (const [exportName, value] of Object.entries(exported)) {
      if (!looksLikeEnvironment(value)) continue;
      const where = `src/environments/${file}`;
      if (!registry.includes(value)) {
        problems.push(
          `${where}: exports ${exportName}, an environment that ENVIRONMENTS (src/environments/index.ts) does not list, so the synth would leave it out and delete its stacks from cdktf.out; add ${exportName} to ENVIRONMENTS, or delete the file`,
        );
      } else if (ENVIRONMENT_NAME.test(value.name) && exportNameOf(exportName) !== exportNameOf(value.name)) {
        // A name that is no environment name at all is validation's to report, with its own fix.
        problems.push(`${where}: exports ${exportName}, whose name is ${JSON.stringify(value.name)}; name the export after the environment (export const ${exportNameOf(value.name)})`);
      }
    }
  }
  return problems;
}
