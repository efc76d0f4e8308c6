/**
 * The baseline against the published rule sets: every rule of the fixture (trivy's and checkov's AWS rules for
 * the resource types the stacks synthesize, and the KICS queries looked up) has a row in docs/security-baseline.md,
 * and a row that says a rule is implemented names a rule of the baseline.
 */
import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import { BASELINE_RULES } from "../../src/baseline-rules";
import { PROJECT_ROOT } from "../../tools/synthesize";

interface ScannerRule {
  readonly id: string;
  readonly scanner: "trivy" | "checkov" | "kics";
  readonly title: string;
  readonly resources: readonly string[];
}

const fixture = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "test", "fixtures", "scanner-rules.json"), "utf8")) as {
  sources: Record<string, string>;
  rules: ScannerRule[];
};
const doc = readFileSync(path.join(PROJECT_ROOT, "docs", "security-baseline.md"), "utf8");
const section = doc.slice(doc.indexOf("## The published rule sets"), doc.indexOf("## Secure defaults"));
const rows = section
  .split("\n")
  .filter((line) => line.startsWith("| ") && !line.startsWith("| concern") && !line.startsWith("| ---"))
  .map((line) => line.split(" | "));

/** Resource types of the checked-in synth. */
const synthesizedTypes = new Set(
  readdirSync(path.join(PROJECT_ROOT, "cdktf.out", "stacks")).flatMap((stack) =>
    Object.keys((JSON.parse(readFileSync(path.join(PROJECT_ROOT, "cdktf.out", "stacks", stack, "cdk.tf.json"), "utf8")) as { resource?: object }).resource ?? {}),
  ),
);

describe("the baseline against the published rule sets", () => {
  it("records where the rules were read, and has rules of all three scanners", () => {
    expect(Object.keys(fixture.sources).sort()).toEqual(["checkov", "kics", "trivy"]);
    expect(new Set(fixture.rules.map((rule) => rule.scanner))).toEqual(new Set(["trivy", "checkov", "kics"]));
  });

  it("has a row for every rule, in the column of its scanner, and each rule in one row only", () => {
    const column = { trivy: 1, checkov: 2, kics: 3 } as const;
    const missing = fixture.rules.filter((rule) => rows.filter((row) => row[column[rule.scanner]].includes(`\`${rule.id}\``)).length !== 1);
    expect(missing.map((rule) => `${rule.scanner} ${rule.id} ${rule.title}`)).toEqual([]);
    const listed = rows.flatMap((row) => [row[1], row[2], row[3]].join(" ").match(/`[^`]+`/g) ?? []);
    expect(listed.filter((id) => !fixture.rules.some((rule) => `\`${rule.id}\`` === id))).toEqual([]);
  });

  it("names, for every implemented row, rules the baseline has, and says for every other row why or what is open", () => {
    for (const row of rows) {
      const here = row[4];
      expect(here).toMatch(/^(implemented|passes, not checked|by design|does not apply|outside the stacks|open)\b/);
      if (here.startsWith("implemented")) {
        const named = [...here.matchAll(/`([a-z0-9-]+)`/g)].map((match) => match[1]);
        expect(named.length).toBeGreaterThan(0);
        for (const rule of named) expect(Object.keys(BASELINE_RULES)).toContain(rule);
      }
    }
  });

  it("lists only rules of resource types the stacks synthesize, or of the facts they check", () => {
    const checkedFacts = new Set(["aws_efs_file_system", "aws_acm_certificate"]);
    const foreign = fixture.rules.filter((rule) => !rule.resources.some((type) => synthesizedTypes.has(type) || checkedFacts.has(type)));
    expect(foreign.map((rule) => rule.id)).toEqual([]);
  });
});
