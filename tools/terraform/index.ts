/**
 * Runs real Terraform, offline, against stacks synthesized by cdktf.
 *
 * A synthesized stack (`<outdir>/stacks/<name>/cdk.tf.json`) cannot be planned as is: its
 * backend is S3, its aws provider has no credentials, and its `terraform_remote_state` data
 * sources read S3. `TerraformWorkdir` copies the stack into a temp dir and adds
 * `*_override.tf.json` files that make it plannable without network access:
 *
 *   const net = path.join(tmp, 'networking.tfstate');
 *   writeOutputsState(net, { vpc_id: 'vpc-0abc', private_subnet_ids: ['subnet-a'] });
 *   const wd = new TerraformWorkdir('cdktf.out/stacks/jitsi-matrix-staging', { remoteState: { networking: net } });
 *   try { await wd.init(); expect(summarize(await wd.plan()).create).toBeGreaterThan(0); }
 *   finally { wd.dispose(); }
 *
 * Providers come from a filesystem mirror found by `findPluginMirror()`, else the registry;
 * `terraformAvailable` tries the registry once (a real `terraform init`) before it reports a
 * provider missing.
 * Tests wrap Terraform-backed cases in `describeIfTerraform` (test/support/terraform.ts, which
 * re-exports this module) so they skip, with the reason printed, where Terraform or the
 * providers are missing. Terraform commands take seconds: give tests a generous timeout.
 *
 * A tool, apart from the app: `npm run review`, `npm run drift` and `npm run bench` use it at
 * run time, and the tests through test/support/terraform.ts. One concern per file, below.
 */

export { findTerraform, defaultMirrorSearchRoots, findPluginMirror, mirrorProviders, terraformPlatform, unpackedProviderDir } from './discovery';
export { PROVIDER_VERSIONS, providerAvailable, terraformAvailable } from './availability';
export type { Availability } from './availability';
export { devOverridesWanted, writeCliConfig, terraformEnv } from './cli-config';
export { TerraformError } from './run';
export { TerraformWorkdir } from './workdir';
export type { WorkdirOptions } from './workdir';
export { writeOutputsState, deterministicUuid } from './outputs-state';
export type { TerraformState, ProducerOutput } from './outputs-state';
export { resourceChanges, summarize } from './plan-json';
export type { PlanAction, PlanChange, PlanResourceChange, PlanJson, ResourceChange, PlanSummary } from './plan-json';
export type { Json } from './files';
