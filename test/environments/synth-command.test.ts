/**
 * `npm run synth` as an operator runs it, in a copy of the project whose
 * registry holds an added environment: a bad one fails the synth with the
 * list of its problems and leaves the checked-in synth untouched; one made
 * by the README's recipe (a copy of dev.ts) synthesizes and passes the
 * baseline with no waiver.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import * as path from "path";
import { checkBaseline, readSynthesizedStacks, stacksUnderCheck } from "../../tools/baseline";
import { Environment, EnvironmentInput, parseEnvironment } from "../../src/environments";
import { formatWaivers } from "../../src/environments/validate";
import { PARSED_ENVIRONMENTS } from "../support/environments";
import { PROJECT_ROOT } from "../../tools/synthesize";
import { ProjectCopy } from "../support/project-copy";
import { BAD_ENVIRONMENTS } from "./bad-environments";
import { inAccount, newEnvironment } from "./fixtures";

/** A copy of the project (test/support/project-copy.ts), removed by the caller. */
function copyProject(): string {
  return new ProjectCopy().dir;
}

/** Adds environments to the copy's registry the README's way: one file each, one line in `index.ts`. */
function register(project: string, files: Readonly<Record<string, string>>): void {
  const index = path.join(project, "src", "environments", "index.ts");
  for (const [exportName, source] of Object.entries(files)) {
    writeFileSync(path.join(project, "src", "environments", `${exportName}.ts`), source);
    appendFileSync(index, `import { ${exportName} } from "./${exportName}";\n(ENVIRONMENTS as EnvironmentInput[]).push(${exportName});\n`);
  }
}

const environmentFile = (exportName: string, environment: unknown) =>
  `import { EnvironmentInput } from "./environment";\n\nexport const ${exportName}: EnvironmentInput = ${JSON.stringify(environment, null, 2)};\n`;

function npmRunSynth(project: string) {
  const result = spawnSync("npm", ["run", "--silent", "synth"], { cwd: project, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file under a directory with its content hash, to tell "untouched" exactly. */
function fingerprint(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (current: string) => {
    for (const entry of readdirSync(current)) {
      const full = path.join(current, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files[path.relative(dir, full)] = createHash("sha256").update(readFileSync(full)).digest("hex");
    }
  };
  if (existsSync(dir)) walk(dir);
  return files;
}

/** The problem lines of each environment in the app's error output. */
function problemsByEnvironment(stderr: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stderr.split("\n")) {
    const heading = /^environment (.+):$/.exec(line);
    if (heading) sections.set(heading[1], (current = sections.get(heading[1]) ?? []));
    else if (line.startsWith("  - ") && current) current.push(line.slice(4));
  }
  return sections;
}

describe("npm run synth", () => {
  const projects: string[] = [];
  const project = () => {
    const dir = copyProject();
    projects.push(dir);
    return dir;
  };
  afterAll(() => projects.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("with a bad environment, exits non-zero, prints each problem's path and fix, and leaves cdktf.out untouched", () => {
    const dir = project();
    const bad = newEnvironment();
    bad.name = "broken";
    bad.loadBalancer.name = "jitsi-matrix-application-lb-broken";
    bad.network.subnets[1].availabilityZone = "eu-west-1a";
    bad.capacity.minSize = 3;
    bad.jitsi.volumes[0].rootDirectory = "prosody/config";
    // Another account: its names and directories then clash with dev's in no AWS scope.
    inAccount(bad, "210987654321");
    register(dir, { broken: environmentFile("broken", bad) });
    const before = fingerprint(path.join(dir, "cdktf.out"));

    const result = npmRunSynth(dir);

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("4 problem(s) in 1 environment(s); fix them and synthesize again:");
    expect(problemsByEnvironment(result.stderr).get("broken")).toEqual([
      expect.stringMatching(/^network.subnets\[1\].availabilityZone: "eu-west-1a" is already the zone of network.subnets\[0\]; .* e.g. "eu-west-1b"$/),
      expect.stringMatching(/^capacity.minSize: 3 is more than capacity.desiredCapacity \(1\); .*lower minSize or raise desiredCapacity$/),
      expect.stringMatching(/^loadBalancer.name: "jitsi-matrix-application-lb-broken" has 34 characters, more than the 32 .*; shorten it/),
      expect.stringMatching(/^jitsi.volumes\[0\].rootDirectory: "prosody\/config" is not an absolute path; .*"\/prosody\/config"$/),
    ]);
    expect(result.stderr).toContain("No stack was synthesized.");
    expect(result.stderr).toContain("synth failed: the checked-in synth in cdktf.out/ is unchanged.");
    expect(fingerprint(path.join(dir, "cdktf.out"))).toEqual(before);
    expect(Object.keys(before).length).toBeGreaterThan(0);
  });

  it("with every bad environment of the validation table at once, reports each one's problem under its name", () => {
    const dir = project();
    const files: Record<string, string> = {};
    const expected: [label: string, path: string][] = [];
    BAD_ENVIRONMENTS.forEach(([, breakIt, problemPath], index) => {
      const environment = newEnvironment();
      breakIt(environment);
      // Own name, VPC, account and domain, so that the environments do not clash with each other.
      if (environment.name === "dev") environment.name = `bad-${index}`;
      if (!/^(accountId|loadBalancer\.certificateArn)/.test(problemPath)) inAccount(environment, String(200000000000 + index));
      if (environment.network.vpcId === "vpc-0123456789abcdef0") environment.network.vpcId = `vpc-${index.toString(16).padStart(8, "0")}`;
      const domain = (value: unknown) => (typeof value === "string" ? value.replace("dev.example.org", `bad${index}.example.org`) : value);
      const dns = environment.dns as unknown as { hostedZoneName?: unknown; hosts: Record<string, unknown> };
      dns.hostedZoneName = domain(dns.hostedZoneName);
      // A zone of its own for each: one zone ID has one name.
      if (!/^dns\./.test(problemPath)) (environment.dns as { hostedZoneId: string }).hostedZoneId = `Z0BAD${index}ZONE`;
      for (const key of Object.keys(dns.hosts)) dns.hosts[key] = domain(dns.hosts[key]);
      files[`bad${index}`] = environmentFile(`bad${index}`, environment);
      expected.push([environment.name, problemPath]);
    });
    register(dir, files);
    const before = fingerprint(path.join(dir, "cdktf.out"));

    const result = npmRunSynth(dir);

    expect(result.status).not.toBe(0);
    const sections = problemsByEnvironment(result.stderr);
    for (const [label, problemPath] of expected) {
      expect({ label, problems: sections.get(label) }).toEqual({
        label,
        problems: expect.arrayContaining([expect.stringMatching(new RegExp(`^${problemPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*; \\S`))]),
      });
    }
    expect(fingerprint(path.join(dir, "cdktf.out"))).toEqual(before);
  });

  it("with an environment file the registry does not list, or lists under another name, refuses before anything is written", () => {
    const dir = project();
    const qa = { ...newEnvironment(), name: "qa" };
    // The README's step 1 done, its one line in index.ts forgotten: the synth would delete qa's stacks.
    writeFileSync(path.join(dir, "src", "environments", "qa.ts"), environmentFile("qa", qa));
    const before = fingerprint(path.join(dir, "cdktf.out"));
    const unlisted = npmRunSynth(dir);
    expect(unlisted.status).toBe(1);
    expect(unlisted.stderr).toContain(
      "src/environments/qa.ts: exports qa, an environment that ENVIRONMENTS (src/environments/index.ts) does not list, so the synth would leave it out and delete its stacks from cdktf.out; add qa to ENVIRONMENTS, or delete the file",
    );
    expect(unlisted.stderr).toContain("No stack was synthesized.");
    expect(fingerprint(path.join(dir, "cdktf.out"))).toEqual(before);

    // Listed, but a copy of dev.ts whose export kept its old name.
    rmSync(path.join(dir, "src", "environments", "qa.ts"));
    register(dir, { devCopy: environmentFile("devCopy", qa) });
    const misnamed = npmRunSynth(dir);
    expect(misnamed.status).toBe(1);
    expect(misnamed.stderr).toContain('src/environments/devCopy.ts: exports devCopy, whose name is "qa"; name the export after the environment (export const qa)');
    expect(fingerprint(path.join(dir, "cdktf.out"))).toEqual(before);
  });

  it("with an environment made by the README's recipe, synthesizes its stacks and they pass the baseline with no waiver", () => {
    const dir = project();
    // The recipe: copy dev.ts, rename it, give the subnets a free range of the VPC; every operations option stays at its default.
    const dev = readFileSync(path.join(PROJECT_ROOT, "src", "environments", "dev.ts"), "utf8");
    const qa = dev
      .replace(/\bdev\b/g, "qa")
      .replace(/\bDev\b/g, "Qa")
      // A PLACEHOLDER the recipe replaces: the file system (on dev's, the data directories would be dev's).
      .replace(/efsFileSystemId: "fs-[0-9a-f]+"/, 'efsFileSystemId: "fs-00000000000000a90"')
      // Another PLACEHOLDER: its own zone, qa.example.com (one zone ID has one name).
      .replace(/hostedZoneId: "Z[0-9A-Z]+"/, 'hostedZoneId: "Z00000000000000000QA0"')
      .replace("10.40.0.0/24", "10.40.2.0/24")
      .replace("10.40.1.0/24", "10.40.3.0/24");
    const code = qa.split("\n").filter((line) => !/^\s*(\/\*\*|\*|\/\/)/.test(line));
    expect(code.filter((line) => /legacy|waivers|transitEncryption: false|requireImdsv2|launchTemplate|(logs|alarms|scaling|backups): \{ enabled: false|ELBSecurityPolicy-2016-08/.test(line))).toEqual([]);
    register(dir, { qa });

    const result = npmRunSynth(dir);

    expect(result.stderr).not.toMatch(/environment qa/);
    expect(result.status).toBe(0);
    // Operators see the waivers in force on every synth: each environment's, with its reason, and none for the new one.
    expect(result.stdout).toContain(formatWaivers(PARSED_ENVIRONMENTS));
    expect(result.stdout).toMatch(/^ {2}- staging: autoscaling-tags — The legacy Auto Scaling group has no tag blocks/m);
    expect(result.stdout).not.toMatch(/^ {2}- qa:/m);
    const stacks = readSynthesizedStacks(path.join(dir, "cdktf.out")).filter((stack) => stack.name.endsWith("-qa"));
    expect(stacks.map((stack) => stack.name).sort()).toEqual(["jitsi-matrix-qa", "networking-qa", "secrets-qa"]);
    // The file leaves the waivers and the operations options out; the parse gives them their defaults.
    const written = evaluateEnvironment(path.join(dir, "src", "environments", "qa.ts"), "qa") as EnvironmentInput;
    expect(written.waivers).toBeUndefined();
    expect([written.logs, written.scaling, written.backups, written.capacity.launchTemplate]).toEqual([undefined, undefined, undefined, undefined]);
    const environment: Environment = parseEnvironment(written);
    expect([environment.logs.enabled, environment.scaling.enabled, environment.backups.enabled, environment.capacity.launchTemplate]).toEqual([true, true, true, true]);
    const report = checkBaseline(stacksUnderCheck(stacks, [environment]));
    expect(report.waivers).toEqual([]);
    expect(report.violations).toEqual([]);
    // The copy has the operations options of the defaults, as dev does.
    const jitsiMatrix = stacks.find((stack) => stack.name === "jitsi-matrix-qa")!.json.resource ?? {};
    for (const type of ["aws_launch_template", "aws_cloudwatch_log_group", "aws_sns_topic", "aws_ecs_capacity_provider", "aws_backup_plan"]) {
      expect(Object.keys(jitsiMatrix[type] ?? {}).length).toBeGreaterThan(0);
    }
  });
});

/** The environment a file in the project copy exports, read by running it as the app would. */
function evaluateEnvironment(file: string, exportName: string): unknown {
  const result = spawnSync(process.execPath, ["--import", "tsx", "-e", `console.log(JSON.stringify(require(${JSON.stringify(file)}).${exportName}))`], {
    cwd: path.dirname(file),
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}
