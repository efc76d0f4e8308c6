import { LEGACY_ALLOW_ALL_EGRESS, SecurityGroup, SecurityGroupProps } from "../../src/modules/security-group";
import { onlyResource, synthConstructs } from "../support/synth";

describe("SecurityGroup", () => {
  const build = (nameTag?: string, egress: SecurityGroupProps["egress"] = { "https out": { protocol: "tcp", fromPort: 443, cidrBlocks: ["0.0.0.0/0"] } }) =>
    synthConstructs((scope) => {
      new SecurityGroup(scope, "alb_sg", {
        vpcId: "vpc-1234",
        name: "alb",
        description: "load balancer",
        nameTag,
        ingress: {
          "standard https port": { protocol: "tcp", fromPort: 443, cidrBlocks: ["0.0.0.0/0"] },
          "from instances": { protocol: "tcp", fromPort: 8000, toPort: 8010, securityGroupIds: ["sg-1"] },
        },
        egress,
      });
    }).json;

  it("refuses a rule description EC2 would refuse (an apostrophe), before any plan", () => {
    expect(() => build(undefined, { "postgresql to synapse's database": { protocol: "tcp", fromPort: 5432, cidrBlocks: ["10.0.0.0/24"] } })).toThrow(
      /security group alb: rule description "postgresql to synapse's database" has a character EC2 refuses/,
    );
  });

  it("takes the construct id as its Terraform name", () => {
    expect(Object.keys(build().resource!.aws_security_group)).toEqual(["alb_sg"]);
  });

  it("writes every field of an inline rule, keyed and described by the rule's name", () => {
    const group = onlyResource(build(), "aws_security_group");
    expect(group.ingress).toEqual([
      {
        description: "from instances",
        protocol: "tcp",
        from_port: 8000,
        to_port: 8010,
        cidr_blocks: [],
        ipv6_cidr_blocks: [],
        prefix_list_ids: [],
        security_groups: ["sg-1"],
        self: false,
      },
      expect.objectContaining({ description: "standard https port", from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"] }),
    ]);
  });

  it("lets out only its egress rules: none is an empty list, which removes AWS's default allow-all rule", () => {
    expect(onlyResource(build(), "aws_security_group").egress).toEqual([
      expect.objectContaining({ description: "https out", protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"] }),
    ]);
    expect(onlyResource(build(undefined, {}), "aws_security_group").egress).toEqual([]);
  });

  it("keeps the legacy egress rule as the legacy state has it: all traffic, no description", () => {
    expect(onlyResource(build(undefined, LEGACY_ALLOW_ALL_EGRESS), "aws_security_group").egress).toEqual([
      expect.objectContaining({ protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"], description: "" }),
    ]);
  });

  it("tags the group with its name unless a Name tag is given", () => {
    expect(onlyResource(build(), "aws_security_group").tags).toEqual({ Name: "alb" });
    expect(onlyResource(build("test"), "aws_security_group").tags).toEqual({ Name: "test" });
  });
});
