/** The load balancer's certificate against region and account, its host names against the zone, and its listener rule priorities. */
import { CERTIFICATE_ARN } from "../fields";
import { elementConfigBody } from "../../modules/element-config";
import { FIXED_RESPONSE_MAX_BYTES } from "../../modules/load-balancer";
import { DEFAULT_RULE_PRIORITIES } from "../shape";
import { q } from "./problem";
import { isOn } from "../defaults";
import { EnvironmentRule } from "./rule";

/** The certificates live in the load balancers' region and the environment's account: the ALB's, and coturn's own if it has one. */
export const certificateRules: EnvironmentRule = {
  reads: ["loadBalancer.certificateArn"],
  check(env, { error, valid }) {
    const turnCertificate = valid("turn") ? env.turn?.coturn.certificateArn : undefined;
    const certificates: [string, string][] = [
      ["loadBalancer.certificateArn", env.loadBalancer.certificateArn],
      ...(turnCertificate === undefined ? [] : [["turn.coturn.certificateArn", turnCertificate] as [string, string]]),
    ];
    for (const [path, arn] of certificates) {
      const parts = CERTIFICATE_ARN.exec(arn)!;
      if (valid("region") && parts[2] !== env.region) {
        error(path, `the certificate is in ${parts[2]}, but a load balancer in ${env.region} can only use a certificate of its own region; request or import it in ${env.region}`);
      }
      const { accountId } = env;
      if (accountId !== undefined && valid("accountId") && parts[3] !== accountId) {
        error(path, `the certificate belongs to account ${parts[3]}, not to the environment's account ${accountId}; use a certificate of account ${accountId}`);
      }
    }
  },
};

/** Host names inside the hosted zone, not its apex, one per service; coturn's host too, whose record the stack makes. */
export const dnsRules: EnvironmentRule = {
  reads: [],
  check(env, { error, valid }) {
    const hosts = (["jitsi", "matrix", "element", "synapse"] as const)
      .filter((key) => valid(`dns.hosts.${key}`))
      .map((key): { key: string; path: string; host: string } => ({ key, path: `dns.hosts.${key}`, host: env.dns.hosts[key] }));
    if (valid("turn") && env.turn?.coturn.enabled) hosts.push({ key: "turn", path: "turn.host", host: env.turn.host });
    const zoneName = valid("dns.hostedZoneName") ? env.dns.hostedZoneName : undefined;
    if (zoneName !== undefined) {
      for (const { key, path, host } of hosts) {
        if (host === zoneName) {
          error(path, `${q(host)} is the zone's apex, where a CNAME record is not allowed; use a name inside it, e.g. ${q(`${key}.${zoneName}`)}`);
        } else if (!host.endsWith(`.${zoneName}`)) {
          error(path, `${q(host)} is not inside the hosted zone ${q(zoneName)}; use a name ending in ".${zoneName}", or the zone that holds it`);
        }
      }
    }
    hosts.forEach(({ path, host }, index) => {
      const first = hosts.slice(0, index).find((other) => other.host === host);
      if (first) {
        error(path, `${q(host)} is also ${first.path}; each service needs a host name of its own (two records cannot share a name)`);
      }
    });
  },
};

/** Listener rule priorities, set or default, unique on the listener. */
export const listenerPriorityRules: EnvironmentRule = {
  reads: ["loadBalancer.rulePriorities"],
  check(env, { error }) {
    const priorities = env.loadBalancer.rulePriorities;
    const entries = (Object.keys(DEFAULT_RULE_PRIORITIES) as (keyof typeof DEFAULT_RULE_PRIORITIES)[]).map((rule) => ({
      rule,
      priority: priorities[rule],
      // A priority other than its default is one the environment set.
      set: priorities[rule] !== DEFAULT_RULE_PRIORITIES[rule],
    }));
    entries.forEach((entry, index) => {
      const clash = entries.slice(0, index).find((other) => other.priority === entry.priority);
      if (clash) {
        const [path, other] = entry.set || !clash.set ? [entry, clash] : [clash, entry];
        error(
          `loadBalancer.rulePriorities.${path.rule}`,
          `${path.priority} is also the priority of the ${other.rule} rule; listener rule priorities must be unique on the listener: pick another, e.g. ${Math.max(...entries.map((e) => e.priority)) + 1}`,
        );
      }
    });
  },
};

/** The Matrix server name is a host the load balancer serves, or its well-known documents would answer nowhere. */
export const wellKnownRules: EnvironmentRule = {
  reads: ["wellKnown", "dns.hosts"],
  check(env, { error }) {
    const name = env.wellKnown.serverName;
    if (!isOn(env.wellKnown) || name === undefined) return;
    const hosts = Object.values(env.dns.hosts);
    if (!hosts.includes(name)) {
      error(
        "wellKnown.serverName",
        `${q(name)} is not one of the hosts the load balancer serves (${hosts.join(", ")}), so its /.well-known/matrix documents would be answered nowhere; use one of them, or serve the documents on ${q(name)} yourself and set wellKnown: { enabled: false }`,
      );
    }
  },
};

/** Element's configuration fits the fixed response that serves it. */
export const elementConfigRules: EnvironmentRule = {
  reads: ["elementConfig", "dns.hosts", "wellKnown"],
  check(env, { error }) {
    if (!isOn(env.elementConfig)) return;
    const bytes = Buffer.byteLength(elementConfigBody(env.dns.hosts, env.wellKnown.serverName ?? env.dns.hosts.matrix));
    if (bytes > FIXED_RESPONSE_MAX_BYTES) {
      error(
        "dns.hosts",
        `make Element's configuration (homeserver, server name, Jitsi host) ${bytes} bytes, more than the ${FIXED_RESPONSE_MAX_BYTES} the load balancer's fixed response that serves it holds; use shorter host names, or serve Element's config.json yourself and set elementConfig: { enabled: false }`,
      );
    }
  },
};
