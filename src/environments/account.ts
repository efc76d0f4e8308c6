/** `arn:<partition>:acm:<region>:<account>:certificate/<id>`; the account is the fifth field. */
const CERTIFICATE_ACCOUNT = /^arn:[a-z-]+:acm:[a-z0-9-]+:(\d{12}):certificate\//;

/**
 * The AWS account an environment deploys into: its `accountId` when given, else the account
 * of its load balancer's certificate, which must live in the same account as the load
 * balancer. Undefined only when neither names one (a malformed ARN, which the schema refuses).
 */
export function environmentAccountId(env: { readonly accountId?: string; readonly loadBalancer: { readonly certificateArn: string } }): string | undefined {
  return env.accountId ?? CERTIFICATE_ACCOUNT.exec(env.loadBalancer.certificateArn)?.[1];
}
