import { EnvironmentInput } from "../../src/environments/environment";

/**
 * The first third octet of generated subnets: x.y.100.0/28 and up, clear of the real subnets
 * (staging's and production's 172.31.48.x, dev's 10.40.0.x and 10.40.1.x).
 */
const FIRST_THIRD_OCTET = 100;
/** The VPC range of a template that does not name one: the default VPC's, where staging and production live. */
const DEFAULT_VPC_CIDR = "172.31.0.0/16";
/** Two /28 subnets fit in each /24 this generator hands out, so one /24 per environment. */
const MAX_ENVIRONMENTS = 255 - FIRST_THIRD_OCTET;

/**
 * `count` environments made from `template` for the synth benchmark: named `bench01`,
 * `bench02`, ..., each with every name, tag and host name of the template made its own,
 * subnets in a /24 of their own inside the template's VPC and data directories of their own on
 * its file system, so that they synthesize side by side as real ones would.
 */
export function generatedEnvironments(template: EnvironmentInput, count: number): EnvironmentInput[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_ENVIRONMENTS) {
    throw new Error(`generated environments: count ${count} is not between 1 and ${MAX_ENVIRONMENTS}; ask for fewer.`);
  }
  const vpcCidr = template.network.vpcCidrBlock ?? DEFAULT_VPC_CIDR;
  const match = /^(\d+)\.(\d+)\.\d+\.\d+\/(\d+)$/.exec(vpcCidr);
  if (match === null || Number(match[3]) > 16) {
    throw new Error(
      `generated environments: ${template.name}'s network.vpcCidrBlock ${JSON.stringify(vpcCidr)} is not a /16 or larger; ` +
        "the generator gives each environment a /24 of it: use a template with a larger VPC.",
    );
  }
  const prefix = `${match[1]}.${match[2]}`;
  return Array.from({ length: count }, (_, i) => generatedEnvironment(template, i + 1, prefix));
}

/** `prefix`: the first two octets of the subnets, the VPC's. */
function generatedEnvironment(template: EnvironmentInput, index: number, prefix: string): EnvironmentInput {
  const name = `bench${String(index).padStart(2, "0")}`;
  const capitalized = name[0].toUpperCase() + name.slice(1);
  const templateCapitalized = template.name[0].toUpperCase() + template.name.slice(1);
  const rename = (value: unknown): unknown => {
    if (typeof value === "string") return value.split(template.name).join(name).split(templateCapitalized).join(capitalized);
    if (Array.isArray(value)) return value.map(rename);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rename(v)]));
    return value;
  };
  const renamed = rename(template) as EnvironmentInput;
  const thirdOctet = FIRST_THIRD_OCTET + index - 1;
  // Directories of its own on the template's file system: two environments on one data directory are refused.
  const ownDirectories = <T extends { readonly volumes: readonly { readonly rootDirectory: string }[] }>(service: T): T => ({
    ...service,
    volumes: service.volumes.map((volume) => ({ ...volume, rootDirectory: `/${name}${volume.rootDirectory}` })),
  });
  return {
    ...renamed,
    name,
    jitsi: ownDirectories(renamed.jitsi),
    matrix: ownDirectories(renamed.matrix),
    network: {
      ...renamed.network,
      subnets: renamed.network.subnets.map((subnet, i) => ({ ...subnet, cidrBlock: `${prefix}.${thirdOctet}.${i * 16}/28` })),
    },
    dns: {
      ...renamed.dns,
      // The renamed zone is a zone of its own: one zone ID has one name.
      hostedZoneId: `Z0BENCH${String(index).padStart(4, "0")}`,
      hosts: Object.fromEntries(
        Object.entries(renamed.dns.hosts).map(([role, host]) => [role, host.replace(/^([^.]+)\./, `$1-${name}.`)]),
      ) as EnvironmentInput["dns"]["hosts"],
    },
  };
}
