import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { Subnets } from "../modules/subnets";
import { EnvironmentStack, EnvironmentStackProps } from "./environment-stack";

/** Phase one of an environment: the subnets everything else is placed in. */
export class NetworkingStack extends EnvironmentStack {
  public readonly subnets: Subnets;

  constructor(scope: Construct, props: EnvironmentStackProps) {
    super(scope, "networking", props);
    this.subnets = new Subnets(this, "subnet", {
      vpcId: props.environment.network.vpcId,
      subnets: props.environment.network.subnets,
    });
    new TerraformOutput(this, "subnet_ids", {
      description: "IDs of the platform's subnets, in the environment's order",
      value: this.subnets.subnetIds,
    });
  }
}
