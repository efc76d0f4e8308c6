import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { hostname, homedir, tmpdir } from "os";
import * as path from "path";
import { CHECKED_IN_OUTDIR, PROJECT_ROOT, STACK_FILE, stackNames, synthesizeTo } from "../src/synthesize";

describe("the checked-in synth", () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), "synth-check-"));
    const result = synthesizeTo(outdir);
    if (!result.ok) throw new Error(`synth failed:\n${result.stderr}`);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const read = (root: string, stack: string) => readFileSync(path.join(root, "stacks", stack, STACK_FILE), "utf8");

  it("holds exactly the stacks the app synthesizes", () => {
    expect(stackNames(CHECKED_IN_OUTDIR)).toEqual(stackNames(outdir));
  });

  it("is current: run `npm run synth` and commit cdktf.out/stacks when this fails", () => {
    const stale = stackNames(outdir).filter((stack) => read(outdir, stack) !== read(CHECKED_IN_OUTDIR, stack));
    expect(stale).toEqual([]);
  });

  it("holds nothing specific to this machine or this run", () => {
    for (const stack of stackNames(outdir)) {
      const text = read(outdir, stack);
      for (const local of [PROJECT_ROOT, outdir, tmpdir(), homedir(), hostname()]) {
        expect(text).not.toContain(local);
      }
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    }
  });

  it("is the same byte for byte when synthesized again", () => {
    const again = mkdtempSync(path.join(tmpdir(), "synth-again-"));
    try {
      expect(synthesizeTo(again).ok).toBe(true);
      for (const stack of stackNames(outdir)) expect(read(again, stack)).toBe(read(outdir, stack));
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});

describe("the repository", () => {
  it("holds no password literal of the legacy task definitions", () => {
    const legacy = [
      "jitsi-meet-task-staging.json",
      "jitsi-meet-task.json",
      "matrix-task-staging.json",
      "matrix-task.json",
      "postgres_upgrade.json",
    ].flatMap((file) =>
      (JSON.parse(readFileSync(path.join(PROJECT_ROOT, "..", "shared", "legacy", "container-definitions", file), "utf8")) as {
        environment: { name: string; value: string }[];
      }[]).flatMap((c) => c.environment.filter((e) => /PASSWORD/.test(e.name) && e.value !== "").map((e) => e.value)),
    );
    expect(legacy.length).toBeGreaterThan(0);
    const synthesized = stackNames(CHECKED_IN_OUTDIR).map((stack) => readFileSync(path.join(CHECKED_IN_OUTDIR, "stacks", stack, STACK_FILE), "utf8"));
    for (const text of synthesized) {
      for (const password of legacy) expect(text).not.toContain(password);
      expect(text).not.toMatch(/"name":"[A-Z_]*PASSWORD","value"/);
    }
    const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: PROJECT_ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
    const leaking = tracked.filter((file) => {
      const text = readFileSync(path.join(PROJECT_ROOT, file), "utf8");
      return legacy.some((password) => text.includes(password));
    });
    expect(leaking).toEqual([]);
  });
});
