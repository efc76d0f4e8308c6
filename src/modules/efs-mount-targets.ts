import { EfsMountTarget } from "@cdktf/provider-aws/lib/efs-mount-target";
import { Construct } from "constructs";
import { constructKey } from "./construct-key";

export interface EfsMountTargetsProps {
  /** The existing EFS file system. */
  readonly fileSystemId: string;
  /** Subnet IDs keyed by CIDR: one mount target each, keyed the same way. */
  readonly subnetIdsByCidr: Readonly<Record<string, string>>;
  readonly securityGroupIds: readonly string[];
}

/**
 * Mount targets of an existing EFS file system, one per subnet. Keyed by the
 * subnet's CIDR, known at plan time, rather than counted over subnet IDs that
 * are not: that count is what forced the legacy two-phase apply.
 */
export class EfsMountTargets extends Construct {
  constructor(scope: Construct, id: string, props: EfsMountTargetsProps) {
    super(scope, id);
    for (const [cidr, subnetId] of Object.entries(props.subnetIdsByCidr)) {
      new EfsMountTarget(this, constructKey(cidr), {
        fileSystemId: props.fileSystemId,
        subnetId,
        securityGroups: [...props.securityGroupIds],
      });
    }
  }
}
