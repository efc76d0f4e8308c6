import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { PROSODY_XMPP_PORT } from "./jitsi";
import { SecurityGroupRule } from "./security-group";
import { DEFAULT_DELETION_PROTECTION } from "./load-balancer";

const DEFAULT_IDLE_TIMEOUT_SECONDS = 3600;
const MAX_NAME_LENGTH = 32;

export interface XmppLoadBalancerProps {
  /** Name of the network load balancer: at most 32 letters, digits and hyphens. */
  readonly name: string;
  /**
   * Name of its target group, at most 32 characters.
   * @default - the load balancer's name
   */
  readonly targetGroupName?: string;
  /**
   * Name of the load balancer's security group.
   * @default - the load balancer's name with `-sg`
   */
  readonly securityGroupName?: string;
  readonly vpcId: string;
  /** Subnets of the container instances, one per availability zone. */
  readonly subnetIds: readonly string[];
  /** The instances' security group: the JVBs connect from it, and prosody's port must open in it (`instanceIngress`). */
  readonly instanceSecurityGroupId: string;
  /**
   * Protect the load balancer from deletion (the security baseline wants it in production).
   * @default DEFAULT_DELETION_PROTECTION (load-balancer.ts)
   */
  readonly deletionProtection?: boolean;
  /**
   * Seconds an idle XMPP connection stays open (60 to 6000). The bridges send presence every few
   * seconds; the margin covers a pause without dropping their sessions.
   * @default 3600
   */
  readonly idleTimeoutSeconds?: number;
}

function checkName(field: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(value) || value.length > MAX_NAME_LENGTH || value.startsWith("internal-")) {
    throw new Error(
      `${field}: ${JSON.stringify(value)} is not a load balancer name; use at most ${MAX_NAME_LENGTH} letters, digits and inner hyphens, ` +
        'not starting with "internal-" (e.g. "jitsi-xmpp-staging").',
    );
  }
}

/**
 * A stable address for prosody's XMPP port: an internal network load balancer,
 * TCP 5222, whose target group the jitsi service registers its instance with.
 * JVBs of `JvbDaemon` on every instance connect to `dnsName`; bridge-mode links
 * reach only containers of the same task, and Cloud Map gives bridge-mode tasks
 * only SRV records, which the JVB's XMPP client does not look up.
 *
 * The target group does not preserve client addresses: a JVB on prosody's own
 * instance could not otherwise connect through the load balancer to itself. The
 * load balancer has a security group of its own, and `instanceIngress` is the rule
 * the instances' group needs: TCP 5222 from that group only.
 */
export class XmppLoadBalancer extends Construct {
  /** The address the JVBs use as `XMPP_SERVER`. */
  public readonly dnsName: string;
  /** The target group the jitsi service registers prosody's port with (`Jitsi` `externalJvb`). */
  public readonly targetGroupArn: string;
  /** CloudWatch's dimensions of the load balancer (`net/<name>/<id>`) and its target group. */
  public readonly arnSuffix: string;
  public readonly targetGroupArnSuffix: string;
  public readonly securityGroupId: string;
  /** The rule to add to the instances' security group, keyed by its description. */
  public readonly instanceIngress: Readonly<Record<string, SecurityGroupRule>>;
  /** The outbound rule the instances' group needs where its egress is limited: the JVBs' XMPP to this load balancer. */
  public readonly instanceEgress: Readonly<Record<string, SecurityGroupRule>>;
  /** The listener: the service must wait for it before it registers with the target group. */
  public readonly routing: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: XmppLoadBalancerProps) {
    super(scope, id);
    checkName("name", props.name);
    const targetGroupName = props.targetGroupName ?? props.name;
    checkName("targetGroupName", targetGroupName);
    if (props.subnetIds.length === 0) {
      throw new Error("subnetIds: [] is empty; give the instances' subnets, one per availability zone.");
    }
    const idleTimeout = props.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS;
    if (!Token.isUnresolved(idleTimeout) && (!Number.isInteger(idleTimeout) || idleTimeout < 60 || idleTimeout > 6000)) {
      throw new Error(`idleTimeoutSeconds: ${idleTimeout} is out of range; use a whole number of seconds from 60 to 6000.`);
    }

    const group = new SecurityGroup(this, "security_group", {
      name: props.securityGroupName ?? `${props.name}-sg`,
      description: "internal XMPP load balancer: JVBs to prosody",
      vpcId: props.vpcId,
      tags: { Name: props.securityGroupName ?? `${props.name}-sg` },
    });
    // Standalone rules: the instances' group refers to this one, so inline rules referring back would be a cycle.
    const xmpp = { ipProtocol: "tcp", fromPort: PROSODY_XMPP_PORT, toPort: PROSODY_XMPP_PORT };
    new VpcSecurityGroupIngressRule(this, "ingress_from_instances", {
      securityGroupId: group.id,
      referencedSecurityGroupId: props.instanceSecurityGroupId,
      description: "XMPP from the JVBs on the container instances",
      ...xmpp,
    });
    new VpcSecurityGroupEgressRule(this, "egress_to_instances", {
      securityGroupId: group.id,
      referencedSecurityGroupId: props.instanceSecurityGroupId,
      description: "XMPP and health checks to prosody's instance",
      ...xmpp,
    });

    const loadBalancer = new Lb(this, "Default", {
      name: props.name,
      loadBalancerType: "network",
      internal: true,
      subnets: [...props.subnetIds],
      securityGroups: [group.id],
      // Prosody runs in one zone; JVBs in the others must still reach it through their zone's node.
      enableCrossZoneLoadBalancing: true,
      enableDeletionProtection: props.deletionProtection ?? DEFAULT_DELETION_PROTECTION,
    });
    const targetGroup = new LbTargetGroup(this, "target_group", {
      name: targetGroupName,
      port: PROSODY_XMPP_PORT,
      protocol: "TCP",
      targetType: "instance",
      vpcId: props.vpcId,
      preserveClientIp: "false",
      // Prosody moves only with its task; a short delay lets the replacement register quickly.
      deregistrationDelay: "30",
      healthCheck: { protocol: "TCP", interval: 10, healthyThreshold: 2, unhealthyThreshold: 2 },
    });
    const listener = new LbListener(this, "listener", {
      loadBalancerArn: loadBalancer.arn,
      port: PROSODY_XMPP_PORT,
      protocol: "TCP",
      tcpIdleTimeoutSeconds: idleTimeout,
      defaultAction: [{ type: "forward", targetGroupArn: targetGroup.arn }],
    });

    this.dnsName = loadBalancer.dnsName;
    this.targetGroupArn = targetGroup.arn;
    this.arnSuffix = loadBalancer.arnSuffix;
    this.targetGroupArnSuffix = targetGroup.arnSuffix;
    this.securityGroupId = group.id;
    this.routing = [listener];
    this.instanceIngress = {
      "prosody xmpp from the jvb load balancer": {
        protocol: "tcp",
        fromPort: PROSODY_XMPP_PORT,
        securityGroupIds: [group.id],
      },
    };
    this.instanceEgress = {
      "jvb xmpp to the jvb load balancer": { protocol: "tcp", fromPort: PROSODY_XMPP_PORT, securityGroupIds: [group.id] },
    };
  }
}
