/**
 * Rules between environments: what two environments of one registry must not share. Each name is
 * compared where AWS keeps it unique (a VPC, an account and region, or an account), which a shared
 * VPC does not bound: one account holds several VPCs. And two environments must never use the same
 * data directories of one file system: two PostgreSQL servers (or two Synapse, two prosody) on one
 * data directory corrupt it. It compares the fields that pass their own schemas, so that it reports
 * alongside the problems each environment has of its own.
 */
import { environmentAccountId } from "./account";
import { accessLogBucketNameOf, defaultTaskExecutionRoleName, operationsNames } from "./defaults";
import { EnvironmentProblem, q } from "./rules/problem";
import { nestedDirectories as nested } from "./rules/directories";
import { cidrsOverlap } from "./rules/network";
import { EnvironmentFields, environmentFields } from "./shape";

/** A problem of one environment of several, with that environment's label. */
export interface LocatedProblem extends EnvironmentProblem {
  /** The environment's name, or `environment #<n>` when it has no usable name. */
  readonly environment: string;
}

/**
 * Where AWS keeps a name unique: security group names per VPC, most names per account and region, IAM names per
 * account, S3 bucket names in all of AWS (S3 User Guide, "Bucket naming rules"; read 2026-12-07).
 */
type Scope = "vpc" | "region" | "account" | "global";

/** The top-level fields of an environment that passed their own schemas. */
type ValidFields = Partial<EnvironmentFields>;

/** Each top-level field of an input parsed on its own: those that pass, typed; the others are the environment's own problems. */
export function validFieldsOf(input: unknown): ValidFields {
  const given = typeof input === "object" && input !== null ? (input as Readonly<Record<string, unknown>>) : {};
  return Object.fromEntries(
    Object.entries(environmentFields.shape).flatMap(([key, schema]) => {
      const parsed = schema.safeParse(given[key]);
      return parsed.success ? [[key, parsed.data]] : [];
    }),
  ) as ValidFields;
}

/** A name the environment derives from its own, where it has one. */
const derived = (env: ValidFields, pick: (names: ReturnType<typeof operationsNames>) => string) => (env.name === undefined ? undefined : pick(operationsNames(env.name)));

const UNIQUE_NAMES: readonly (readonly [string, Scope, (env: ValidFields) => string | undefined])[] = [
  ["loadBalancer.name", "region", (env) => env.loadBalancer?.name],
  ["loadBalancer.targetGroupNames.jitsi", "region", (env) => env.loadBalancer?.targetGroupNames.jitsi],
  ["loadBalancer.targetGroupNames.element", "region", (env) => env.loadBalancer?.targetGroupNames.element],
  ["loadBalancer.targetGroupNames.synapse", "region", (env) => env.loadBalancer?.targetGroupNames.synapse],
  ["securityGroups.loadBalancer.name", "vpc", (env) => env.securityGroups?.loadBalancer.name],
  ["securityGroups.instances.name", "vpc", (env) => env.securityGroups?.instances.name],
  ["securityGroups.efs.name", "vpc", (env) => env.securityGroups?.efs.name],
  ["iam.instanceRoleName", "account", (env) => env.iam?.instanceRoleName],
  ["iam.instanceProfileName", "account", (env) => env.iam?.instanceProfileName],
  // Given or derived: two environments whose clusters share a name would derive one role name.
  ["iam.taskExecutionRoleName", "account", (env) => env.iam?.taskExecutionRoleName ?? (env.cluster && defaultTaskExecutionRoleName(env.cluster.name))],
  ["cluster.name", "region", (env) => env.cluster?.name],
  ["capacity.autoScalingGroupName", "region", (env) => env.capacity?.autoScalingGroupName],
  // Given or derived from the environment's name: a given one may be another environment's derived one.
  ["alarms.topicName", "region", (env) => env.alarms?.topicName ?? derived(env, (names) => names.alarmTopic)],
  ["rds.identifier", "region", (env) => env.rds?.identifier ?? derived(env, (names) => names.database)],
  ["scaling.xmppLoadBalancerName", "region", (env) => env.scaling?.xmppLoadBalancerName ?? derived(env, (names) => names.xmppLoadBalancer)],
  ["imageCache.repositoryPrefix", "region", (env) => env.imageCache?.repositoryPrefix ?? derived(env, (names) => names.imageCachePrefix)],
  ["accessLogs.bucketName", "global", (env) => env.accessLogs?.bucketName ?? (env.name && env.loadBalancer ? accessLogBucketNameOf({ name: env.name, accountId: env.accountId, loadBalancer: env.loadBalancer }) : undefined)],
];

const SCOPE_WORDS: Readonly<Record<Scope, string>> = {
  vpc: "in the same VPC",
  region: "in the same account and region",
  account: "in the same account",
  global: "and bucket names are unique in all of AWS",
};

/** Whether two environments share `scope`; a shared VPC implies a shared account and region. */
function share(scope: Scope, a: ValidFields, b: ValidFields): boolean {
  if (scope === "global") return true;
  const sameVpc = a.network !== undefined && a.network.vpcId === b.network?.vpcId;
  if (scope === "vpc" || sameVpc) return sameVpc;
  const accountOf = (env: ValidFields) => (env.loadBalancer ? environmentAccountId({ accountId: env.accountId, loadBalancer: env.loadBalancer }) : undefined);
  const account = accountOf(a);
  const sameAccount = account !== undefined && account === accountOf(b);
  return scope === "account" ? sameAccount : sameAccount && a.region !== undefined && a.region === b.region;
}

/** The EFS directories an environment's tasks mount, with the path of the field that names each. */
function dataDirectories(env: ValidFields): { path: string; directory: string }[] {
  return (["jitsi", "matrix"] as const).flatMap((service) =>
    (env[service]?.volumes ?? []).map((volume, i) => ({ path: `${service}.volumes[${i}].rootDirectory`, directory: volume.rootDirectory })),
  );
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

/** The host names an environment's stack gives records, by field: its services', and its coturn's. */
function recordedHosts(env: ValidFields): [string, string][] {
  const hosts = Object.entries(env.dns?.hosts ?? {}).map(([key, host]): [string, string] => [`dns.hosts.${key}`, host]);
  return env.turn?.coturn.enabled ? [...hosts, ["turn.host", env.turn.host]] : hosts;
}

/** Problems between environments: names, subnets, AWS names and data directories they would share. */
export function crossEnvironmentProblems(inputs: readonly unknown[]): LocatedProblem[] {
  const problems: LocatedProblem[] = [];
  const labels = labelsOf(inputs);
  const envs = inputs.map((input, index) => ({ env: validFieldsOf(input), label: labels[index] }));
  envs.forEach(({ env, label }, j) => {
    for (const { env: other, label: otherLabel } of envs.slice(0, j)) {
      const add = (path: string, message: string) => problems.push({ environment: label, path, message });
      if (env.name !== undefined && env.name === other.name) {
        add("name", `${q(env.name)} is also the name of another environment; stacks, state keys and parameter paths derive from it: give each environment its own name`);
        continue;
      }
      if (env.network && other.network && share("vpc", env, other)) {
        const vpcId = env.network.vpcId;
        const theirSubnets = other.network.subnets;
        env.network.subnets.forEach(({ cidrBlock }, i) => {
          theirSubnets.forEach((otherSubnet, k) => {
            if (cidrsOverlap(cidrBlock, otherSubnet.cidrBlock)) {
              add(
                `network.subnets[${i}].cidrBlock`,
                `${q(cidrBlock)} overlaps environment ${otherLabel}'s network.subnets[${k}].cidrBlock ${q(otherSubnet.cidrBlock)} in the same VPC ${vpcId}; pick a free range`,
              );
            }
          });
        });
      }
      for (const [path, scope, read] of UNIQUE_NAMES) {
        const name = read(env);
        if (name !== undefined && name === read(other) && share(scope, env, other)) {
          add(path, `${q(name)} is also environment ${otherLabel}'s ${path}, ${SCOPE_WORDS[scope]}; AWS names must be unique there: rename it`);
        }
      }
      // A file system ID names one file system within an account and region.
      if (env.efsFileSystemId !== undefined && env.efsFileSystemId === other.efsFileSystemId && share("region", env, other)) {
        const theirs = dataDirectories(other);
        for (const { path, directory } of dataDirectories(env)) {
          const clash = theirs.find((their) => nested(directory, their.directory));
          if (clash) {
            add(
              path,
              `${q(directory)} on file system ${env.efsFileSystemId} is also (or holds, or lies in) environment ${otherLabel}'s ${clash.path} ${q(clash.directory)}; ` +
                "two environments on one data directory would run two servers on one database or configuration: give each environment its own directories (or file system)",
            );
          }
        }
      }
      // A hosted zone ID names one zone: two environments that give it two names misread one of them.
      const zone = env.dns, otherZone = other.dns;
      if (zone?.hostedZoneName !== undefined && otherZone?.hostedZoneName !== undefined && zone.hostedZoneId === otherZone.hostedZoneId && zone.hostedZoneName !== otherZone.hostedZoneName) {
        add(
          "dns.hostedZoneName",
          `${q(zone.hostedZoneName)} is the name this environment gives hosted zone ${zone.hostedZoneId}, which environment ${otherLabel} names ${q(otherZone.hostedZoneName)}; one zone has one name: correct the name, or the zone ID`,
        );
      }
      const otherHosts = recordedHosts(other);
      for (const [path, host] of recordedHosts(env)) {
        const clash = otherHosts.find(([, otherHost]) => otherHost === host);
        if (clash) add(path, `${q(host)} is also environment ${otherLabel}'s ${clash[0]}; a host name can point at one load balancer only: pick another`);
      }
    }
  });
  return problems;
}
