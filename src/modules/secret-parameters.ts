import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Password } from "@cdktf/provider-random/lib/password";
import { Construct } from "constructs";
import { PLATFORM_SECRETS, PlatformSecret, secretParameterName } from "./platform-secrets";

const DEFAULT_PASSWORD_LENGTH = 40;

/** Arguments of `random_password` that describe how a value is generated; each forces a new value when it changes. */
export const PASSWORD_SHAPE = [
  "length",
  "special",
  "upper",
  "lower",
  "numeric",
  "min_lower",
  "min_upper",
  "min_numeric",
  "min_special",
  "override_special",
] as const;

export interface SecretParametersProps {
  readonly environmentName: string;
  /** @default PLATFORM_SECRETS */
  readonly secrets?: readonly PlatformSecret[];
  /** @default 40 */
  readonly passwordLength?: number;
}

/**
 * Generated passwords stored as SecureString parameters. The passwords live
 * in this construct's state only: consumers read the parameters by name.
 */
export class SecretParameters extends Construct {
  /** Parameter names keyed by secret. */
  public readonly parameterNames: Readonly<Partial<Record<PlatformSecret, string>>>;

  constructor(scope: Construct, id: string, props: SecretParametersProps) {
    super(scope, id);
    const names: Partial<Record<PlatformSecret, string>> = {};
    for (const secret of props.secrets ?? PLATFORM_SECRETS) {
      // Letters and digits only: these end up in env files, YAML and XMPP configs unquoted.
      const password = new Password(this, `${secret}_value`, {
        length: props.passwordLength ?? DEFAULT_PASSWORD_LENGTH,
        special: false,
        // A change of these would make a new password. Rotation is explicit (`terraform apply -replace`), and a
        // password imported from an adopted environment keeps its value, whose shape the import records instead.
        lifecycle: { ignoreChanges: [...PASSWORD_SHAPE] },
      });
      const parameter = new SsmParameter(this, secret, {
        name: secretParameterName(props.environmentName, secret),
        description: `${secret} of the jitsi-matrix platform (${props.environmentName})`,
        type: "SecureString",
        value: password.result,
      });
      names[secret] = parameter.name;
    }
    this.parameterNames = names;
  }
}
