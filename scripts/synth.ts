import { refreshCheckedInSynth, stackNames, CHECKED_IN_OUTDIR } from "../tools/synthesize";

const result = refreshCheckedInSynth();
process.stdout.write(result.stdout);
// On success too: the app warns there, e.g. about a waived image tag.
process.stderr.write(result.stderr);
if (!result.ok) {
  process.stderr.write("synth failed: the checked-in synth in cdktf.out/ is unchanged.\n");
  process.exit(1);
}
console.log(`synthesized ${stackNames(CHECKED_IN_OUTDIR).join(", ")} into cdktf.out/stacks`);
