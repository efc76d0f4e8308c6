import { DnsRecords } from "../../src/modules/dns-records";
import { EfsMountTargets } from "../../src/modules/efs-mount-targets";
import { Subnets } from "../../src/modules/subnets";
import { resourcesOf, synthConstructs } from "../support/synth";

describe("Subnets", () => {
  it("creates one subnet per CIDR, named by it, with its zone and Name tag", () => {
    const { json } = synthConstructs(
      (scope) =>
        new Subnets(scope, "subnet", {
          vpcId: "vpc-1",
          subnets: [
            { cidrBlock: "10.0.0.0/28", availabilityZone: "eu-west-1a", name: "one" },
            { cidrBlock: "10.0.0.16/28", availabilityZone: "eu-west-1b", name: "two" },
          ],
        }),
    );
    expect(resourcesOf(json, "aws_subnet")).toEqual({
      "subnet_10-0-0-0-28": expect.objectContaining({ vpc_id: "vpc-1", cidr_block: "10.0.0.0/28", availability_zone: "eu-west-1a", tags: { Name: "one" } }),
      "subnet_10-0-0-16-28": expect.objectContaining({ cidr_block: "10.0.0.16/28", availability_zone: "eu-west-1b", tags: { Name: "two" } }),
    });
  });
});

describe("EfsMountTargets", () => {
  it("puts one mount target in each subnet, keyed by the subnet's CIDR", () => {
    const { json } = synthConstructs(
      (scope) =>
        new EfsMountTargets(scope, "efs_mount_target", {
          fileSystemId: "fs-1",
          subnetIdsByCidr: { "10.0.0.0/28": "subnet-a", "10.0.0.16/28": "subnet-b" },
          securityGroupIds: ["sg-efs"],
        }),
    );
    expect(resourcesOf(json, "aws_efs_mount_target")).toEqual({
      "efs_mount_target_10-0-0-0-28": expect.objectContaining({ file_system_id: "fs-1", subnet_id: "subnet-a", security_groups: ["sg-efs"] }),
      "efs_mount_target_10-0-0-16-28": expect.objectContaining({ subnet_id: "subnet-b" }),
    });
  });
});

describe("DnsRecords", () => {
  it("points each host at the target with a CNAME of TTL 300", () => {
    const { json } = synthConstructs(
      (scope) => new DnsRecords(scope, "dns", { hostedZoneId: "Z1", hosts: { meet: "meet.example.org" }, target: "lb.example.com" }),
    );
    expect(resourcesOf(json, "aws_route53_record").dns_meet).toMatchObject({
      zone_id: "Z1",
      name: "meet.example.org",
      type: "CNAME",
      ttl: 300,
      records: ["lb.example.com"],
    });
  });
});
