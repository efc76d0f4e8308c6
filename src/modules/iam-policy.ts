/**
 * IAM policy documents as JSON strings, rendered here rather than by a data
 * source so that they are plain values in the synthesized JSON.
 */

/** Trust policy letting one AWS service assume a role. */
export function assumeRolePolicy(service: string): string {
  return JSON.stringify({
    Statement: [{ Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: service } }],
    Version: "2012-10-17",
  });
}

/** A policy with one statement allowing `actions` on `resources`. */
export function allowPolicy(actions: readonly string[], resources: readonly string[]): string {
  return JSON.stringify({
    Statement: [{ Action: [...actions], Effect: "Allow", Resource: [...resources] }],
    Version: "2012-10-17",
  });
}
