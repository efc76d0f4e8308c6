/**
 * Rules between environments: what two environments of one registry must not share. Each name is
 * compared where AWS keeps it unique (a VPC, an account and region, or an account), which a shared
 * VPC does not bound: one account holds several VPCs. And two environments must never use the same
 * data directories of one file system: two PostgreSQL servers (or two Synapse, two prosody) on one
 * data directory corrupt it. Reads the raw input, so that it reports alongside the field problems.
 */
import { accountIdOf } from "./account";
import { EnvironmentProblem } from "./rules/problem";
import { cidrsOverlap } from "./rules/network";
import { arr, Loose, obj, str as text } from "./rules/read";

/** A problem of one environment of several, with that environment's label. */
export interface LocatedProblem extends EnvironmentProblem {
  /** The environment's name, or `environment #<n>` when it has no usable name. */
  readonly environment: string;
}


/** Where AWS keeps a name unique: security group names per VPC, most names per account and region, IAM names per account. */
type Scope = "vpc" | "region" | "account";

const UNIQUE_NAMES: readonly (readonly [string, Scope, (env: Loose) => unknown])[] = [
  ["loadBalancer.name", "region", (env) => obj(env.loadBalancer).name],
  ["loadBalancer.targetGroupNames.jitsi", "region", (env) => obj(obj(env.loadBalancer).targetGroupNames).jitsi],
  ["loadBalancer.targetGroupNames.element", "region", (env) => obj(obj(env.loadBalancer).targetGroupNames).element],
  ["loadBalancer.targetGroupNames.synapse", "region", (env) => obj(obj(env.loadBalancer).targetGroupNames).synapse],
  ["securityGroups.loadBalancer.name", "vpc", (env) => obj(obj(env.securityGroups).loadBalancer).name],
  ["securityGroups.instances.name", "vpc", (env) => obj(obj(env.securityGroups).instances).name],
  ["securityGroups.efs.name", "vpc", (env) => obj(obj(env.securityGroups).efs).name],
  ["iam.instanceRoleName", "account", (env) => obj(env.iam).instanceRoleName],
  ["iam.instanceProfileName", "account", (env) => obj(env.iam).instanceProfileName],
  ["iam.taskExecutionRoleName", "account", (env) => obj(env.iam).taskExecutionRoleName],
  ["cluster.name", "region", (env) => obj(env.cluster).name],
  ["capacity.autoScalingGroupName", "region", (env) => obj(env.capacity).autoScalingGroupName],
];

const SCOPE_WORDS: Readonly<Record<Scope, string>> = { vpc: "in the same VPC", region: "in the same account and region", account: "in the same account" };

/** The account an environment deploys into (account.ts): its `accountId`, else its certificate's. */
const accountOf = (env: Loose) => accountIdOf(text(env.accountId), text(obj(env.loadBalancer).certificateArn));

/** Whether two environments share `scope`; a shared VPC implies a shared account and region. */
function share(scope: Scope, a: Loose, b: Loose): boolean {
  const vpc = text(obj(a.network).vpcId);
  const sameVpc = vpc !== undefined && vpc === obj(b.network).vpcId;
  if (scope === "vpc" || sameVpc) return sameVpc;
  const account = accountOf(a);
  const sameAccount = account !== undefined && account === accountOf(b);
  return scope === "account" ? sameAccount : sameAccount && text(a.region) !== undefined && a.region === b.region;
}

/** The EFS directories an environment's tasks mount, with the path of the field that names each. */
function dataDirectories(env: Loose): { path: string; directory: string }[] {
  return (["jitsi", "matrix"] as const).flatMap((service) =>
    arr(obj(env[service]).volumes).flatMap((volume, i) => {
      const directory = text(obj(volume).rootDirectory);
      return directory === undefined ? [] : [{ path: `${service}.volumes[${i}].rootDirectory`, directory }];
    }),
  );
}

/** One directory is the other or inside it: `/matrix` holds `/matrix/postgres/data`. */
function nested(a: string, b: string): boolean {
  const [x, y] = [a, b].map((dir) => (dir.endsWith("/") ? dir : `${dir}/`));
  return x.startsWith(y) || y.startsWith(x);
}

function labelOf(input: unknown, index?: number): string {
  const name = (input as { name?: unknown } | null)?.name;
  if (typeof name === "string" && name !== "") return name;
  return index === undefined ? "(unnamed)" : `#${index + 1}`;
}

/** How the problems of each environment of a list are headed: its name, made unique with its position when needed. */
export function labelsOf(inputs: readonly unknown[]): string[] {
  const names = inputs.map((input, index) => labelOf(input, inputs.length > 1 ? index : undefined));
  return names.map((name, index) => (names.indexOf(name) === index ? name : `${name} (#${index + 1})`));
}

/** Problems between environments: names, subnets, AWS names and data directories they would share. */
export function crossEnvironmentProblems(inputs: readonly unknown[]): LocatedProblem[] {
  const problems: LocatedProblem[] = [];
  const labels = labelsOf(inputs);
  const envs = inputs.map((input, index) => ({ env: obj(input), label: labels[index] }));
  envs.forEach(({ env, label }, j) => {
    for (const { env: other, label: otherLabel } of envs.slice(0, j)) {
      const add = (path: string, message: string) => problems.push({ environment: label, path, message });
      if (text(env.name) !== undefined && env.name === other.name) {
        add("name", `${JSON.stringify(env.name)} is also the name of another environment; stacks, state keys and parameter paths derive from it: give each environment its own name`);
        continue;
      }
      if (share("vpc", env, other)) {
        const vpc = text(obj(env.network).vpcId);
        arr(obj(env.network).subnets).forEach((subnet, i) => {
          const cidr = text(obj(subnet).cidrBlock);
          arr(obj(other.network).subnets).forEach((otherSubnet, k) => {
            const otherCidr = text(obj(otherSubnet).cidrBlock);
            if (cidr !== undefined && otherCidr !== undefined && cidrsOverlap(cidr, otherCidr)) {
              add(
                `network.subnets[${i}].cidrBlock`,
                `${JSON.stringify(cidr)} overlaps environment ${otherLabel}'s network.subnets[${k}].cidrBlock ${JSON.stringify(otherCidr)} in the same VPC ${vpc}; pick a free range`,
              );
            }
          });
        });
      }
      for (const [path, scope, read] of UNIQUE_NAMES) {
        const name = text(read(env));
        if (name !== undefined && name === read(other) && share(scope, env, other)) {
          add(path, `${JSON.stringify(name)} is also environment ${otherLabel}'s ${path}, ${SCOPE_WORDS[scope]}; AWS names must be unique there: rename it`);
        }
      }
      const fileSystem = text(env.efsFileSystemId);
      // A file system ID names one file system within an account and region.
      if (fileSystem !== undefined && fileSystem === other.efsFileSystemId && share("region", env, other)) {
        const theirs = dataDirectories(other);
        for (const { path, directory } of dataDirectories(env)) {
          const clash = theirs.find((their) => nested(directory, their.directory));
          if (clash) {
            add(
              path,
              `${JSON.stringify(directory)} on file system ${fileSystem} is also (or holds, or lies in) environment ${otherLabel}'s ${clash.path} ${JSON.stringify(clash.directory)}; ` +
                "two environments on one data directory would run two servers on one database or configuration: give each environment its own directories (or file system)",
            );
          }
        }
      }
      const otherHosts = Object.entries(obj(obj(other.dns).hosts));
      for (const [key, host] of Object.entries(obj(obj(env.dns).hosts))) {
        const clash = otherHosts.find(([, otherHost]) => typeof host === "string" && otherHost === host);
        if (clash) add(`dns.hosts.${key}`, `${JSON.stringify(host)} is also environment ${otherLabel}'s dns.hosts.${clash[0]}; a host name can point at one load balancer only: pick another`);
      }
    }
  });
  return problems;
}
