/** Names that must differ within one environment, and names derived from others that must fit AWS's limits. */
import { POSTGRES_UPGRADE_DEFAULTS } from "../../modules/postgres-upgrade";
import { RuleContext, XMPP_PATH } from "./context";
import { obj, q, str } from "./read";

/** An entry of the JVB daemon's, when it has one. */
const daemonEntry = (path: string, value: string | undefined) => (value === undefined ? [] : [{ path, value }]);

/** The XMPP load balancer's default name fits the 32 characters of a load balancer name. */
export function derivedNameRules(ctx: RuleContext): void {
  const { env, error } = ctx;
  const { perInstance: jvbPerInstance, xmppName, environmentName } = ctx.jvb;
  const scaling = obj(env.scaling);
  const xmppPath = XMPP_PATH;
  if (jvbPerInstance && scaling.xmppLoadBalancerName === undefined && xmppName!.length > 32) {
    error(
      xmppPath,
      `is not set, and the default ${q(xmppName)} ("jitsi-xmpp-" + the environment's name) has ${xmppName!.length} characters, more than the 32 of a load balancer name; set a shorter name, e.g. ${q(`xmpp-${environmentName}`.slice(0, 32).replace(/-+$/, ""))}`,
    );
  }
}

/** Target groups, load balancers, security groups, services, task families and roles of one environment each with a name of its own. */
export function distinctNameRules(ctx: RuleContext): void {
  const { env, error } = ctx;
  const { perInstance: jvbPerInstance, xmppName, derivedNames } = ctx.jvb;
  const xmppPath = XMPP_PATH;
  const loadBalancer = obj(env.loadBalancer);
  const distinct = (what: string, entries: { path: string; value: unknown }[], why: string) => {
    const seen = new Map<string, string>();
    for (const { path, value } of entries) {
      const text = str(value);
      if (text === undefined) continue;
      const first = seen.get(text);
      if (first !== undefined) error(path, `${q(text)} is also ${first}; ${why}: give each ${what} its own name`);
      else seen.set(text, path);
    }
  };
  const targetGroups = obj(loadBalancer.targetGroupNames);
  distinct(
    "target group",
    [
      ...["jitsi", "element", "synapse"].map((key) => ({ path: `loadBalancer.targetGroupNames.${key}`, value: targetGroups[key] })),
      ...daemonEntry(`${xmppPath} (also its target group's name)`, xmppName),
    ],
    "target group names are unique in a region",
  );
  distinct(
    "load balancer",
    [{ path: "loadBalancer.name", value: loadBalancer.name }, ...daemonEntry(xmppPath, xmppName)],
    "load balancer names are unique in a region",
  );
  const groups = obj(env.securityGroups);
  distinct(
    "security group",
    [
      ...["loadBalancer", "instances", "efs"].map((key) => ({ path: `securityGroups.${key}.name`, value: obj(groups[key]).name })),
      ...daemonEntry(`${xmppPath} + "-sg" (its security group)`, xmppName === undefined ? undefined : `${xmppName}-sg`),
    ],
    "security group names are unique in a VPC",
  );
  const jitsi = obj(env.jitsi);
  const matrix = obj(env.matrix);
  const upgrade = obj(env.postgresUpgrade);
  distinct(
    "service",
    [
      ...daemonEntry(`the JVB daemon's service name (jvb-service-<environment name>)`, jvbPerInstance ? derivedNames.jvbService : undefined),
      { path: "jitsi.serviceName", value: jitsi.serviceName },
      { path: "matrix.serviceName", value: matrix.serviceName },
      { path: "postgresUpgrade.serviceName", value: upgrade.serviceName ?? POSTGRES_UPGRADE_DEFAULTS.serviceName },
    ],
    "service names are unique in a cluster",
  );
  distinct(
    "task definition family",
    [
      ...daemonEntry(`the JVB daemon's task family (jvb-task-<environment name>)`, jvbPerInstance ? derivedNames.jvbTaskFamily : undefined),
      { path: "jitsi.taskFamily", value: jitsi.taskFamily },
      { path: "matrix.taskFamily", value: matrix.taskFamily },
      { path: "postgresUpgrade.taskFamily", value: upgrade.taskFamily ?? POSTGRES_UPGRADE_DEFAULTS.taskFamily },
    ],
    "each task needs a family of its own, or one task's revisions replace the other's",
  );
  const iam = obj(env.iam);
  const clusterName = str(obj(env.cluster).name);
  const executionRole = str(iam.taskExecutionRoleName) ?? (clusterName === undefined ? undefined : `${clusterName}-task-execution`);
  if (iam.taskExecutionRoleName === undefined && executionRole !== undefined && executionRole.length > 64) {
    error(
      "iam.taskExecutionRoleName",
      `is not set, and the default ${q(executionRole)} (cluster name + "-task-execution") has ${executionRole.length} characters, more than the 64 of an IAM role name; set a shorter name`,
    );
  }
  if (executionRole !== undefined && executionRole === str(iam.instanceRoleName)) {
    const [path, other] =
      iam.taskExecutionRoleName === undefined
        ? ["iam.instanceRoleName", "the default task execution role name (cluster name + \"-task-execution\")"]
        : ["iam.taskExecutionRoleName", "iam.instanceRoleName"];
    error(path, `${q(executionRole)} is also ${other}; the instances' role and the task execution role are different roles: give each its own name`);
  }
}
