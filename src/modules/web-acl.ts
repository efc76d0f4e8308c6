import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { Construct } from "constructs";

/** Requests one client address may make in five minutes before the rate rule blocks it (WAF's window). */
export const DEFAULT_RATE_LIMIT_PER_5_MINUTES = 2000;

/**
 * The AWS managed rule groups the web ACL runs, in order. Each rule of `countOnly` only counts: the
 * Common Rule Set's `SizeRestrictions_BODY` blocks bodies over 8 KB, which is every Matrix media upload and
 * many a Synapse sync filter, so it would break the platform rather than protect it.
 */
export const MANAGED_RULE_GROUPS: readonly { readonly name: string; readonly countOnly?: readonly string[] }[] = [
  { name: "AWSManagedRulesAmazonIpReputationList" },
  { name: "AWSManagedRulesCommonRuleSet", countOnly: ["SizeRestrictions_BODY"] },
  { name: "AWSManagedRulesKnownBadInputsRuleSet" },
];

/** The log group of a web ACL: WAF requires the names of its log groups to start with `aws-waf-logs-`. */
export const webAclLogGroupName = (webAclName: string) => `aws-waf-logs-${webAclName}`;

export interface WebAclProps {
  /** Name of the web ACL and, after `aws-waf-logs-`, of its log group. */
  readonly name: string;
  /** The application load balancer it protects. */
  readonly loadBalancerArn: string;
  /** @default 2000 */
  readonly rateLimitPer5Minutes?: number;
  /** Days the log group keeps the blocked requests. */
  readonly logRetentionDays: number;
  /** @default - CloudWatch Logs' own encryption */
  readonly logKmsKeyArn?: string;
}

/**
 * A regional WAF web ACL in front of the load balancer: AWS's IP reputation list, Common Rule Set and
 * Known Bad Inputs, and a rate limit per client address; everything else is allowed. Blocked requests
 * are logged (only those: allowed ones are the load balancer's access logs). AWS bills 5 USD a month for
 * the ACL, 1 USD per rule or rule group (here 4), and 0.60 USD per million requests.
 */
export class WebAcl extends Construct {
  public readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const limit = props.rateLimitPer5Minutes ?? DEFAULT_RATE_LIMIT_PER_5_MINUTES;
    if (!Number.isInteger(limit) || limit < 10 || limit > 2000000000) {
      throw new Error(`rateLimitPer5Minutes: ${limit} is out of range; WAF accepts 10 to 2000000000 requests per five minutes.`);
    }
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
    const managed = MANAGED_RULE_GROUPS.map((group, index) => ({
      name: group.name,
      priority: index + 1,
      overrideAction: { none: {} },
      // `statement` is untyped in the provider bindings: written as Terraform's JSON has it.
      statement: {
        managed_rule_group_statement: {
          name: group.name,
          vendor_name: "AWS",
          rule_action_override: (group.countOnly ?? []).map((rule) => ({ name: rule, action_to_use: { count: {} } })),
        },
      },
      visibilityConfig: visibility(group.name),
    }));
    const acl = new Wafv2WebAcl(this, "Default", {
      name: props.name,
      description: "jitsi-matrix load balancer: AWS managed rule groups and a rate limit per client",
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      rule: [
        ...managed,
        {
          name: "rate-limit-per-client",
          priority: managed.length + 1,
          action: { block: {} },
          statement: { rate_based_statement: { limit, aggregate_key_type: "IP" } },
          visibilityConfig: visibility("rate-limit-per-client"),
        },
      ],
      visibilityConfig: visibility(props.name),
    });
    new Wafv2WebAclAssociation(this, "association", { resourceArn: props.loadBalancerArn, webAclArn: acl.arn });
    const logs = new CloudwatchLogGroup(this, "logs", {
      name: webAclLogGroupName(props.name),
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
    });
    new Wafv2WebAclLoggingConfiguration(this, "logging", {
      resourceArn: acl.arn,
      logDestinationConfigs: [logs.arn],
      loggingFilter: {
        defaultBehavior: "DROP",
        filter: [{ behavior: "KEEP", requirement: "MEETS_ANY", condition: [{ actionCondition: { action: "BLOCK" } }] }],
      },
    });
    this.webAclArn = acl.arn;
  }
}
