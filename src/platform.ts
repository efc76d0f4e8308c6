import { App } from "cdktf";
import { S3BackendSettings } from "./backend";
import { Environment } from "./environments/environment";
import { JitsiMatrixStack } from "./stacks/jitsi-matrix-stack";
import { NetworkingStack } from "./stacks/networking-stack";
import { SecretsStack } from "./stacks/secrets-stack";
import { StateBackendStack } from "./stacks/state-backend-stack";

/** cdktf context key that turns the PostgreSQL upgrade switch on for one synth or deploy. */
export const POSTGRES_UPGRADE_CONTEXT_KEY = "postgresUpgrade";

export interface EnvironmentStacks {
  readonly networking: NetworkingStack;
  readonly secrets: SecretsStack;
  readonly jitsiMatrix: JitsiMatrixStack;
}

/** The switch from the cdktf context (`true`/`false`, as JSON or string), else undefined. */
export function postgresUpgradeFromContext(app: App): boolean | undefined {
  const value: unknown = app.node.tryGetContext(POSTGRES_UPGRADE_CONTEXT_KEY);
  if (value === undefined || value === null) return undefined;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw new Error(
    `context ${POSTGRES_UPGRADE_CONTEXT_KEY}: ${JSON.stringify(value)} is not a switch; ` +
      `use CDKTF_CONTEXT_JSON='{"${POSTGRES_UPGRADE_CONTEXT_KEY}":true}' or false.`,
  );
}

/** The three stacks of one environment, wired in deploy order: networking, secrets, then jitsi-matrix. */
export function addEnvironment(app: App, environment: Environment, backend: S3BackendSettings): EnvironmentStacks {
  const networking = new NetworkingStack(app, { environment, backend });
  const secrets = new SecretsStack(app, { environment, backend });
  const jitsiMatrix = new JitsiMatrixStack(app, {
    environment,
    backend,
    subnetIdsByCidr: networking.subnets.subnetIdsByCidr,
    postgresUpgrade: postgresUpgradeFromContext(app) ?? environment.postgresUpgrade.enabled,
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
