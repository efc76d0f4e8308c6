import { execFileSync } from "child_process";
import { PROJECT_ROOT } from "../tools/synthesize";

// After `npm run synth`: the synth is checked in, so any difference from git (a changed, new or deleted stack) is stale.
const changes = execFileSync("git", ["status", "--porcelain", "--", "cdktf.out"], { cwd: PROJECT_ROOT, encoding: "utf8" });
if (changes.trim() !== "") {
  process.stderr.write(`${changes}cdktf.out is stale: run 'npm run synth' and commit cdktf.out/stacks.\n`);
  process.exit(1);
}
console.log("cdktf.out matches the committed synth");
