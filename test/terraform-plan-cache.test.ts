import { cpSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { planCacheDir, planCacheKey, readCachedPlan, writeCachedPlan } from "../src/terraform-plan-cache";

/** Two copies of one workdir in different temp folders, with a state and a remote state each. */
function workdirs() {
  const root = mkdtempSync(path.join(tmpdir(), "plan-cache-"));
  const a = path.join(root, "a");
  const b = path.join(root, "b-other-name");
  for (const dir of [a, b]) {
    cpSync(path.join(__dirname, "..", "cdktf.out", "stacks", "networking-staging"), dir, { recursive: true });
    writeFileSync(path.join(dir, "zz_backend_override.tf.json"), JSON.stringify({ terraform: { backend: { local: { path: path.join(dir, "terraform.tfstate") } } } }));
    writeFileSync(path.join(dir, "remote.tfstate"), '{"version":4}');
  }
  const inputs = (dir: string) => ({ dir, statePath: path.join(dir, "terraform.tfstate"), remoteStates: { networking: path.join(dir, "remote.tfstate") }, terraformBinary: process.execPath, args: ["plan", "-refresh=false"] });
  return { root, a, b, inputs };
}

describe("the plan cache's key", () => {
  it("is the same for two copies of one stack in different folders: contents count, paths do not", () => {
    const { root, a, b, inputs } = workdirs();
    try {
      expect(planCacheKey(inputs(a))).toBe(planCacheKey(inputs(b)));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("changes with the configuration, the state, a remote state and the arguments", () => {
    const { root, a, b, inputs } = workdirs();
    try {
      const base = planCacheKey(inputs(a));
      writeFileSync(path.join(b, "terraform.tfstate"), '{"version":4,"serial":2}');
      expect(planCacheKey(inputs(b))).not.toBe(base);
      rmSync(path.join(b, "terraform.tfstate"));
      writeFileSync(path.join(b, "remote.tfstate"), '{"version":4,"outputs":{}}');
      expect(planCacheKey(inputs(b))).not.toBe(base);
      writeFileSync(path.join(b, "remote.tfstate"), '{"version":4}');
      expect(planCacheKey(inputs(b))).toBe(base);
      expect(planCacheKey({ ...inputs(b), args: ["plan"] })).not.toBe(base);
      writeFileSync(path.join(b, "zz_extra_override.tf.json"), "{}");
      expect(planCacheKey(inputs(b))).not.toBe(base);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("the plan cache's folder", () => {
  const saved = process.env.TERRAFORM_PLAN_CACHE;
  afterEach(() => {
    process.env.TERRAFORM_PLAN_CACHE = saved;
  });

  it("is off unless asked for, since a plan's JSON holds sensitive values", () => {
    delete process.env.TERRAFORM_PLAN_CACHE;
    expect(planCacheDir()).toBeUndefined();
    process.env.TERRAFORM_PLAN_CACHE = "off";
    expect(planCacheDir()).toBeUndefined();
  });

  it("keeps an entry written in a given folder", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-cache-dir-"));
    try {
      process.env.TERRAFORM_PLAN_CACHE = dir;
      expect(planCacheDir()).toBe(dir);
      expect(readCachedPlan(dir, "k")).toBeUndefined();
      writeCachedPlan(dir, "k", '{"format_version":"1.2"}');
      expect(readCachedPlan(dir, "k")).toBe('{"format_version":"1.2"}');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
