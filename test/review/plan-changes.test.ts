import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { plannedChanges } from "../../tools/review/plan-changes";
import { allowPatternMatches, changedStacks } from "../../tools/review/review";
import { plannedOutputs, remoteStateProducers, unknownOutputPlaceholder } from "../../tools/review/stack-planner";
import { PlanJson, PlanResourceChange } from "../../tools/terraform";

function rc(address: string, actions: string[], change: Partial<PlanResourceChange["change"]> = {}, extra: Partial<PlanResourceChange> = {}): PlanResourceChange {
  const [type, name] = address.split(".");
  return {
    address,
    mode: "managed",
    type,
    name,
    provider_name: "registry.terraform.io/hashicorp/aws",
    change: { actions: actions as PlanResourceChange["change"]["actions"], before: null, after: null, ...change },
    ...extra,
  };
}

const plan = (...changes: PlanResourceChange[]): PlanJson => ({ format_version: "1.2", terraform_version: "1.11.4", resource_changes: changes });

describe("plannedChanges", () => {
  it("names each action the way a reviewer reads it", () => {
    const kinds = plannedChanges(
      plan(
        rc("aws_lb.a", ["delete", "create"]),
        rc("aws_lb.b", ["create", "delete"]),
        rc("aws_lb.c", ["delete"]),
        rc("aws_lb.d", ["create"]),
        rc("aws_lb.e", ["update"], { before: { x: 1 }, after: { x: 2 } }),
        rc("aws_lb.f", ["no-op"], {}, { previous_address: "module.old.aws_lb.f" }),
        rc("aws_lb.g", ["no-op"], { importing: { id: "arn:x" } }),
        rc("aws_lb.h", ["forget"]),
        rc("aws_lb.i", ["no-op"]),
      ),
    ).map((c) => [c.address, c.kind]);
    expect(kinds).toEqual([
      ["aws_lb.a", "replace"],
      ["aws_lb.b", "replace"],
      ["aws_lb.c", "destroy"],
      ["aws_lb.d", "create"],
      ["aws_lb.e", "update"],
      ["aws_lb.f", "move"],
      ["aws_lb.g", "import"],
      ["aws_lb.h", "forget"],
      ["aws_lb.i", "no-op"],
    ]);
  });

  it("leaves data source reads out", () => {
    expect(plannedChanges(plan({ ...rc("data.x.y", ["read"]), mode: "data" }))).toEqual([]);
  });

  it("gives the attributes forcing a replacement as paths", () => {
    const [change] = plannedChanges(plan(rc("aws_security_group.a", ["delete", "create"], { replace_paths: [["name"], ["ingress", 0, "cidr_blocks"]] })));
    expect(change.replacePaths).toEqual(["name", "ingress[0].cidr_blocks"]);
  });

  it("lists attributes that change or become unknown, not those unknown on both sides", () => {
    const [change] = plannedChanges(
      plan(
        rc("aws_lb_listener_rule.r", ["update"], {
          before: { action: [{ target_group_arn: "arn:a" }], priority: 99, tags: {}, arn: "arn:r", computed: null },
          after: { action: [{}], priority: 99, tags: { A: "b" }, arn: "arn:r", computed: null },
          after_unknown: { action: [{ target_group_arn: true }], computed: true },
        }),
      ),
    );
    expect(change.changedAttributes).toEqual(["action", "tags"]);
  });

  it("fails on actions it does not know rather than misreport them", () => {
    expect(() => plannedChanges(plan(rc("aws_lb.a", ["delete", "update"])))).toThrow(/aws_lb\.a: unknown plan actions \[delete,update\]/);
  });

  it("gives equal fingerprints to equal changes whatever their key order", () => {
    const [a] = plannedChanges(plan(rc("aws_lb.a", ["update"], { after: { x: 1, y: 2 } })));
    const [b] = plannedChanges(plan(rc("aws_lb.a", ["update"], { after: { y: 2, x: 1 } })));
    const [c] = plannedChanges(plan(rc("aws_lb.a", ["update"], { after: { y: 2, x: 3 } })));
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(c.fingerprint);
  });
});

describe("allow-list patterns", () => {
  it.each([
    ["jitsi-matrix-staging:aws_lb_target_group.load_balancer_element", "jitsi-matrix-staging", "aws_lb_target_group.load_balancer_element", true],
    ["jitsi-matrix-staging:aws_lb_target_group.load_balancer_element", "jitsi-matrix-production", "aws_lb_target_group.load_balancer_element", false],
    ["aws_ecs_task_definition.*", "jitsi-matrix-production", "aws_ecs_task_definition.jitsi_task_definition", true],
    ["*-staging:*", "networking-staging", "aws_subnet.subnet_172-31-48-0-28", true],
    ["aws_lb.load_balancer", "x", "aws_lb.load_balancerX", false],
    ["aws_lb?load_balancer", "x", "aws_lb.load_balancer", false],
  ])("%s accepts %s:%s: %s", (pattern, stack, address, expected) => {
    expect(allowPatternMatches(pattern, stack, address)).toBe(expected);
  });
});

describe("changedStacks", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "changed-stacks-"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function synth(name: string, stacks: Record<string, unknown>): string {
    for (const [stack, json] of Object.entries(stacks)) {
      mkdirSync(path.join(root, name, "stacks", stack), { recursive: true });
      writeFileSync(path.join(root, name, "stacks", stack, "cdk.tf.json"), typeof json === "string" ? json : JSON.stringify(json));
    }
    return path.join(root, name);
  }

  it("tells changed, added and removed stacks from unchanged ones, ignoring formatting and key order", () => {
    const base = synth("base", { same: { a: 1, b: [1, 2] }, edited: { a: 1 }, gone: { a: 1 } });
    const head = synth("head", { same: '{\n  "b": [1, 2],\n  "a": 1\n}', edited: { a: 2 }, fresh: { a: 1 } });
    expect(changedStacks(base, head)).toEqual({
      changed: [
        { stack: "edited", status: "changed" },
        { stack: "fresh", status: "added" },
        { stack: "gone", status: "removed" },
      ],
      unchanged: ["same"],
    });
  });

  it("counts every stack as added without a base", () => {
    const head = synth("only-head", { one: {} });
    expect(changedStacks(undefined, head).changed).toEqual([{ stack: "one", status: "added" }]);
  });

  it("finds the producer of a terraform_remote_state by its backend's bucket and key", () => {
    const backend = (key: string) => ({ terraform: { backend: { s3: { bucket: "state", key } } } });
    const dir = synth("remote", { "networking-x": backend("x/networking.tfstate"), "other-x": backend("x/other.tfstate") });
    const consumer = { data: { terraform_remote_state: { net: { backend: "s3", config: { bucket: "state", key: "x/networking.tfstate" } } } } };
    expect(remoteStateProducers(dir, "app-x", consumer)).toEqual({ net: "networking-x" });
    const orphan = { data: { terraform_remote_state: { net: { backend: "s3", config: { bucket: "state", key: "elsewhere" } } } } };
    expect(() => remoteStateProducers(dir, "app-x", orphan)).toThrow(/data\.terraform_remote_state\.net reads the s3 state "state"\/"elsewhere", which no stack/);
  });
});

describe("plannedOutputs", () => {
  it("gives a consumer the producer's planned outputs, with placeholders where values are known only after apply", () => {
    const producerPlan: PlanJson = {
      format_version: "1.2",
      terraform_version: "1.11.4",
      output_changes: {
        known: { actions: ["no-op"], before: "subnet-1", after: "subnet-1" },
        unknown: { actions: ["create"], before: null, after: null, after_unknown: true },
        list: { actions: ["create"], before: null, after: ["subnet-1", null], after_unknown: [false, true] },
        nothing: { actions: ["create"], before: null, after: null },
        removed: { actions: ["delete"], before: "x", after: null },
      },
    };
    expect(plannedOutputs("networking-x", producerPlan)).toEqual({
      outputs: {
        known: "subnet-1",
        unknown: unknownOutputPlaceholder("networking-x", "unknown"),
        list: ["subnet-1", unknownOutputPlaceholder("networking-x", "list[1]")],
      },
      placeholders: ["unknown", "list"],
    });
  });
});
