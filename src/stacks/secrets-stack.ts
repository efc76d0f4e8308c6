import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { Construct } from "constructs";
import { environmentKeyAlias } from "../modules/environment-key";
import { secretsOf } from "../modules/platform-secrets";
import { SecretParameters } from "../modules/secret-parameters";
import { EnvironmentStack, EnvironmentStackProps } from "./environment-stack";

/**
 * The passwords of an environment, generated once and kept in SSM. The only
 * stack that needs the random provider; its state holds no password (`SecretParameters`).
 */
export class SecretsStack extends EnvironmentStack {
  constructor(scope: Construct, props: EnvironmentStackProps) {
    super(scope, "secrets", props);
    new RandomProvider(this, "random");
    const env = props.environment;
    new SecretParameters(this, "secret", {
      environmentName: env.name,
      secrets: secretsOf({ turn: env.turn !== undefined, rds: env.rds.enabled }),
      versions: env.secretVersions,
      // By alias: this stack plans without the networking state, where the key is.
      keyId: env.encryptionKey.enabled ? environmentKeyAlias(env.name) : undefined,
    });
  }
}
