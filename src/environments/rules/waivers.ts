/** The settings the security baseline allows only with a waiver: each one found, and held against the environment's waivers. */
import { ANYWHERE_CIDRS, BASELINE_RULES, isCurrentTlsPolicy, isFloatingImageTag, RECOMMENDED_TLS_POLICY, WaivableRuleId } from "../../baseline-rules";
import { EnvironmentProblem } from "./problem";
import { RuleContext } from "./context";
import { arr, bool, Loose, obj, q, str } from "./read";

/** Path of a waiver; rule ids have hyphens, so bracket notation. */
export const waiverPath = (rule: WaivableRuleId) => `waivers[${q(rule)}]`;

/** Every setting that breaks a waivable rule needs a waiver (in a legacy environment only), and every waiver a setting it excuses. */
export function waiverRules(ctx: RuleContext): void {
  const { env, error } = ctx;
  const [loadBalancer, capacity, jitsi, matrix, upgrade] = [obj(env.loadBalancer), obj(env.capacity), obj(env.jitsi), obj(env.matrix), obj(env.postgresUpgrade)];
  /** The fields of the environment that break a waivable rule, or count as needing a waiver for it. */
  const breaches = new Map<WaivableRuleId, EnvironmentProblem[]>();
  const breach = (rule: WaivableRuleId, path: string, message: string) => breaches.set(rule, [...(breaches.get(rule) ?? []), { path, message }]);
  const volumeSections: [string, Loose][] = [
    ["jitsi.volumes", jitsi],
    ["matrix.volumes", matrix],
  ];
  for (const [field, section] of volumeSections) {
    arr(section.volumes).forEach((volume, index) => {
      if (obj(volume).transitEncryption === false) {
        breach("efs-transit-encryption", `${field}[${index}].transitEncryption`, "false sends NFS traffic in clear text");
      }
    });
  }

  const legacy = obj(env.legacy);
  arr(legacy.sshIngressCidrs).forEach((cidr, index) => {
    if (typeof cidr === "string" && ANYWHERE_CIDRS.includes(cidr)) {
      breach("admin-ports-closed", `legacy.sshIngressCidrs[${index}]`, `${q(cidr)} opens SSH to the whole internet`);
    }
  });
  if (legacy.loadBalancerUdpMediaIngress === true) {
    breach("no-udp-to-load-balancer", "legacy.loadBalancerUdpMediaIngress", "true opens UDP on the load balancer's group, which an ALB cannot carry");
  }
  if (legacy.untaggedAutoScalingGroup === true) {
    breach(
      "autoscaling-tags",
      "legacy.untaggedAutoScalingGroup",
      "true leaves the Auto Scaling group without the environment's tags, and so its instances (the provider's default_tags reach neither)",
    );
  }
  const sslPolicy = str(loadBalancer.sslPolicy);
  if (sslPolicy !== undefined && !isCurrentTlsPolicy(sslPolicy)) {
    breach("current-tls-policy", "loadBalancer.sslPolicy", `${q(sslPolicy)} is not a current TLS policy (TLS 1.3 with TLS 1.2 at least); use ${q(RECOMMENDED_TLS_POLICY)}`);
  }
  if (bool(capacity.requireImdsv2) === false) {
    breach("imdsv2-required", "capacity.requireImdsv2", "false lets the instances answer IMDSv1");
  }
  if ((bool(env.production) ?? true) && bool(loadBalancer.deletionProtection) === false) {
    breach(
      "production-deletion-protection",
      "loadBalancer.deletionProtection",
      "false leaves a production load balancer unprotected from deletion (production is true unless the environment sets production: false)",
    );
  }
  const imageTags: [string, unknown][] = [
    ["jitsi.imageTag", jitsi.imageTag],
    ...Object.entries(obj(matrix.imageTags)).map(([key, tag]): [string, unknown] => [`matrix.imageTags.${key}`, tag]),
    ["postgresUpgrade.imageTag", upgrade.imageTag],
  ];
  for (const [path, tag] of imageTags) {
    if (typeof tag === "string" && isFloatingImageTag(tag)) {
      breach("pinned-image-tags", path, `${q(tag)} runs whatever was pushed last, so a restart can change the version`);
    }
  }

  const waivers = obj(env.waivers);
  // Waivers are for settings an adopted deployment keeps; a new environment starts on the secure ones.
  const mayWaive = env.legacy !== undefined;
  if (!mayWaive) {
    for (const rule of Object.keys(waivers)) {
      error(
        waiverPath(rule as WaivableRuleId),
        "is a waiver in an environment without a legacy block: a new environment gets no waivers, since waivers only keep the settings of an adopted legacy deployment; remove the waiver and change the setting it excuses",
      );
    }
  }
  for (const [rule, problems] of breaches) {
    const waived = mayWaive && typeof waivers[rule] === "string";
    for (const problem of problems) {
      if (rule === "pinned-image-tags") {
        // A legacy environment keeps running; a new one must not start on a moving tag.
        (waived ? ctx.warn : error)(
          problem.path,
          `${problem.message}${waived ? ` (waived: ${rule})` : ""}; pin a version tag${waived || !mayWaive ? "" : `, or add ${waiverPath(rule)} with the reason the environment keeps it`}`,
        );
      } else if (!waived) {
        error(
          problem.path,
          `${problem.message}, which the security baseline forbids (${rule}: ${BASELINE_RULES[rule].title}); ${mayWaive ? `change it, or add ${waiverPath(rule)} with the reason the environment keeps it` : "change it (a new environment gets no waivers)"}`,
        );
      }
    }
  }
  for (const rule of Object.keys(waivers)) {
    if (rule in BASELINE_RULES && BASELINE_RULES[rule as WaivableRuleId].waivable && !breaches.has(rule as WaivableRuleId)) {
      error(waiverPath(rule as WaivableRuleId), `nothing in this environment breaks ${rule}, so there is nothing to waive; remove the waiver`);
    }
  }
}
