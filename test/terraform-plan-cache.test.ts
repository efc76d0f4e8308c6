import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { planCacheDir, planCacheKey, readCachedPlan, writeCachedPlan } from "../tools/terraform/plan-cache";
import { CHECKED_IN_OUTDIR } from "../tools/synthesize";
import { describeIfTerraform, TerraformWorkdir, writeOutputsState } from "./support/terraform";

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

  it("keeps an entry written in a given folder, and gives a reader its own paths in place of the writer's", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-cache-dir-"));
    try {
      process.env.TERRAFORM_PLAN_CACHE = dir;
      expect(planCacheDir()).toBe(dir);
      const inputs = { dir: "/work/a", statePath: "/work/a/terraform.tfstate", remoteStates: { networking: "/states/a/net.tfstate" }, terraformBinary: process.execPath, args: [] };
      expect(readCachedPlan(dir, "k", inputs)).toBeUndefined();
      writeCachedPlan(dir, "k", '{"path":"/states/a/net.tfstate","state":"/work/a/terraform.tfstate","dir":"/work/a/x"}', inputs);
      const other = { ...inputs, dir: "/elsewhere/b", statePath: "/elsewhere/b/terraform.tfstate", remoteStates: { networking: "/other/net.tfstate" } };
      expect(readCachedPlan(dir, "k", other)).toBe('{"path":"/other/net.tfstate","state":"/elsewhere/b/terraform.tfstate","dir":"/elsewhere/b/x"}');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeIfTerraform("a plan from the cache", () => {
  const saved = process.env.TERRAFORM_PLAN_CACHE;
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "plan-cache-hit-"));
    process.env.TERRAFORM_PLAN_CACHE = path.join(root, "cache");
  });
  afterAll(() => {
    process.env.TERRAFORM_PLAN_CACHE = saved;
    rmSync(root, { recursive: true, force: true });
  });

  it("is what a second workdir's own plan prints: the same changes, and its own remote state's path", async () => {
    const stack = path.join(CHECKED_IN_OUTDIR, "stacks", "jitsi-matrix-staging");
    const remote = (name: string) => {
      const file = path.join(root, name, "networking.tfstate");
      mkdirSync(path.dirname(file), { recursive: true });
      writeOutputsState(file, { "cross-stack-output-aws_subnet-subnet_172-31-48-0-28-id": "subnet-0a", "cross-stack-output-aws_subnet-subnet_172-31-48-16-28-id": "subnet-0b" });
      return file;
    };
    const [first, second] = ["first", "second"].map((name) => new TerraformWorkdir(stack, { remoteState: remote(name) }));
    try {
      await first.init();
      const planned = JSON.stringify(await first.plan());
      expect(planned).toContain(JSON.stringify(path.join(root, "first", "networking.tfstate")));
      expect(existsSync(path.join(first.dir, "plan.tfplan"))).toBe(true);

      await second.init();
      const cached = JSON.stringify(await second.plan());
      // A hit runs no terraform, so it leaves no plan file behind.
      expect(existsSync(path.join(second.dir, "plan.tfplan"))).toBe(false);
      expect(cached).not.toContain(path.join(root, "first"));
      expect(cached).not.toContain(first.dir);
      expect(cached).toBe(planned.split(path.join(root, "first")).join(path.join(root, "second")).split(first.dir).join(second.dir));
      // And planFile: true plans for real, to the same JSON but for what differs between any two real plans of
      // one input: the timestamp (a hit keeps the first plan's) and the order of relevant_attributes (Terraform's map order).
      const comparable = ({ timestamp, relevant_attributes, ...rest }: Record<string, any>) => {
        expect(timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
        return JSON.stringify({ ...rest, relevant_attributes: relevant_attributes.map((a: unknown) => JSON.stringify(a)).sort() });
      };
      expect(comparable(await second.plan({ planFile: true })) === comparable(JSON.parse(cached))).toBe(true);
      expect(existsSync(path.join(second.dir, "plan.tfplan"))).toBe(true);
    } finally {
      first.dispose();
      second.dispose();
    }
  });
});
