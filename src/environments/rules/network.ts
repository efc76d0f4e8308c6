/** The subnets against each other, the VPC and the region's zones. */
import { AVAILABILITY_ZONE, parseIpv4Cidr } from "../fields";
import { q } from "./problem";
import { EnvironmentRule } from "./rule";

/** Subnets: at least two, no overlap, inside the VPC, one per zone of the region. */
export const networkRules: EnvironmentRule = {
  reads: ["network"],
  check(env, { error, valid }) {
    const region = valid("region") ? env.region : undefined;
    const { network } = env;
    const subnets = network.subnets.map((subnet, index) => {
      const parsed = parseIpv4Cidr(subnet.cidrBlock);
      return { index, cidr: subnet.cidrBlock, parsed: typeof parsed === "object" ? parsed : undefined, zone: subnet.availabilityZone };
    });
    if (subnets.length < 2) {
      error(
        "network.subnets",
        `has ${subnets.length} subnet(s); the load balancer needs subnets in at least two availability zones: add one per zone`,
      );
    }
    subnets.forEach((subnet, j) => {
      if (!subnet.parsed) return;
      for (const other of subnets.slice(0, j)) {
        if (!other.parsed) continue;
        const overlap =
          subnet.parsed.address.match(other.parsed.address, other.parsed.prefix) ||
          other.parsed.address.match(subnet.parsed.address, subnet.parsed.prefix);
        if (overlap) {
          error(
            `network.subnets[${subnet.index}].cidrBlock`,
            `${q(subnet.cidr)} overlaps network.subnets[${other.index}].cidrBlock ${q(other.cidr)}; give each subnet a range of its own`,
          );
        }
      }
    });
    const vpc = network.vpcCidrBlock === undefined ? undefined : parseIpv4Cidr(network.vpcCidrBlock);
    if (typeof vpc === "object") {
      for (const subnet of subnets) {
        if (subnet.parsed && !(subnet.parsed.prefix >= vpc.prefix && subnet.parsed.address.match(vpc.address, vpc.prefix))) {
          error(
            `network.subnets[${subnet.index}].cidrBlock`,
            `${q(subnet.cidr)} is outside network.vpcCidrBlock ${q(network.vpcCidrBlock)}; pick a range inside the VPC's`,
          );
        }
      }
    }
    const zonesSeen = new Map<string, number>();
    const usedLetters = new Set(subnets.map((s) => s.zone.slice(-1)));
    const freeZone = region ? `${region}${"abcdef".split("").find((l) => !usedLetters.has(l)) ?? "a"}` : "another zone";
    for (const subnet of subnets) {
      const zone = subnet.zone;
      const match = AVAILABILITY_ZONE.exec(zone);
      if (!match) continue;
      const path = `network.subnets[${subnet.index}].availabilityZone`;
      if (region !== undefined && match[1] !== region) {
        error(path, `${q(zone)} is not in the environment's region ${q(region)}; use a zone of that region, e.g. ${q(`${region}a`)}`);
        continue;
      }
      const first = zonesSeen.get(zone);
      if (first !== undefined) {
        error(
          path,
          `${q(zone)} is already the zone of network.subnets[${first}]; an ALB takes one subnet per zone and needs two zones: put this subnet in another zone, e.g. ${q(freeZone)}`,
        );
      } else {
        zonesSeen.set(zone, subnet.index);
      }
    }
  },
};

/** An IPv4 range contains another: used by the rules between environments. */
export function cidrsOverlap(a: string, b: string): boolean {
  const [x, y] = [parseIpv4Cidr(a), parseIpv4Cidr(b)];
  if (typeof x === "string" || typeof y === "string") return false;
  return x.address.match(y.address, y.prefix) || y.address.match(x.address, x.prefix);
}
