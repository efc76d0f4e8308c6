import { ContainerDefinition } from "./container-definition";
import { synapseTurnUris, TurnServer } from "./turn";

/**
 * Settings of Synapse that the stacks own, over the operator's `homeserver.yaml` on EFS: Synapse reads a second
 * config file after it (`--config-path` twice), whose top-level keys replace the first file's. A one-shot
 * container of the task writes that file at start into a volume of the task alone, filling in the secrets ECS
 * hands it from SSM, so that neither the passwords nor the file outlive the task or reach EFS, a state or the
 * task definition. Without settings, nothing changes: the task is the legacy one.
 */

/** Submission with STARTTLS, what relays such as Amazon SES offer. */
export const DEFAULT_SMTP_PORT = 587;

/** The task volume that carries the file from the writer to Synapse. */
export const SYNAPSE_SETTINGS_VOLUME = "synapse-settings";
/** Where both containers mount it. */
export const SYNAPSE_SETTINGS_DIRECTORY = "/synapse-settings";
/** Where Synapse reads the stacks' settings. JSON, which is YAML. */
export const SYNAPSE_SETTINGS_FILE = `${SYNAPSE_SETTINGS_DIRECTORY}/stack.yaml`;
/** Name of the one-shot container that writes the file. */
export const SYNAPSE_SETTINGS_WRITER = "synapse-settings";
/** MiB of the writer, which runs for a second before Synapse starts. */
export const SYNAPSE_SETTINGS_WRITER_MEMORY = 64;
/** The UID and GID the synapse image runs Synapse as (its start script's default). */
const SYNAPSE_UID = 991;

/** A value the writer fills in from the environment variable `variable`, which ECS sets from an SSM parameter. */
export interface SecretReference {
  readonly $env: string;
}
export const secretReference = (variable: string): SecretReference => ({ $env: variable });

/**
 * The writer's program: the settings' JSON with each `{"$env": NAME}` replaced by that variable's value, in a
 * file only Synapse's user may read.
 */
const WRITER_PROGRAM = [
  "import json, os",
  "def fill(v):",
  "    if isinstance(v, dict):",
  '        return os.environ[v["$env"]] if list(v) == ["$env"] else {k: fill(x) for k, x in v.items()}',
  "    return [fill(x) for x in v] if isinstance(v, list) else v",
  'path = os.environ["SYNAPSE_SETTINGS_FILE"]',
  "with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') as f:",
  '    json.dump(fill(json.loads(os.environ["SYNAPSE_STACK_SETTINGS"])), f)',
  // As root, as in the task, the file goes to Synapse's user; the image's start script drops to it before Synapse runs.
  `if os.getuid() == 0: os.chown(path, ${SYNAPSE_UID}, ${SYNAPSE_UID})`,
].join("\n");

export interface SmtpRelay {
  readonly host: string;
  readonly port: number;
  readonly user?: string;
  /** SSM parameter name of the password. */
  readonly passwordParameter?: string;
  readonly notifFrom: string;
}

/** A PostgreSQL Synapse connects to over TLS, with the ECS `secrets` reference of its password. */
export interface SynapseDatabaseConnection {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** `valueFrom` of the password: an SSM parameter, or a Secrets Manager secret's JSON key (`<arn>:password::`). */
  readonly passwordFrom: string;
}

export interface SynapseSettingsProps {
  /** The database, replacing `homeserver.yaml`'s. @default - `homeserver.yaml`'s (the postgres container) */
  readonly database?: SynapseDatabaseConnection;
  /** TURN for Matrix calls; its shared secret is `turnSecretParameter`. @default - none */
  readonly turn?: TurnServer & { readonly secretParameter: string };
  /** Mail through an SMTP relay. @default - none */
  readonly smtp?: SmtpRelay;
}

/** Which parts of `SynapseSettingsProps` an environment has, whatever their values. */
export type SynapseSettingsParts = { readonly [Part in keyof SynapseSettingsProps]?: unknown };

/**
 * Whether the stacks give Synapse settings, and so whether the matrix task runs the settings writer: any part set.
 * The one answer for the stack (`synapseSettings`) and for validation's task layout.
 */
export const hasSynapseSettings = (parts: SynapseSettingsParts): boolean => Object.values(parts).some((part) => part !== undefined);

/** Synapse's settings and the secrets they name, or undefined when the stacks set none. */
export function synapseSettings(props: SynapseSettingsProps):
  | { readonly settings: Readonly<Record<string, unknown>>; readonly secrets: Readonly<Record<string, string>> }
  | undefined {
  if (!hasSynapseSettings(props)) return undefined;
  const settings: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  if (props.database) {
    const db = props.database;
    settings.database = {
      name: "psycopg2",
      args: {
        user: db.user,
        password: secretReference("SYNAPSE_DATABASE_PASSWORD"),
        database: db.database,
        host: db.host,
        port: db.port,
        // The server refuses clear connections (rds.force_ssl); Synapse's documented pool and keepalives.
        sslmode: "require",
        cp_min: 5,
        cp_max: 10,
        keepalives_idle: 10,
        keepalives_interval: 10,
        keepalives_count: 3,
      },
    };
    secrets.SYNAPSE_DATABASE_PASSWORD = db.passwordFrom;
  }
  if (props.turn) {
    settings.turn_uris = synapseTurnUris(props.turn);
    settings.turn_shared_secret = secretReference("TURN_SHARED_SECRET");
    secrets.TURN_SHARED_SECRET = props.turn.secretParameter;
  }
  if (props.smtp) {
    const { smtp } = props;
    settings.email = {
      smtp_host: smtp.host,
      smtp_port: smtp.port,
      ...(smtp.user === undefined ? {} : { smtp_user: smtp.user }),
      ...(smtp.passwordParameter === undefined ? {} : { smtp_pass: secretReference("SMTP_PASSWORD") }),
      // Port 465 is TLS from the first byte; any other port upgrades with STARTTLS, which Synapse then requires.
      ...(smtp.port === 465 ? { force_tls: true } : { require_transport_security: true }),
      notif_from: smtp.notifFrom,
      enable_notifs: true,
    };
    if (smtp.passwordParameter !== undefined) secrets.SMTP_PASSWORD = smtp.passwordParameter;
  }
  return { settings, secrets };
}

/** The one-shot container that writes the settings file; Synapse waits for it to succeed. */
export function synapseSettingsWriter(props: {
  /** The synapse image, which has the Python the writer runs. */
  readonly image: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly secrets: Readonly<Record<string, string>>;
}): ContainerDefinition {
  return {
    name: SYNAPSE_SETTINGS_WRITER,
    image: props.image,
    memory: SYNAPSE_SETTINGS_WRITER_MEMORY,
    essential: false,
    entryPoint: ["python", "-c"],
    command: [WRITER_PROGRAM],
    mountPoints: [{ sourceVolume: SYNAPSE_SETTINGS_VOLUME, containerPath: SYNAPSE_SETTINGS_DIRECTORY }],
    environment: { SYNAPSE_STACK_SETTINGS: JSON.stringify(props.settings), SYNAPSE_SETTINGS_FILE },
    secrets: props.secrets,
  };
}
