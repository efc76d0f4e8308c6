import { Environment } from "../environments/environment";

/** The first third octet of generated subnets: 172.31.100.0/28 and up, clear of staging's and production's 172.31.48.x. */
const FIRST_THIRD_OCTET = 100;
/** Two /28 subnets fit in each /24 this generator hands out, so one /24 per environment. */
const MAX_ENVIRONMENTS = 255 - FIRST_THIRD_OCTET;

/**
 * `count` environments made from `template` for the synth benchmark: named `bench01`,
 * `bench02`, ..., each with every name, tag and host name of the template made its own and
 * subnets in a /24 of their own, so that they synthesize side by side as real ones would.
 */
export function generatedEnvironments(template: Environment, count: number): Environment[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_ENVIRONMENTS) {
    throw new Error(`generated environments: count ${count} is not between 1 and ${MAX_ENVIRONMENTS}; ask for fewer.`);
  }
  return Array.from({ length: count }, (_, i) => generatedEnvironment(template, i + 1));
}

function generatedEnvironment(template: Environment, index: number): Environment {
  const name = `bench${String(index).padStart(2, "0")}`;
  const capitalized = name[0].toUpperCase() + name.slice(1);
  const templateCapitalized = template.name[0].toUpperCase() + template.name.slice(1);
  const rename = (value: unknown): unknown => {
    if (typeof value === "string") return value.split(template.name).join(name).split(templateCapitalized).join(capitalized);
    if (Array.isArray(value)) return value.map(rename);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rename(v)]));
    return value;
  };
  const renamed = rename(template) as Environment;
  const thirdOctet = FIRST_THIRD_OCTET + index - 1;
  return {
    ...renamed,
    name,
    network: {
      ...renamed.network,
      subnets: renamed.network.subnets.map((subnet, i) => ({ ...subnet, cidrBlock: `172.31.${thirdOctet}.${i * 16}/28` })),
    },
    dns: {
      ...renamed.dns,
      hosts: Object.fromEntries(
        Object.entries(renamed.dns.hosts).map(([role, host]) => [role, host.replace(/^([^.]+)\./, `$1-${name}.`)]),
      ) as Environment["dns"]["hosts"],
    },
  };
}
