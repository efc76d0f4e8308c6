import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { RECOMMENDED_TLS_POLICY } from "../baseline-rules";

/** An HTTP target group of instances, its health check on `healthCheckPath`. */
export interface TargetGroupSpec {
  /** At most 32 characters. */
  readonly name: string;
  /** Host port the containers publish. */
  readonly port: number;
  /** @default "/" */
  readonly healthCheckPath?: string;
}

/** A rule of the HTTPS listener that forwards some host names to a target group. */
export interface HostRuleSpec {
  /** Key of the target group in `targetGroups`. */
  readonly targetGroup: string;
  readonly priority: number;
  readonly hosts: readonly string[];
}

/** The most an ALB fixed response's body holds, in bytes. */
export const FIXED_RESPONSE_MAX_BYTES = 1024;

/** A rule of the HTTPS listener that answers some paths of some host names itself, without a target. */
export interface FixedResponseRuleSpec {
  readonly priority: number;
  readonly hosts: readonly string[];
  /** Path patterns, e.g. `/.well-known/matrix/server` or `/_synapse/admin/*`. */
  readonly paths: readonly string[];
  readonly statusCode: 200 | 403 | 404;
  readonly contentType: "application/json" | "text/plain";
  /** At most 1024 bytes, the most an ALB fixed response holds. */
  readonly body: string;
}

/**
 * Load balancers are protected from deletion unless their props say otherwise: the one default of the
 * ALB, the XMPP NLB and the environment field (`loadBalancer.deletionProtection`), which the stacks pass as is.
 */
export const DEFAULT_DELETION_PROTECTION = true;

export interface LoadBalancerProps {
  /** At most 32 characters. */
  readonly name: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  /** @default false */
  readonly internal?: boolean;
  /** @default DEFAULT_DELETION_PROTECTION */
  readonly deletionProtection?: boolean;
  readonly certificateArn: string;
  /**
   * Drop HTTP header fields with invalid characters before they reach the targets (request smuggling).
   * @default true
   */
  readonly dropInvalidHeaderFields?: boolean;
  /**
   * Where the load balancer writes its access logs (`AccessLogBucket`): the bucket, the prefix, and what must
   * exist before (the bucket's policy: ELB checks that it may write when logging is switched on).
   * @default - no access logs
   */
  readonly accessLogs?: { readonly bucketName: string; readonly prefix: string; readonly dependsOn: readonly ITerraformDependable[] };
  /**
   * Rules that answer from the load balancer itself, keyed by what they answer (`rule_<key>`).
   * @default - none
   */
  readonly fixedResponses?: Readonly<Record<string, FixedResponseRuleSpec>>;
  /** TLS policy of the HTTPS listener. @default "ELBSecurityPolicy-TLS13-1-2-2021-06" */
  readonly sslPolicy?: string;
  /** Target groups keyed by what they serve. */
  readonly targetGroups: Readonly<Record<string, TargetGroupSpec>>;
  /** Key of the target group HTTPS requests go to when no rule matches. */
  readonly defaultTargetGroup: string;
  /** Host-header rules of the HTTPS listener, keyed by name. */
  readonly hostRules: Readonly<Record<string, HostRuleSpec>>;
}

/**
 * An internet-facing application load balancer: HTTP redirects to HTTPS, HTTPS
 * forwards by host header to instance target groups.
 */
export class LoadBalancer extends Construct {
  public readonly dnsName: string;
  public readonly loadBalancerArn: string;
  public readonly arnSuffix: string;
  /** Target group ARNs keyed like `props.targetGroups`. */
  public readonly targetGroupArns: Readonly<Record<string, string>>;
  public readonly targetGroupArnSuffixes: Readonly<Record<string, string>>;
  /** The HTTPS listener and its rules: a service must wait for them before it registers with a target group. */
  public readonly routing: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const targetGroupArn = (key: string, field: string): string => {
      const arn = arns[key];
      if (arn === undefined) {
        throw new Error(
          `${field}: "${key}" is not a target group of this load balancer; use one of ${Object.keys(arns).join(", ")}.`,
        );
      }
      return arn;
    };

    const lb = new Lb(this, "Default", {
      name: props.name,
      loadBalancerType: "application",
      internal: props.internal ?? false,
      enableDeletionProtection: props.deletionProtection ?? DEFAULT_DELETION_PROTECTION,
      dropInvalidHeaderFields: props.dropInvalidHeaderFields ?? true,
      subnets: [...props.subnetIds],
      securityGroups: [...props.securityGroupIds],
      accessLogs: props.accessLogs ? { bucket: props.accessLogs.bucketName, prefix: props.accessLogs.prefix, enabled: true } : undefined,
      dependsOn: props.accessLogs ? [...props.accessLogs.dependsOn] : undefined,
    });

    const arns: Record<string, string> = {};
    const suffixes: Record<string, string> = {};
    for (const [key, spec] of Object.entries(props.targetGroups)) {
      const group = new LbTargetGroup(this, key, {
        name: spec.name,
        port: spec.port,
        protocol: "HTTP",
        targetType: "instance",
        vpcId: props.vpcId,
        healthCheck: { path: spec.healthCheckPath ?? "/" },
      });
      arns[key] = group.arn;
      suffixes[key] = group.arnSuffix;
    }

    new LbListener(this, "http", {
      loadBalancerArn: lb.arn,
      port: 80,
      protocol: "HTTP",
      defaultAction: [
        { type: "redirect", redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" } },
      ],
    });
    const https = new LbListener(this, "https", {
      loadBalancerArn: lb.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy: props.sslPolicy ?? RECOMMENDED_TLS_POLICY,
      certificateArn: props.certificateArn,
      defaultAction: [
        { type: "forward", targetGroupArn: targetGroupArn(props.defaultTargetGroup, "defaultTargetGroup") },
      ],
    });
    const rules = Object.entries(props.hostRules).map(
      ([key, rule]) =>
        new LbListenerRule(this, `rule_${key}`, {
        listenerArn: https.arn,
        priority: rule.priority,
        action: [{ type: "forward", targetGroupArn: targetGroupArn(rule.targetGroup, `hostRules.${key}.targetGroup`) }],
        condition: [{ hostHeader: { values: [...rule.hosts] } }],
      }),
    );

    for (const [key, rule] of Object.entries(props.fixedResponses ?? {})) {
      if (Buffer.byteLength(rule.body) > FIXED_RESPONSE_MAX_BYTES) {
        throw new Error(`fixedResponses.${key}.body: ${Buffer.byteLength(rule.body)} bytes, more than the ${FIXED_RESPONSE_MAX_BYTES} an ALB fixed response holds; shorten it.`);
      }
      rules.push(
        new LbListenerRule(this, `rule_${key}`, {
          listenerArn: https.arn,
          priority: rule.priority,
          action: [{ type: "fixed-response", fixedResponse: { statusCode: String(rule.statusCode), contentType: rule.contentType, messageBody: rule.body } }],
          condition: [{ hostHeader: { values: [...rule.hosts] } }, { pathPattern: { values: [...rule.paths] } }],
        }),
      );
    }

    this.dnsName = lb.dnsName;
    this.loadBalancerArn = lb.arn;
    this.arnSuffix = lb.arnSuffix;
    this.targetGroupArns = arns;
    this.targetGroupArnSuffixes = suffixes;
    this.routing = [https, ...rules];
  }
}
