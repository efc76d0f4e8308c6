/**
 * `npm run baseline`: checks the checked-in synth (cdktf.out/stacks) against
 * the security baseline (docs/security-baseline.md), prints the waivers in
 * force and every failure, and exits non-zero when a rule fails.
 */
import { readBackendSettings } from "../src/backend";
import { checkBaseline, formatBaselineReport, readSynthesizedStacks, stacksUnderCheck } from "../tools/baseline";
import { ENVIRONMENTS } from "../src/environments";
import { CHECKED_IN_OUTDIR } from "../tools/synthesize";

const stacks = readSynthesizedStacks(CHECKED_IN_OUTDIR);
if (stacks.length === 0) {
  console.error("cdktf.out/stacks holds no stack; run npm run synth first.");
  process.exit(1);
}
const report = checkBaseline(stacksUnderCheck(stacks, ENVIRONMENTS, readBackendSettings().bucket));
console.log(formatBaselineReport(report));
console.log(`checked ${stacks.length} stack(s): ${stacks.map((stack) => stack.name).join(", ")}`);
process.exit(report.passed ? 0 : 1);
