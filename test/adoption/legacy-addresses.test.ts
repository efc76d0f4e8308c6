import { Lb } from "@cdktf/provider-aws/lib/lb";
import { Testing } from "cdktf";
import { readFileSync } from "fs";
import * as path from "path";
import { formatAddress, jitsiMatrixMovedBlocks, jitsiMatrixMoves, legacyMountTargetByCidr, networkingMoves } from "../../src/stacks/legacy-addresses";
import { declareLegacyMoves } from "../../src/stacks/legacy-moves";
import { instanceAddress, managedInstances } from "../../tools/adoption/state-file";
import { readBackendSettings } from "../../src/backend";
import { Environment } from "../../src/environments";
import { addEnvironment } from "../../src/platform";
import { AddressedStack } from "../../src/stacks/addressed-stack";
import { CHECKED_IN_OUTDIR } from "../../tools/synthesize";
import { addressesOf, StackJson } from "../support/synth";
import { stagingLegacyState } from "./fixtures";
import { PARSED_ENVIRONMENTS as ENVIRONMENTS, staging } from "../support/environments";

/** The environments adopted from the legacy deployment; a new one (dev) has no legacy state and no moves. */
const LEGACY_ENVIRONMENTS = ENVIRONMENTS.filter((environment) => environment.legacy !== undefined);

const checkedIn = (stack: string) =>
  JSON.parse(readFileSync(path.join(CHECKED_IN_OUTDIR, "stacks", stack, "cdk.tf.json"), "utf8")) as StackJson;

function synthJitsiMatrix(environment: Environment, context?: Record<string, unknown>): StackJson {
  const app = Testing.app({ context });
  const { jitsiMatrix } = addEnvironment(app, environment, readBackendSettings());
  return JSON.parse(Testing.synth(jitsiMatrix)) as StackJson;
}

describe("the legacy addresses", () => {
  it("name every one of the 29 instances of staging's legacy state, the mount targets by their subnet's CIDR", () => {
    const legacy = stagingLegacyState();
    const cidrBySubnetId = new Map(
      managedInstances(legacy)
        .filter(({ resource }) => resource.type === "aws_subnet")
        .map(({ instance }) => [String(instance.attributes.id), String(instance.index_key)]),
    );
    const held = managedInstances(legacy).map(({ resource, instance }) =>
      resource.type === "aws_efs_mount_target"
        ? formatAddress(legacyMountTargetByCidr(cidrBySubnetId.get(String(instance.attributes.subnet_id))!))
        : instanceAddress(resource, instance),
    );
    const declared = [...networkingMoves(staging), ...jitsiMatrixMoves(staging).filter((m) => m.postgresUpgrade !== true)].map((m) => formatAddress(m.from));
    expect(held).toHaveLength(29);
    expect(held.sort()).toEqual(declared.sort());
  });

  it.each(LEGACY_ENVIRONMENTS.map((e) => [e.name, e] as const))("move %s's instances one to one: no address is a source or a target twice", (_name, environment) => {
    const moves = [...networkingMoves(environment), ...jitsiMatrixMoves(environment)];
    const froms = moves.map((m) => formatAddress(m.from));
    const tos = moves.map((m) => formatAddress(m.to));
    expect(new Set(froms).size).toBe(froms.length);
    expect(new Set(tos).size).toBe(tos.length);
  });

  it("quote keys the way Terraform writes them", () => {
    expect(formatAddress({ module: 'module.route53_cname_record["a.example.org"]', type: "aws_route53_record", name: "cname_record" })).toBe(
      'module.route53_cname_record["a.example.org"].aws_route53_record.cname_record',
    );
    expect(formatAddress({ module: "module.efs_mount_targets", type: "aws_efs_mount_target", name: "efs_mount_targets", key: 1 })).toBe(
      "module.efs_mount_targets.aws_efs_mount_target.efs_mount_targets[1]",
    );
  });
});

describe("the moved blocks of jitsi-matrix-<env>", () => {
  it.each(LEGACY_ENVIRONMENTS.map((e) => [e.name, e] as const))("are in the checked-in synth of %s, for both positions of the upgrade switch", (name, environment) => {
    const moved = checkedIn(`jitsi-matrix-${name}`).moved ?? [];
    expect(moved).toEqual(jitsiMatrixMovedBlocks(environment));
    expect(moved.map((m) => m.from)).toEqual(
      expect.arrayContaining([
        "module.ecs_task_definitions_matrix[0].aws_ecs_service.worker",
        "module.ecs_task_definitions_postgres_upgrade[0].aws_ecs_service.worker",
      ]),
    );
    // The subnets change state instead: a moved block cannot cross states.
    expect(moved.filter((m) => m.from.startsWith("module.networking."))).toEqual([]);
  });

  it.each([
    ["off", undefined, ["aws_ecs_service.matrix_service", "aws_ecs_task_definition.matrix_task_definition"]],
    ["on", { postgresUpgrade: true }, ["aws_ecs_service.postgres_upgrade_service", "aws_ecs_task_definition.postgres_upgrade_task_definition"]],
  ])("land on resources the stack declares, with the upgrade switch %s", (_position, context, switched) => {
    const json = synthJitsiMatrix(staging, context);
    const declared = new Set(addressesOf(json));
    const undeclared = (json.moved ?? []).map((m) => m.to).filter((to) => !declared.has(to));
    // Only the other position's pair is left without a resource: a state holding it plans that pair's removal.
    expect(undeclared.sort()).toEqual(
      (context ? ["aws_ecs_service.matrix_service", "aws_ecs_task_definition.matrix_task_definition"] : [
        "aws_ecs_service.postgres_upgrade_service",
        "aws_ecs_task_definition.postgres_upgrade_task_definition",
      ]).sort(),
    );
    for (const address of switched) expect(declared.has(address)).toBe(true);
  });

  it("are left out for an environment that was never deployed by the legacy configuration", () => {
    expect(synthJitsiMatrix({ ...staging, name: "fresh", legacy: undefined }).moved).toBeUndefined();
  });

  it("fail the synth, naming the legacy address, when the stack lacks a resource a move targets", () => {
    const stack = new AddressedStack(Testing.app(), "jitsi-matrix-staging");
    new Lb(stack, "alb", { name: "jitsi-matrix-alb-staging" });
    expect(() => declareLegacyMoves(stack, staging, false)).toThrow(/module\.ecs_lb\.aws_lb\.elb would move to aws_lb\.load_balancer[;,]/);
    expect(() => declareLegacyMoves(stack, staging, false)).toThrow(/which the stack does not declare; a construct id changed/);
  });
});
