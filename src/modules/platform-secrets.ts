/**
 * The passwords the containers share, and where they live in SSM Parameter
 * Store. Both `secrets-<env>` (which writes them) and `jitsi-matrix-<env>`
 * (whose containers read them) name the parameters from here, so the second
 * plans without the first one's state.
 */

export const PLATFORM_SECRETS = [
  "JICOFO_AUTH_PASSWORD",
  "JVB_AUTH_PASSWORD",
  "JIGASI_XMPP_PASSWORD",
  "JIBRI_RECORDER_PASSWORD",
  "JIBRI_XMPP_PASSWORD",
  "POSTGRES_PASSWORD",
] as const;

export type PlatformSecret = (typeof PLATFORM_SECRETS)[number];

/** Parameter path prefix of one environment, e.g. `/jitsi-matrix/staging`. */
export function secretParameterPrefix(environmentName: string): string {
  return `/jitsi-matrix/${environmentName}`;
}

/** Full parameter name of one secret, e.g. `/jitsi-matrix/staging/JVB_AUTH_PASSWORD`. */
export function secretParameterName(environmentName: string, secret: PlatformSecret): string {
  return `${secretParameterPrefix(environmentName)}/${secret}`;
}

/** AWS partition of a region: the first part of every ARN there. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** ARN of a secret's parameter; `*` for the account when it is not known. */
export function secretParameterArn(
  environmentName: string,
  secret: PlatformSecret,
  region: string,
  accountId?: string,
): string {
  return `arn:${partitionOf(region)}:ssm:${region}:${accountId ?? "*"}:parameter${secretParameterName(environmentName, secret)}`;
}
