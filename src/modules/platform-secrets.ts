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

/**
 * Secrets only an environment that uses them has: the shared secret of its TURN server (`turn`), from which
 * prosody and Synapse derive each client's short-lived TURN credentials; and the password of Synapse's own login
 * to its database on RDS (`rds`), which, unlike RDS's master password, no one rotates behind Synapse.
 */
export const OPTIONAL_SECRETS = ["TURN_SHARED_SECRET", "SYNAPSE_DATABASE_PASSWORD"] as const;

export type PlatformSecret = (typeof PLATFORM_SECRETS)[number] | (typeof OPTIONAL_SECRETS)[number];

/**
 * The secrets an environment has: the six, the TURN server's shared secret where it names a TURN server, and
 * Synapse's database login where it has an RDS instance.
 */
export const secretsOf = (options: { readonly turn: boolean; readonly rds: boolean }): PlatformSecret[] => [
  ...PLATFORM_SECRETS,
  ...(options.turn ? (["TURN_SHARED_SECRET"] as const) : []),
  ...(options.rds ? (["SYNAPSE_DATABASE_PASSWORD"] as const) : []),
];

/** Every secret an environment may have: what `secretVersions` counts the versions of. */
export const ALL_SECRETS: readonly PlatformSecret[] = [...PLATFORM_SECRETS, ...OPTIONAL_SECRETS];

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

/** ARN of an SSM parameter by its full name; `*` for the account when it is not known. */
export function ssmParameterArn(parameterName: string, region: string, accountId?: string): string {
  return `arn:${partitionOf(region)}:ssm:${region}:${accountId ?? "*"}:parameter${parameterName}`;
}

/** ARN of a secret's parameter; `*` for the account when it is not known. */
export function secretParameterArn(
  environmentName: string,
  secret: PlatformSecret,
  region: string,
  accountId?: string,
): string {
  return ssmParameterArn(secretParameterName(environmentName, secret), region, accountId);
}
