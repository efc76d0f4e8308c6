import { MANAGED_RULE_GROUPS, WebAcl, WebAclProps } from "../../src/modules/web-acl";
import { onlyResource, synthConstructs } from "../support/synth";

describe("WebAcl", () => {
  const build = (props: Partial<WebAclProps> = {}) =>
    synthConstructs((scope) => new WebAcl(scope, "web_acl", { name: "jitsi-matrix-dev", loadBalancerArn: "arn:lb", logRetentionDays: 30, ...props })).json;

  it("runs AWS's managed groups, then a rate limit per client, allowing the rest, on the load balancer", () => {
    const acl = onlyResource(build(), "aws_wafv2_web_acl") as { scope: string; default_action: unknown; rule: { name: string; priority: number; statement: Record<string, any> }[] };
    expect(acl.scope).toBe("REGIONAL");
    expect(acl.default_action).toEqual({ allow: {} });
    expect(acl.rule.map((rule) => [rule.priority, rule.name])).toEqual([
      [1, "AWSManagedRulesAmazonIpReputationList"],
      [2, "AWSManagedRulesCommonRuleSet"],
      [3, "AWSManagedRulesKnownBadInputsRuleSet"],
      [4, "rate-limit-per-client"],
    ]);
    expect(acl.rule[3].statement).toEqual({ rate_based_statement: { limit: 2000, aggregate_key_type: "IP" } });
    expect(onlyResource(build(), "aws_wafv2_web_acl_association")).toMatchObject({ resource_arn: "arn:lb", web_acl_arn: "${aws_wafv2_web_acl.web_acl.arn}" });
  });

  it("only counts the Common Rule Set's 8 KB body limit, which every Matrix media upload would trip", () => {
    const acl = onlyResource(build(), "aws_wafv2_web_acl") as { rule: { name: string; statement: Record<string, any> }[] };
    const common = acl.rule.find((rule) => rule.name === "AWSManagedRulesCommonRuleSet")!;
    expect(common.statement.managed_rule_group_statement.rule_action_override).toEqual([{ name: "SizeRestrictions_BODY", action_to_use: { count: {} } }]);
    expect(MANAGED_RULE_GROUPS.flatMap((group) => group.countOnly ?? [])).toEqual(["SizeRestrictions_BODY"]);
  });

  it("logs the blocked requests only, to a log group named as WAF requires", () => {
    const json = build({ logKmsKeyArn: "arn:key" });
    expect(onlyResource(json, "aws_cloudwatch_log_group")).toMatchObject({ name: "aws-waf-logs-jitsi-matrix-dev", retention_in_days: 30, kms_key_id: "arn:key" });
    expect(onlyResource(json, "aws_wafv2_web_acl_logging_configuration")).toMatchObject({
      logging_filter: { default_behavior: "DROP", filter: [{ behavior: "KEEP", requirement: "MEETS_ANY", condition: [{ action_condition: { action: "BLOCK" } }] }] },
    });
  });

  it("refuses a rate limit WAF does not accept, naming the prop", () => {
    expect(() => build({ rateLimitPer5Minutes: 5 })).toThrow("rateLimitPer5Minutes: 5 is out of range; WAF accepts 10 to 2000000000 requests per five minutes.");
  });
});
