/**
 * The environment's schema, whole: the fields (`shape.ts`), the rules between them as refinements
 * (one file per concern in `rules/`, in the order they report), and the defaults that depend on
 * other fields resolved last (`defaults.ts`). Its output is the `Environment` the stacks read.
 * The rules between environments are in `between-environments.ts`.
 */
import { resolveEnvironment } from "./defaults";
import { certificateRules, dnsRules, elementConfigRules, listenerPriorityRules, wellKnownRules } from "./rules/load-balancer";
import { derivedNameRules, distinctNameRules } from "./rules/names";
import { networkRules } from "./rules/network";
import { databaseRules, postgresSupportRules } from "./rules/postgres";
import { alarmRules, capacitySizeRules, imageCacheRules, jvbDaemonRules, launchRules, legacyDecisionRules, scalingRules } from "./rules/operations";
import { EnvironmentRule, withRules } from "./rules/rule";
import { smtpSecretRules } from "./rules/secrets";
import { instanceRules, volumeRules } from "./rules/tasks";
import { waiverRules } from "./rules/waivers";
import { environmentFields } from "./shape";

/** In the order they report: within one field, problems keep this order. */
const RULES: readonly EnvironmentRule[] = [
  networkRules,
  certificateRules,
  dnsRules,
  listenerPriorityRules,
  wellKnownRules,
  elementConfigRules,
  capacitySizeRules,
  derivedNameRules,
  distinctNameRules,
  volumeRules,
  instanceRules,
  legacyDecisionRules,
  alarmRules,
  scalingRules,
  postgresSupportRules,
  databaseRules,
  jvbDaemonRules,
  launchRules,
  imageCacheRules,
  smtpSecretRules,
  waiverRules,
];

export const environmentSchema = withRules(environmentFields, RULES).transform(resolveEnvironment);
