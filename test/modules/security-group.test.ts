import { SecurityGroup } from "../../src/modules/security-group";
import { onlyResource, synthConstructs } from "../support/synth";

describe("SecurityGroup", () => {
  const build = (nameTag?: string) =>
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
      });
    }).json;

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

  it("allows all egress by default", () => {
    expect(onlyResource(build(), "aws_security_group").egress).toEqual([
      expect.objectContaining({ protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"], description: "" }),
    ]);
  });

  it("tags the group with its name unless a Name tag is given", () => {
    expect(onlyResource(build(), "aws_security_group").tags).toEqual({ Name: "alb" });
    expect(onlyResource(build("test"), "aws_security_group").tags).toEqual({ Name: "test" });
  });
});
