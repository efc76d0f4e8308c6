/**
 * `npm run baseline`: checks the checked-in synth (cdktf.out/stacks) against the security baseline
 * (docs/security-baseline.md), prints the waivers in force and every failure, and returns 1 when a
 * rule fails or the environments do not parse.
 */
import { readBackendSettings } from "../../src/backend";
import { registryEnvironments } from "../registry";
import { CHECKED_IN_OUTDIR } from "../synthesize";
import { checkBaseline, formatBaselineReport, readSynthesizedStacks, stacksUnderCheck } from ".";

export function runBaselineCli(): number {
  const stacks = readSynthesizedStacks(CHECKED_IN_OUTDIR);
  if (stacks.length === 0) {
    console.error("cdktf.out/stacks holds no stack; run npm run synth first.");
    return 1;
  }
  // The waivers and names of the environments the synth was made from.
  const environments = registryEnvironments("Nothing was checked.");
  if (environments === undefined) return 1;
  const report = checkBaseline(stacksUnderCheck(stacks, environments, readBackendSettings().bucket));
  console.log(formatBaselineReport(report));
  console.log(`checked ${stacks.length} stack(s): ${stacks.map((stack) => stack.name).join(", ")}`);
  return report.passed ? 0 : 1;
}
