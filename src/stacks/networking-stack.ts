import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { environmentAccountId } from "../environments/account";
import { operationsNames } from "../environments/defaults";
import { containerInsightsLogGroupName } from "../modules/ecs-cluster";
import { EnvironmentKey } from "../modules/environment-key";
import { rdsLogGroupName } from "../modules/synapse-database";
import { webAclLogGroupName } from "../modules/web-acl";
import { Subnets } from "../modules/subnets";
import { EnvironmentStack, EnvironmentStackProps } from "./environment-stack";

/**
 * Phase one of an environment: the subnets everything else is placed in, and the environment's KMS
 * key everything else is encrypted with (`encryptionKey`), which must exist before `secrets-<env>`
 * writes the first password under it.
 */
export class NetworkingStack extends EnvironmentStack {
  public readonly subnets: Subnets;
  /** Undefined when `encryptionKey.enabled` is false. */
  public readonly environmentKey?: EnvironmentKey;

  constructor(scope: Construct, props: EnvironmentStackProps) {
    super(scope, "networking", props);
    this.subnets = new Subnets(this, "subnet", {
      vpcId: props.environment.network.vpcId,
      subnets: props.environment.network.subnets,
    });
    const env = props.environment;
    if (env.encryptionKey.enabled) {
      this.environmentKey = new EnvironmentKey(this, "environment_key", {
        environmentName: env.name,
        region: env.region,
        // The schema refuses a certificate ARN without an account, so there always is one.
        accountId: environmentAccountId(env)!,
        // Every log group of the environment that may carry the key, those AWS services create included (docs/aws-wiring.md).
        logGroupNamePatterns: [
          `/ecs/${env.cluster.name}/*`,
          webAclLogGroupName(operationsNames(env.name).webAcl),
          ...(env.alarms.containerInsights ? [containerInsightsLogGroupName(env.cluster.name)] : []),
          ...(env.rds.enabled ? [rdsLogGroupName(env.rds.identifier, "*")] : []),
        ],
        alarmTopicName: env.alarms.enabled ? env.alarms.topicName : undefined,
        deletionWindowDays: env.encryptionKey.deletionWindowDays,
      });
    }
    new TerraformOutput(this, "subnet_ids", {
      description: "IDs of the platform's subnets, in the environment's order",
      value: this.subnets.subnetIds,
    });
  }
}
