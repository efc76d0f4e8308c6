import { App } from "cdktf";
import { S3BackendSettings } from "./backend";
import { postgresUpgradeSwitch } from "./context";
import { Environment } from "./environments/environment";
import { JitsiMatrixStack } from "./stacks/jitsi-matrix-stack";
import { NetworkingStack } from "./stacks/networking-stack";
import { SecretsStack } from "./stacks/secrets-stack";
import { StateBackendStack } from "./stacks/state-backend-stack";

export interface EnvironmentStacks {
  readonly networking: NetworkingStack;
  readonly secrets: SecretsStack;
  readonly jitsiMatrix: JitsiMatrixStack;
}

/** The three stacks of one environment, wired in deploy order: networking, secrets, then jitsi-matrix. */
export function addEnvironment(app: App, environment: Environment, backend: S3BackendSettings): EnvironmentStacks {
  const networking = new NetworkingStack(app, { environment, backend });
  const secrets = new SecretsStack(app, { environment, backend });
  const postgresUpgrade = postgresUpgradeSwitch(app, environment.name, environment.postgresUpgrade.enabled);
  // Said on every synth that turns it on (stderr, which the CLI shows too): it stops Matrix.
  if (postgresUpgrade.on) {
    process.stderr.write(
      `postgres upgrade switch ON for environment ${environment.name} (from ${postgresUpgrade.source}): ` +
        `jitsi-matrix-${environment.name} runs the postgres-upgrade task and service instead of Matrix\n`,
    );
  }
  const jitsiMatrix = new JitsiMatrixStack(app, {
    environment,
    backend,
    subnetIdsByCidr: networking.subnets.subnetIdsByCidr,
    encryptionKeyArn: networking.environmentKey?.keyArn,
    postgresUpgrade: postgresUpgrade.on,
  });
  // Containers read the parameters at start: they must exist first, though nothing references them.
  jitsiMatrix.addDependency(secrets);
  return { networking, secrets, jitsiMatrix };
}

/**
 * The `state-backend` stack: the bucket and lock table `backend.tf.json` points to, with a
 * local state. Deployed once, before any environment's stacks (README: "The state backend").
 */
export function addStateBackend(app: App, backend: S3BackendSettings): StateBackendStack {
  return new StateBackendStack(app, { backend });
}
