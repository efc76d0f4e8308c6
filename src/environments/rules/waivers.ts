/** The settings the security baseline allows only with a waiver: each one found, and held against the environment's waivers. */
import { ANYWHERE_CIDRS, BASELINE_RULES, isCurrentTlsPolicy, isFloatingImageTag, isWiringRule, RECOMMENDED_TLS_POLICY, WaivableRuleId } from "../../baseline-rules";
import { launchTemplateOf } from "../defaults";
import { IMAGE_TAG_FIELDS } from "../images";
import { EnvironmentProblem, q } from "./problem";
import { EnvironmentRule } from "./rule";

/** Path of a waiver; rule ids have hyphens, so bracket notation. */
export const waiverPath = (rule: WaivableRuleId) => `waivers[${q(rule)}]`;

/** Every setting that breaks a waivable rule needs a waiver (in a legacy environment only), and every waiver a setting it excuses. */
export const waiverRules: EnvironmentRule = {
  reads: ["legacy"],
  check(env, { error, warn, valid }) {
    const { loadBalancer, capacity, jitsi, matrix } = env;
    /** The fields of the environment that break a waivable rule, or count as needing a waiver for it. */
    const breaches = new Map<WaivableRuleId, EnvironmentProblem[]>();
    const breach = (rule: WaivableRuleId, path: string, message: string) => breaches.set(rule, [...(breaches.get(rule) ?? []), { path, message }]);
    for (const field of ["jitsi.volumes", "matrix.volumes"] as const) {
      if (!valid(field)) continue;
      (field === "jitsi.volumes" ? jitsi : matrix).volumes.forEach((volume, index) => {
        if (!volume.transitEncryption) breach("efs-transit-encryption", `${field}[${index}].transitEncryption`, "false sends NFS traffic in clear text");
      });
    }

    const legacy = env.legacy;
    legacy?.sshIngressCidrs.forEach((cidr, index) => {
      if (ANYWHERE_CIDRS.includes(cidr)) breach("admin-ports-closed", `legacy.sshIngressCidrs[${index}]`, `${q(cidr)} opens SSH to the whole internet`);
    });
    if (legacy?.loadBalancerUdpMediaIngress) {
      breach("no-udp-to-load-balancer", "legacy.loadBalancerUdpMediaIngress", "true opens UDP on the load balancer's group, which an ALB cannot carry");
    }
    if (legacy?.federationPortIngress) {
      breach("ingress-has-listener", "legacy.federationPortIngress", "true opens TCP 8448 on the load balancer's group, where no listener answers");
    }
    if (valid("encryptionKey") && env.encryptionKey.enabled === false) {
      breach("customer-managed-key", "encryptionKey.enabled", "false leaves the parameters, log groups, alarm topic and backup vault under AWS-managed keys");
    }
    if (valid("accessLogs") && env.accessLogs.enabled === false) {
      breach("access-logs", "accessLogs.enabled", "false leaves the load balancer without access logs, so no request can be traced after the fact");
    }
    if (legacy?.writableRootFilesystems) {
      breach("read-only-root-filesystems", "legacy.writableRootFilesystems", "true leaves postgres and redis able to write anywhere in their images");
    }
    if (legacy?.allowAllEgress) {
      breach("egress-limited", "legacy.allowAllEgress", "true lets all traffic out of every group to anywhere");
      breach("rules-described", "legacy.allowAllEgress", "true keeps the legacy egress rule, which has no description");
    }
    if (valid("loadBalancer.dropInvalidHeaderFields") && !loadBalancer.dropInvalidHeaderFields) {
      breach("invalid-headers-dropped", "loadBalancer.dropInvalidHeaderFields", "false lets header fields with invalid characters through to the services");
    }
    if (legacy?.untaggedAutoScalingGroup) {
      breach(
        "autoscaling-tags",
        "legacy.untaggedAutoScalingGroup",
        "true leaves the Auto Scaling group without the environment's tags, and so its instances (the provider's default_tags reach neither)",
      );
    }
    if (valid("loadBalancer.sslPolicy") && !isCurrentTlsPolicy(loadBalancer.sslPolicy)) {
      breach("current-tls-policy", "loadBalancer.sslPolicy", `${q(loadBalancer.sslPolicy)} is not a current TLS policy (TLS 1.3 with TLS 1.2 at least); use ${q(RECOMMENDED_TLS_POLICY)}`);
    }
    if (valid("capacity.launchTemplate") && !launchTemplateOf(capacity)) {
      breach(
        "container-metadata-blocked",
        "capacity.launchTemplate",
        "false keeps a launch configuration, whose instances let every container reach the instance metadata service and the instance role's credentials",
      );
    }
    if (valid("capacity.requireImdsv2") && capacity.requireImdsv2 === false) {
      breach("imdsv2-required", "capacity.requireImdsv2", "false lets the instances answer IMDSv1");
    }
    if (valid("production") && valid("loadBalancer.deletionProtection") && env.production && !loadBalancer.deletionProtection) {
      breach(
        "production-deletion-protection",
        "loadBalancer.deletionProtection",
        "false leaves a production load balancer unprotected from deletion (production is true unless the environment sets production: false)",
      );
    }
    for (const field of IMAGE_TAG_FIELDS) {
      if (valid(field.path) && isFloatingImageTag(field.tag(env))) {
        breach("pinned-image-tags", field.path, `${q(field.tag(env))} runs whatever was pushed last, so a restart can change the version`);
      }
    }

    // Waivers that fail their own schema (a misspelt rule, no reason) are reported there, and excuse nothing.
    const waivers = valid("waivers") ? env.waivers : {};
    // Waivers are for settings an adopted deployment keeps; a new environment starts on the secure ones.
    const mayWaive = legacy !== undefined;
    if (!mayWaive) {
      for (const rule of Object.keys(waivers)) {
        error(
          waiverPath(rule as WaivableRuleId),
          "is a waiver in an environment without a legacy block: a new environment gets no waivers, since waivers only keep the settings of an adopted legacy deployment; remove the waiver and change the setting it excuses",
        );
      }
    }
    for (const [rule, problems] of breaches) {
      const waived = mayWaive && waivers[rule] !== undefined;
      for (const problem of problems) {
        if (rule === "pinned-image-tags") {
          // A legacy environment keeps running; a new one must not start on a moving tag.
          (waived ? warn : error)(
            problem.path,
            `${problem.message}${waived ? ` (waived: ${rule})` : ""}; pin a version tag${
              mayWaive ? `, or the digest of what runs today ("latest@sha256:…", from npm run adopt -- ${env.name} --running-images): the adoption refuses a floating latest` : ""
            }${waived || !mayWaive ? "" : `, or add ${waiverPath(rule)} with the reason the environment keeps it`}`,
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
      // A wiring rule's breach is in the stacks, not in a setting: the baseline holds its waiver to its findings.
      if (rule in BASELINE_RULES && BASELINE_RULES[rule as WaivableRuleId].waivable && !isWiringRule(rule as WaivableRuleId) && !breaches.has(rule as WaivableRuleId)) {
        error(waiverPath(rule as WaivableRuleId), `nothing in this environment breaks ${rule}, so there is nothing to waive; remove the waiver`);
      }
    }
  },
};
