import { TerraformElement, TerraformStack } from "cdktf";
import { Node } from "constructs";

/** Construct ids left out of addresses, so a construct's main resource takes the construct's own name. */
const HIDDEN_ID = "Default";

/**
 * A stack whose Terraform addresses are its construct paths, readable and
 * free of hashes: `SecurityGroup(this, "alb_sg")` holding
 * `AwsSecurityGroup(this, "Default")` becomes `aws_security_group.alb_sg`,
 * a subnet keyed by CIDR `aws_subnet.subnet_172-31-48-0-28`.
 *
 * Addresses are what state and `moved` blocks hang on, so they are computed
 * here, in one place, rather than by cdktf's hashed scheme, which its fork
 * may change; tests pin every address.
 */
export class AddressedStack extends TerraformStack {
  private readonly pathsByAddress = new Map<string, string>();

  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    const stackIndex = node.scopes.indexOf(this);
    const components = node.scopes
      .slice(stackIndex + 1)
      .map((scope) => scope.node.id)
      .filter((id) => id !== HIDDEN_ID);
    if (components.length === 0) {
      return super.allocateLogicalId(element);
    }
    const joined = components.map((id) => id.replace(/[^A-Za-z0-9_-]/g, "-")).join("_");
    const address = /^[A-Za-z_]/.test(joined) ? joined : `_${joined}`;
    const owner = this.pathsByAddress.get(address);
    if (owner !== undefined && owner !== node.path) {
      throw new Error(
        `construct "${node.path}" would get the Terraform name "${address}" that "${owner}" already has; ` +
          "give one of them another construct id.",
      );
    }
    this.pathsByAddress.set(address, node.path);
    return address;
  }
}
