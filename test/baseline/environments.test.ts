import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { readBackendSettings } from "../../src/backend";
import { checkBaseline, formatBaselineReport, readSynthesizedStacks, stacksUnderCheck, SynthesizedStack } from "../../tools/baseline";
import { PARSED_ENVIRONMENTS as ENVIRONMENTS } from "../support/environments";
import { formatWaivers } from "../../src/environments/validate";
import { synthesizeTo } from "../../tools/synthesize";

/** Synthesizes the app as `npm run synth` does, with extra cdktf context, and reads every stack. */
function synthesizeApp(context?: Record<string, unknown>): SynthesizedStack[] {
  const outdir = mkdtempSync(path.join(tmpdir(), "baseline-"));
  try {
    const env = context ? { ...process.env, CDKTF_CONTEXT_JSON: JSON.stringify(context) } : process.env;
    const result = synthesizeTo(outdir, env);
    if (!result.ok) throw new Error(`synth with context ${JSON.stringify(context ?? {})} failed:\n${result.stderr}`);
    return readSynthesizedStacks(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe("every stack of every environment", () => {
  const backend = readBackendSettings();
  const stacks = synthesizeApp();
  // The switch changes the matrix task, so both of its positions are checked; waivers count across both.
  const upgradeStacks = synthesizeApp({ postgresUpgrade: true });
  const report = checkBaseline([
    ...stacksUnderCheck(stacks, ENVIRONMENTS, backend.bucket),
    ...stacksUnderCheck(upgradeStacks, ENVIRONMENTS, backend.bucket).map((stack) => ({ ...stack, name: `${stack.name} (postgresUpgrade on)` })),
  ]);

  it("synthesizes every environment's stacks", () => {
    for (const environment of ENVIRONMENTS) {
      for (const kind of ["networking", "secrets", "jitsi-matrix"]) {
        expect(stacks.map((stack) => stack.name)).toContain(`${kind}-${environment.name}`);
      }
    }
  });

  it("passes the security baseline, every finding excused by a waiver of its environment, every waiver used", () => {
    // The waivers in force, with their reasons and the findings they excuse, for whoever reads the test output.
    console.log(formatBaselineReport(report));
    expect(report.violations).toEqual([]);
    expect(report.unusedWaivers).toEqual([]);
    expect(report.passed).toBe(true);
  });

  it("lists a waiver in force for every waiver an environment declares, and no other", () => {
    const declared = ENVIRONMENTS.flatMap((environment) => Object.keys(environment.waivers ?? {}).map((rule) => `${environment.name}: ${rule}`));
    expect(report.waivers.map((waiver) => `${waiver.environment}: ${waiver.rule}`).sort()).toEqual(declared.sort());
  });

  it("prints the waiver listing, which names every waiver in force with its reason, as npm run synth does", () => {
    const listing = formatWaivers(ENVIRONMENTS);
    // For whoever reads the test output: the same listing operators get from npm run synth.
    console.log(listing);
    expect(report.waivers.length).toBeGreaterThan(0);
    for (const waiver of report.waivers) expect(listing).toContain(`  - ${waiver.environment}: ${waiver.rule} — ${waiver.reason}`);
    for (const environment of ENVIRONMENTS) {
      for (const [rule, reason] of Object.entries(environment.waivers ?? {})) expect(listing).toContain(`${environment.name}: ${rule} — ${reason}`);
    }
    expect(listing.split("\n")).toHaveLength(1 + report.waivers.length);
  });

  it("tags every Auto Scaling group with its environment's tags, but where a legacy environment waives it", () => {
    const untagged = (name: string) => report.waivers.find((waiver) => waiver.environment === name && waiver.rule === "autoscaling-tags");
    for (const name of ["staging", "production"]) {
      expect(untagged(name)?.findings.map((finding) => `${finding.stack} ${finding.address}`)).toEqual([
        `jitsi-matrix-${name} aws_autoscaling_group.capacity_group`,
        `jitsi-matrix-${name} (postgresUpgrade on) aws_autoscaling_group.capacity_group`,
      ]);
    }
    expect(untagged("dev")).toBeUndefined();
    const dev = stacks.find((stack) => stack.name === "jitsi-matrix-dev")!.json.resource!;
    const group = Object.values(dev.aws_autoscaling_group)[0] as { tag: { key: string; value: string; propagate_at_launch: boolean }[] };
    const devEnvironment = ENVIRONMENTS.find((environment) => environment.name === "dev")!;
    for (const [key, value] of Object.entries(devEnvironment.tags)) expect(group.tag).toContainEqual({ key, value, propagate_at_launch: true });
  });

  it("keeps the state encrypted: backend.tf.json sets encrypt, and every S3 backend of the synth has it", () => {
    expect(backend.encrypt).toBe(true);
    const s3Backends = [...stacks, ...upgradeStacks].map((stack) => stack.json.terraform?.backend?.s3).filter((s3) => s3 !== undefined);
    expect(s3Backends.length).toBeGreaterThanOrEqual(ENVIRONMENTS.length * 3 * 2);
    for (const s3 of s3Backends) expect(s3).toMatchObject({ bucket: backend.bucket, encrypt: true });
  });
});
