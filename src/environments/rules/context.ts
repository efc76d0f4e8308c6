/** What every rule of one environment gets: the raw input, its valid region, where problems go, and what several rules derive alike. */
import { ScalingMode } from "../../modules/autoscaling-capacity";
import { OPERATIONS_DEFAULTS, operationsNames, runsJvbPerInstance } from "../defaults";
import { REGION } from "../schema";
import { bool, Loose, obj, str } from "./read";

/** The JVB daemon's settings (scaling.jvbPerInstance), which the name, task and operations rules all read. */
export interface JvbSettings {
  readonly scalingMode: string;
  readonly perInstance: boolean;
  /** The environment's name, "" when it has none to read. */
  readonly environmentName: string;
  readonly derivedNames: ReturnType<typeof operationsNames>;
  /** The XMPP load balancer's name, with a JVB per instance only. */
  readonly xmppName?: string;
}

export interface RuleContext {
  readonly env: Loose;
  /** The environment's region, when it is a valid one. */
  readonly region?: string;
  readonly error: (path: string, message: string) => void;
  /** A problem that does not stop a synth. */
  readonly warn: (path: string, message: string) => void;
  readonly jvb: JvbSettings;
}

export const XMPP_PATH = "scaling.xmppLoadBalancerName";

export function regionOf(env: Loose): string | undefined {
  const region = str(env.region);
  return region !== undefined && REGION.test(region) ? region : undefined;
}

export function jvbSettings(env: Loose): JvbSettings {
  const scaling = obj(env.scaling);
  const scalingMode = str(scaling.mode) ?? OPERATIONS_DEFAULTS.scalingMode;
  const perInstance = runsJvbPerInstance({
    enabled: bool(scaling.enabled),
    mode: scalingMode as ScalingMode,
    jvbPerInstance: bool(scaling.jvbPerInstance),
  });
  const environmentName = str(env.name) ?? "";
  const derivedNames = operationsNames(environmentName);
  const xmppName = perInstance ? (str(scaling.xmppLoadBalancerName) ?? derivedNames.xmppLoadBalancer) : undefined;
  return { scalingMode, perInstance, environmentName, derivedNames, xmppName };
}
