import { TerraformResource, TerraformStack } from "cdktf";
import { Environment } from "../environments/environment";
import { formatAddress, jitsiMatrixMovedBlocks, jitsiMatrixMoves } from "./legacy-addresses";

/**
 * Adds the `moved` blocks that carry a legacy state's addresses to
 * `jitsi-matrix-<env>` (see `legacy-addresses.ts`), after checking that each
 * one lands on a resource the stack declares: a move to a missing address
 * would plan that resource's destruction. Moves of the other position of the
 * PostgreSQL upgrade switch are kept, so a state taken in either position adopts,
 * and so is the launch configuration's once the environment uses a launch template.
 *
 * An escape hatch rather than cdktf's `moveFromId`, which would make every
 * synth run `terraform version` (see CDKTF-NOTES).
 */
export function declareLegacyMoves(stack: TerraformStack, environment: Environment, postgresUpgrade: boolean): void {
  const declared = new Set(
    stack.node
      .findAll()
      .filter(TerraformResource.isTerraformResource)
      .map((resource) => `${resource.terraformResourceType}.${resource.friendlyUniqueId}`),
  );
  // After the launch template switch the synth has no launch configuration: its move is followed by its
  // planned removal, which is the switch itself (docs/launch-template-switch.md).
  const launchTemplate = environment.capacity.launchTemplate;
  const missing = jitsiMatrixMoves(environment)
    .filter((move) => move.postgresUpgrade === undefined || move.postgresUpgrade === postgresUpgrade)
    .filter((move) => !(launchTemplate && move.to.type === "aws_launch_configuration"))
    .filter((move) => !declared.has(formatAddress(move.to)));
  if (missing.length > 0) {
    throw new Error(
      `${stack.node.id}: ${missing.map((move) => `${formatAddress(move.from)} would move to ${formatAddress(move.to)}`).join("; ")}, ` +
        "which the stack does not declare; a construct id changed: point src/stacks/legacy-addresses.ts at the new address " +
        "(and move the old one there for states already adopted).",
    );
  }
  stack.addOverride("moved", jitsiMatrixMovedBlocks(environment));
}
