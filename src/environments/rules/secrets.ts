/** The secrets an environment hands its containers, against the passwords the platform generates. */
import { ALL_SECRETS, secretParameterPrefix } from "../../modules/platform-secrets";
import { q } from "./problem";
import { EnvironmentRule } from "./rule";

/** The platform's namespace of parameters, `/jitsi-matrix/`: each environment's passwords live under its name there. */
const PLATFORM_NAMESPACE = `${secretParameterPrefix("").replace(/\/$/, "")}/`;

/**
 * The SMTP password is the relay's, in a parameter the operator writes: never another environment's parameter (the
 * task execution role would be granted that environment's secret), nor one of the passwords the platform generates
 * for this one (Synapse would send it to the relay).
 */
export const smtpSecretRules: EnvironmentRule = {
  reads: ["name", "smtp"],
  check(env, { error }) {
    const parameter = env.smtp?.passwordParameter;
    if (parameter === undefined || !parameter.startsWith(PLATFORM_NAMESPACE)) return;
    const [owner, ...rest] = parameter.slice(PLATFORM_NAMESPACE.length).split("/");
    // Where dev keeps its relay's password: beside the generated ones, under a name of its own.
    const own = `${secretParameterPrefix(env.name)}/SMTP_PASSWORD`;
    if (owner !== env.name) {
      error(
        "smtp.passwordParameter",
        `${q(parameter)} is a parameter of environment ${q(owner)}, so this environment's task execution role would be granted another environment's secret; write the relay's password to a parameter of this environment's, e.g. ${q(own)}`,
      );
    } else if ((ALL_SECRETS as readonly string[]).includes(rest.join("/"))) {
      error(
        "smtp.passwordParameter",
        `${q(parameter)} is the environment's generated ${rest.join("/")}, which Synapse would send to the SMTP relay as its password; write the relay's own password to a parameter of its own, e.g. ${q(own)}`,
      );
    }
  },
};
