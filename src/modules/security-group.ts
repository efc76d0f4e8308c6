import {
  SecurityGroup as AwsSecurityGroup,
  SecurityGroupEgress,
  SecurityGroupIngress,
} from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";

/** One inline rule of a security group; its key in the rule map is its description. */
export interface SecurityGroupRule {
  readonly protocol: "tcp" | "udp" | "-1";
  readonly fromPort: number;
  /** @default - same as `fromPort` */
  readonly toPort?: number;
  /** @default - none */
  readonly cidrBlocks?: readonly string[];
  /** Other security groups allowed as source or destination. @default - none */
  readonly securityGroupIds?: readonly string[];
}

/**
 * All traffic to anywhere, in a rule without description: what the legacy groups allow
 * outbound (`legacy.allowAllEgress`), kept byte for byte so that adopting them changes nothing.
 */
export const LEGACY_ALLOW_ALL_EGRESS: Readonly<Record<string, SecurityGroupRule>> = {
  "": { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] },
};

export interface SecurityGroupProps {
  readonly vpcId: string;
  readonly name: string;
  readonly description: string;
  /** Inbound rules keyed by description. */
  readonly ingress: Readonly<Record<string, SecurityGroupRule>>;
  /** Outbound rules keyed by description; `{}` lets nothing out but the answers to what came in. */
  readonly egress: Readonly<Record<string, SecurityGroupRule>>;
  /** Value of the `Name` tag. @default - the group name */
  readonly nameTag?: string;
}

// Inline rules are attributes, not blocks, in the provider schema: Terraform wants every field.
const toInlineRule = ([description, rule]: [string, SecurityGroupRule]): SecurityGroupIngress & SecurityGroupEgress => ({
  description,
  protocol: rule.protocol,
  fromPort: rule.fromPort,
  toPort: rule.toPort ?? rule.fromPort,
  cidrBlocks: [...(rule.cidrBlocks ?? [])],
  ipv6CidrBlocks: [],
  prefixListIds: [],
  securityGroups: [...(rule.securityGroupIds ?? [])],
  selfAttribute: false,
});

const inlineRules = (rules: Readonly<Record<string, SecurityGroupRule>>) =>
  Object.entries(rules)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(toInlineRule);

/**
 * A security group with inline rules. Legacy environments keep inline rules
 * because their state holds them that way; a switch to standalone rule
 * resources is a state migration of its own.
 */
/** What EC2 allows in a rule's description; the provider checks it only once a plan has a state to compare with. */
const RULE_DESCRIPTION = /^[0-9A-Za-z_ .:/()#,@[\]+=&;{}!$*-]*$/;

export class SecurityGroup extends Construct {
  public readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: SecurityGroupProps) {
    super(scope, id);
    for (const description of [...Object.keys(props.ingress), ...Object.keys(props.egress)]) {
      if (!RULE_DESCRIPTION.test(description)) {
        throw new Error(`security group ${props.name}: rule description ${JSON.stringify(description)} has a character EC2 refuses; use letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*`);
      }
    }
    const group = new AwsSecurityGroup(this, "Default", {
      vpcId: props.vpcId,
      name: props.name,
      description: props.description,
      ingress: inlineRules(props.ingress),
      egress: inlineRules(props.egress),
      tags: { Name: props.nameTag ?? props.name },
    });
    this.securityGroupId = group.id;
  }
}
