import { refreshCheckedInSynth, stackNames, CHECKED_IN_OUTDIR } from "../src/synthesize";

const result = refreshCheckedInSynth();
process.stdout.write(result.stdout);
if (!result.ok) {
  process.stderr.write(result.stderr);
  process.stderr.write("synth failed: the checked-in synth in cdktf.out/ is unchanged.\n");
  process.exit(1);
}
console.log(`synthesized ${stackNames(CHECKED_IN_OUTDIR).join(", ")} into cdktf.out/stacks`);
