import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Construct } from "constructs";
import { constructKey } from "./construct-key";

export interface SubnetsProps {
  /** The existing VPC the subnets are carved from. */
  readonly vpcId: string;
  /** One subnet per entry, keyed by its CIDR. */
  readonly subnets: readonly {
    readonly cidrBlock: string;
    readonly availabilityZone: string;
    readonly name: string;
  }[];
}

/** The platform's subnets in an existing VPC, one construct id per CIDR. */
export class Subnets extends Construct {
  /** Subnet IDs in the order of `props.subnets`. */
  public readonly subnetIds: string[];
  /** Subnet ID by CIDR block. */
  public readonly subnetIdsByCidr: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: SubnetsProps) {
    super(scope, id);
    const byCidr: Record<string, string> = {};
    for (const spec of props.subnets) {
      const subnet = new Subnet(this, constructKey(spec.cidrBlock), {
        vpcId: props.vpcId,
        cidrBlock: spec.cidrBlock,
        availabilityZone: spec.availabilityZone,
        tags: { Name: spec.name },
      });
      byCidr[spec.cidrBlock] = subnet.id;
    }
    this.subnetIdsByCidr = byCidr;
    this.subnetIds = props.subnets.map((spec) => byCidr[spec.cidrBlock]);
  }
}
