/** Names that must differ within one environment, and names derived from others that must fit AWS's limits. */
import { defaultTaskExecutionRoleName, jvbPerInstanceOf, operationsNames, xmppLoadBalancerNameOf } from "../defaults";
import { q } from "./problem";
import { EnvironmentRule } from "./rule";

const XMPP_PATH = "scaling.xmppLoadBalancerName";

/** An entry of the JVB daemon's, when it has one. */
const daemonEntry = (path: string, value: string | undefined) => (value === undefined ? [] : [{ path, value }]);

/** The XMPP load balancer's default name fits the 32 characters of a load balancer name. */
export const derivedNameRules: EnvironmentRule = {
  reads: ["name", "scaling"],
  check(env, { error }) {
    const xmppName = xmppLoadBalancerNameOf(env);
    if (jvbPerInstanceOf(env.scaling) && env.scaling.xmppLoadBalancerName === undefined && xmppName.length > 32) {
      error(
        XMPP_PATH,
        `is not set, and the default ${q(xmppName)} ("jitsi-xmpp-" + the environment's name) has ${xmppName.length} characters, more than the 32 of a load balancer name; set a shorter name, e.g. ${q(`xmpp-${env.name}`.slice(0, 32).replace(/-+$/, ""))}`,
      );
    }
  },
};

/** Target groups, load balancers, security groups, services, task families and roles of one environment each with a name of its own. */
export const distinctNameRules: EnvironmentRule = {
  reads: ["name", "scaling"],
  check(env, { error, valid }) {
    const jvbPerInstance = jvbPerInstanceOf(env.scaling);
    const xmppName = jvbPerInstance ? xmppLoadBalancerNameOf(env) : undefined;
    const derivedNames = operationsNames(env.name);
    /** A name the environment gives, when it passed its own schema. */
    const named = (path: string, value: () => string) => (valid(path) ? [{ path, value: value() }] : []);
    const distinct = (what: string, entries: { path: string; value: string }[], why: string) => {
      const seen = new Map<string, string>();
      for (const { path, value } of entries) {
        const first = seen.get(value);
        if (first !== undefined) error(path, `${q(value)} is also ${first}; ${why}: give each ${what} its own name`);
        else seen.set(value, path);
      }
    };
    const { loadBalancer, securityGroups, jitsi, matrix, postgresUpgrade, iam, cluster } = env;
    distinct(
      "target group",
      [
        ...(["jitsi", "element", "synapse"] as const).flatMap((key) => named(`loadBalancer.targetGroupNames.${key}`, () => loadBalancer.targetGroupNames[key])),
        ...daemonEntry(`${XMPP_PATH} (also its target group's name)`, xmppName),
      ],
      "target group names are unique in a region",
    );
    distinct(
      "load balancer",
      [...named("loadBalancer.name", () => loadBalancer.name), ...daemonEntry(XMPP_PATH, xmppName)],
      "load balancer names are unique in a region",
    );
    distinct(
      "security group",
      [
        ...(["loadBalancer", "instances", "efs"] as const).flatMap((key) => named(`securityGroups.${key}.name`, () => securityGroups[key].name)),
        ...daemonEntry(`${XMPP_PATH} + "-sg" (its security group)`, xmppName === undefined ? undefined : `${xmppName}-sg`),
      ],
      "security group names are unique in a VPC",
    );
    distinct(
      "service",
      [
        ...daemonEntry(`the JVB daemon's service name (jvb-service-<environment name>)`, jvbPerInstance ? derivedNames.jvbService : undefined),
        ...named("jitsi.serviceName", () => jitsi.serviceName),
        ...named("matrix.serviceName", () => matrix.serviceName),
        ...named("postgresUpgrade.serviceName", () => postgresUpgrade.serviceName),
      ],
      "service names are unique in a cluster",
    );
    distinct(
      "task definition family",
      [
        ...daemonEntry(`the JVB daemon's task family (jvb-task-<environment name>)`, jvbPerInstance ? derivedNames.jvbTaskFamily : undefined),
        ...named("jitsi.taskFamily", () => jitsi.taskFamily),
        ...named("matrix.taskFamily", () => matrix.taskFamily),
        ...named("postgresUpgrade.taskFamily", () => postgresUpgrade.taskFamily),
      ],
      "each task needs a family of its own, or one task's revisions replace the other's",
    );
    if (!valid("iam") || !valid("cluster.name")) return;
    const executionRole = iam.taskExecutionRoleName ?? defaultTaskExecutionRoleName(cluster.name);
    if (iam.taskExecutionRoleName === undefined && executionRole.length > 64) {
      error(
        "iam.taskExecutionRoleName",
        `is not set, and the default ${q(executionRole)} (cluster name + "-task-execution") has ${executionRole.length} characters, more than the 64 of an IAM role name; set a shorter name`,
      );
    }
    if (executionRole === iam.instanceRoleName) {
      const [path, other] =
        iam.taskExecutionRoleName === undefined
          ? ["iam.instanceRoleName", 'the default task execution role name (cluster name + "-task-execution")']
          : ["iam.taskExecutionRoleName", "iam.instanceRoleName"];
      error(path, `${q(executionRole)} is also ${other}; the instances' role and the task execution role are different roles: give each its own name`);
    }
  },
};
