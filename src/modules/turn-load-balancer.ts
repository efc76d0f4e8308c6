import { AutoscalingAttachment } from "@cdktf/provider-aws/lib/autoscaling-attachment";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { RECOMMENDED_TLS_POLICY } from "../baseline-rules";
import { DEFAULT_DELETION_PROTECTION } from "./load-balancer";
import { SecurityGroupRule } from "./security-group";

export interface TurnLoadBalancerProps {
  /** Name of the network load balancer and of its security group (`<name>-sg`): at most 32 characters. */
  readonly name: string;
  /** The target groups: TURN over UDP and TCP, and TURN over TLS after the load balancer ended the TLS; at most 32 characters each. */
  readonly targetGroupNames: { readonly turn: string; readonly turns: string };
  readonly vpcId: string;
  /** The instances' public subnets, one per availability zone. */
  readonly subnetIds: readonly string[];
  /** The instances' group, which the forwarding and the health checks go to. */
  readonly instanceSecurityGroupId: string;
  /** The Auto Scaling group of the container instances: every instance runs coturn, so every instance is a target. */
  readonly autoScalingGroupName: string;
  /** coturn's listening port, and the load balancer's port of TURN over UDP and TCP. */
  readonly port: number;
  /** The load balancer's port of TURN over TLS. */
  readonly tlsPort: number;
  /** An ACM certificate that names the TURN host. */
  readonly certificateArn: string;
  /** @default DEFAULT_DELETION_PROTECTION (load-balancer.ts) */
  readonly deletionProtection?: boolean;
}

const ANYWHERE = "0.0.0.0/0";

/**
 * The TURN server's public address: an internet-facing network load balancer with TURN over UDP and TCP on `port` and
 * TURN over TLS on `tlsPort`, which it ends with the certificate (clients behind firewalls that let only HTTPS out),
 * forwarding all of it to coturn's `port` on the instances. Client addresses are preserved, as coturn needs them; the
 * relayed media does not pass the load balancer: coturn announces its instance's public address for it, which
 * `instanceIngress` opens. The DNS name of the TURN host points at `dnsName`.
 */
export class TurnLoadBalancer extends Construct {
  public readonly dnsName: string;
  public readonly securityGroupId: string;
  /** The rules the instances' group needs: TURN from this load balancer's group. */
  public readonly instanceIngress: Readonly<Record<string, SecurityGroupRule>>;
  /** The listeners and attachments: the coturn service waits for them. */
  public readonly routing: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: TurnLoadBalancerProps) {
    super(scope, id);
    if (props.port === props.tlsPort) {
      throw new Error(`tlsPort: ${props.tlsPort} is also port; TURN over TLS needs a listener of its own: use 443 or 5349.`);
    }
    const groupName = `${props.name}-sg`;
    const group = new SecurityGroup(this, "security_group", {
      name: groupName,
      description: "TURN load balancer: clients to coturn",
      vpcId: props.vpcId,
      tags: { Name: groupName },
    });
    // Standalone rules: the instances' group refers to this one, so inline rules referring back would be a cycle.
    const ingress = (key: string, ipProtocol: "tcp" | "udp", port: number, description: string) =>
      new VpcSecurityGroupIngressRule(this, key, { securityGroupId: group.id, cidrIpv4: ANYWHERE, ipProtocol, fromPort: port, toPort: port, description });
    ingress("ingress_turn_udp", "udp", props.port, "TURN over UDP from clients");
    ingress("ingress_turn_tcp", "tcp", props.port, "TURN over TCP from clients");
    ingress("ingress_turns", "tcp", props.tlsPort, "TURN over TLS from clients behind firewalls that let only HTTPS out");
    for (const ipProtocol of ["udp", "tcp"] as const) {
      new VpcSecurityGroupEgressRule(this, `egress_to_instances_${ipProtocol}`, {
        securityGroupId: group.id,
        referencedSecurityGroupId: props.instanceSecurityGroupId,
        ipProtocol,
        fromPort: props.port,
        toPort: props.port,
        description: ipProtocol === "tcp" ? "TURN over TCP and TLS, and health checks, to coturn" : "TURN over UDP to coturn",
      });
    }

    const loadBalancer = new Lb(this, "Default", {
      name: props.name,
      loadBalancerType: "network",
      internal: false,
      subnets: [...props.subnetIds],
      securityGroups: [group.id],
      // An instance may be missing from a zone while the group scales; the other zones' coturns then answer.
      enableCrossZoneLoadBalancing: true,
      enableDeletionProtection: props.deletionProtection ?? DEFAULT_DELETION_PROTECTION,
    });
    const targetGroup = (key: "turn" | "turns", protocol: "TCP_UDP" | "TCP") =>
      new LbTargetGroup(this, `${key}_target_group`, {
        name: props.targetGroupNames[key],
        port: props.port,
        protocol,
        targetType: "instance",
        vpcId: props.vpcId,
        // A TURN allocation lives for minutes; a draining coturn keeps its sessions a little.
        deregistrationDelay: "60",
        // UDP cannot be health checked; coturn's TCP listener answers for both.
        healthCheck: { protocol: "TCP", interval: 10, healthyThreshold: 2, unhealthyThreshold: 2 },
      });
    const turn = targetGroup("turn", "TCP_UDP");
    const turns = targetGroup("turns", "TCP");
    const listeners = [
      new LbListener(this, "turn_listener", {
        loadBalancerArn: loadBalancer.arn,
        port: props.port,
        protocol: "TCP_UDP",
        defaultAction: [{ type: "forward", targetGroupArn: turn.arn }],
      }),
      new LbListener(this, "turns_listener", {
        loadBalancerArn: loadBalancer.arn,
        port: props.tlsPort,
        protocol: "TLS",
        certificateArn: props.certificateArn,
        sslPolicy: RECOMMENDED_TLS_POLICY,
        defaultAction: [{ type: "forward", targetGroupArn: turns.arn }],
      }),
    ];
    const attachments = [turn, turns].map(
      (group, index) =>
        new AutoscalingAttachment(this, `${index === 0 ? "turn" : "turns"}_attachment`, {
          autoscalingGroupName: props.autoScalingGroupName,
          lbTargetGroupArn: group.arn,
        }),
    );

    this.dnsName = loadBalancer.dnsName;
    this.securityGroupId = group.id;
    this.routing = [...listeners, ...attachments];
    this.instanceIngress = {
      "coturn turn over udp from the turn load balancer": { protocol: "udp", fromPort: props.port, securityGroupIds: [group.id] },
      "coturn turn over tcp and tls from the turn load balancer": { protocol: "tcp", fromPort: props.port, securityGroupIds: [group.id] },
    };
  }
}
