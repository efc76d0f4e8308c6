/** The state `networking-<env>` leaves after its first apply, as far as `jitsi-matrix-<env>`'s `terraform_remote_state` reads it. */
import { writeOutputsState } from "../../tools/terraform";

/** A made-up key ARN in the account and region of `dev` and `staging`: a real plan only carries it through. */
export const FAKE_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-4000-8000-00000000000e";

type NetworkingJson = { resource: { aws_subnet: Record<string, unknown> }; output: Record<string, { value: string | string[] }> };

/**
 * Writes the root outputs of a synthesized networking stack (`cdk.tf.json` as parsed JSON) to `file`, each
 * with a made-up value of its kind: `subnet-0000000000000000<n>` for the n-th subnet, `FAKE_KEY_ARN` for the
 * environment's KMS key. An output of any other kind is an error, so a new one gets a value here first.
 */
export function writeNetworkingOutputs(networking: unknown, file: string): void {
  const json = networking as NetworkingJson;
  const subnets = Object.keys(json.resource.aws_subnet);
  const valueOf = (expression: string, output: string) => {
    const subnet = subnets.findIndex((name) => expression.includes(`aws_subnet.${name}.`));
    if (subnet >= 0) return `subnet-0000000000000000${subnet}`;
    if (/\baws_kms_key\.[\w-]+\.arn\b/.test(expression)) return FAKE_KEY_ARN;
    throw new Error(`networking output ${output} is ${expression}: give its kind a made-up value in writeNetworkingOutputs`);
  };
  const outputs: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(json.output)) {
    outputs[name] = Array.isArray(output.value) ? output.value.map((value) => valueOf(value, name)) : valueOf(output.value, name);
  }
  writeOutputsState(file, outputs, json.output);
}
