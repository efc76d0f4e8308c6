/**
 * The Terraform harness for tests. The harness itself lives in `tools/terraform/`, because
 * `npm run review`, `npm run drift` and `npm run bench` use it at run time; this file keeps
 * every test's import path and adds what only jest can run.
 */
import { PlanJson, terraformAvailable, TerraformWorkdir, WorkdirOptions } from '../../tools/terraform';

export * from '../../tools/terraform';

/**
 * `describe` when Terraform and `providers` are available, else a printed reason and
 * `describe.skip`. Pass `[]` for configs without providers (only the terraform binary is needed).
 */
export function describeIfTerraform(name: string, fn: () => void, providers: readonly string[] = ['hashicorp/aws']): void {
  const availability = terraformAvailable(providers);
  if (availability.ok) {
    describe(name, fn);
    return;
  }
  console.warn(`Skipping "${name}": ${availability.reason}`);
  describe.skip(name, fn);
}

/**
 * Inits and plans `stack` (a `cdk.tf.json`) in a working copy of its own, removed afterwards.
 * `terraform plan` validates the configuration before it plans (and fails on what
 * `terraform validate` fails on), so a separate validate would only load the provider once more.
 */
export async function validatedPlan(stack: string, options?: WorkdirOptions): Promise<PlanJson> {
  const workdir = new TerraformWorkdir(stack, options);
  try {
    await workdir.init();
    return await workdir.plan();
  } finally {
    workdir.dispose();
  }
}
