/** The load balancer's certificate against region and account, its host names against the zone, and its listener rule priorities. */
import { DEFAULT_RULE_PRIORITIES } from "../defaults";
import { CERTIFICATE_ARN, dnsNameProblem } from "../schema";
import { RuleContext } from "./context";
import { int, obj, q, str } from "./read";

/** The certificate lives in the load balancer's region and the environment's account. */
export function certificateRules(ctx: RuleContext): void {
  const { env, error } = ctx;
  const validRegion = ctx.region;
  const loadBalancer = obj(env.loadBalancer);
  const certificate = str(loadBalancer.certificateArn);
  const certificateParts = certificate === undefined ? null : CERTIFICATE_ARN.exec(certificate);
  if (certificateParts && validRegion !== undefined && certificateParts[2] !== validRegion) {
    error(
      "loadBalancer.certificateArn",
      `the certificate is in ${certificateParts[2]}, but a load balancer in ${validRegion} can only use a certificate of its own region; request or import it in ${validRegion}`,
    );
  }
  const accountId = str(env.accountId);
  if (certificateParts && accountId !== undefined && /^\d{12}$/.test(accountId) && certificateParts[3] !== accountId) {
    error(
      "loadBalancer.certificateArn",
      `the certificate belongs to account ${certificateParts[3]}, not to the environment's account ${accountId}; use a certificate of account ${accountId}`,
    );
  }
}

/** Host names inside the hosted zone, not its apex, one per service. */
export function dnsRules(ctx: RuleContext): void {
  const { env, error } = ctx;
  const dns = obj(env.dns);
  const hosts = Object.entries(obj(dns.hosts))
    .map(([key, value]) => ({ key, host: str(value) }))
    .filter((entry): entry is { key: string; host: string } => entry.host !== undefined && dnsNameProblem(entry.host) === undefined);
  const zoneName = str(dns.hostedZoneName);
  if (zoneName !== undefined && dnsNameProblem(zoneName) === undefined) {
    for (const { key, host } of hosts) {
      if (host === zoneName) {
        error(`dns.hosts.${key}`, `${q(host)} is the zone's apex, where a CNAME record is not allowed; use a name inside it, e.g. ${q(`${key}.${zoneName}`)}`);
      } else if (!host.endsWith(`.${zoneName}`)) {
        error(`dns.hosts.${key}`, `${q(host)} is not inside the hosted zone ${q(zoneName)}; use a name ending in ".${zoneName}", or the zone that holds it`);
      }
    }
  }
  hosts.forEach(({ key, host }, index) => {
    const first = hosts.slice(0, index).find((other) => other.host === host);
    if (first) {
      error(`dns.hosts.${key}`, `${q(host)} is also dns.hosts.${first.key}; each service needs a host name of its own (two records cannot share a name)`);
    }
  });
}

/** Listener rule priorities, set or default, unique on the listener. */
export function listenerPriorityRules(ctx: RuleContext): void {
  const { env, error } = ctx;
  const loadBalancer = obj(env.loadBalancer);
  const priorities = obj(loadBalancer.rulePriorities);
  const effectivePriorities = (Object.keys(DEFAULT_RULE_PRIORITIES) as (keyof typeof DEFAULT_RULE_PRIORITIES)[]).map((rule) => ({
    rule,
    priority: int(priorities[rule]) ?? (priorities[rule] === undefined ? DEFAULT_RULE_PRIORITIES[rule] : undefined),
    set: priorities[rule] !== undefined,
  }));
  effectivePriorities.forEach((entry, index) => {
    const clash = effectivePriorities.slice(0, index).find((other) => other.priority !== undefined && other.priority === entry.priority);
    if (clash) {
      const [path, other] = entry.set || !clash.set ? [entry, clash] : [clash, entry];
      error(
        `loadBalancer.rulePriorities.${path.rule}`,
        `${path.priority} is also the priority of the ${other.rule} rule; listener rule priorities must be unique on the listener: pick another, e.g. ${Math.max(...effectivePriorities.map((e) => e.priority ?? 0)) + 1}`,
      );
    }
  });
}
