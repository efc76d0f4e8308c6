import { Construct } from "constructs";
import { EfsVolume, efsVolumeBlock } from "./ecs-service";
import { READ_ONLY_ROOT } from "./matrix";
import { postgresScriptTask } from "./postgres-script-task";
import { LogConfiguration } from "./service-log-group";

/** The one container of the task, which `aws ecs run-task --overrides` names. */
export const DATABASE_TOOLS_CONTAINER = "postgres-tools";
const DATA_PATH = "/var/lib/postgresql/data";

/**
 * Synapse's own login (`SYNAPSE_LOGIN`, with `SYNAPSE_LOGIN_PASSWORD`), made or brought up to date by the master
 * user (`PGUSER`): its password set, the master a member of it, and Synapse's database with everything in it its own
 * (`REASSIGN OWNED`, which takes the master's other databases too: on RDS the master owns nothing else of worth). The
 * password reaches the server only inside a `DO` block through a session setting: with `log_statement = ddl` (the
 * parameter group's), PostgreSQL logs the `CREATE ROLE` and `GRANT` but neither the `DO` block nor what it runs, so
 * the password is in no log (test/modules/database-tools-postgres.test.ts runs this on a real PostgreSQL).
 */
const SYNAPSE_LOGIN_FUNCTION = [
  "synapse_login() {",
  `  psql -v ON_ERROR_STOP=1 -q -d "$SYNAPSE_DATABASE" -v login="$SYNAPSE_LOGIN" -v owner="$PGUSER" -v password="$SYNAPSE_LOGIN_PASSWORD" <<'SQL'`,
  String.raw`SELECT format('CREATE ROLE %I', :'login') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'login') \gexec`,
  String.raw`SELECT set_config('synapse_login.name', :'login', false), set_config('synapse_login.password', :'password', false) \g /dev/null`,
  "DO $$ BEGIN EXECUTE format('ALTER ROLE %I WITH LOGIN PASSWORD %L', current_setting('synapse_login.name'), current_setting('synapse_login.password')); END $$;",
  String.raw`SELECT set_config('synapse_login.password', '', false) \g /dev/null`,
  'GRANT :"login" TO :"owner";',
  String.raw`SELECT format('ALTER DATABASE %I OWNER TO %I', current_database(), :'login') \gexec`,
  'REASSIGN OWNED BY :"owner" TO :"login";',
  "SQL",
  '  echo "login $SYNAPSE_LOGIN owns database $SYNAPSE_DATABASE"',
  "}",
];

/**
 * What the task does, by its `ACTION` variable, each step safe to run again:
 * - `create-database` (the task definition's): Synapse's database on RDS, with the C collation and UTF-8 Synapse requires,
 *   unless it exists (RDS makes none: its own would take the instance's default collation), then Synapse's login,
 *   which owns it;
 * - `copy-from-container`: start the postgres container's data from EFS in this task (the matrix service stopped, so
 *   that nothing else writes it), dump it and restore it into the RDS database, then stop it cleanly. The dump runs
 *   as the container's own user over the local socket; the restore as RDS's master user, who then hands everything
 *   to Synapse's login.
 */
export const DATABASE_TOOLS_SCRIPT = [
  "set -eu",
  // No shell `${...}` here: Terraform would read it as its own interpolation in the task definition.
  ...SYNAPSE_LOGIN_FUNCTION,
  'case "$ACTION" in',
  "create-database)",
  '  if psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = \'$SYNAPSE_DATABASE\'" | grep -q 1; then',
  '    echo "database $SYNAPSE_DATABASE exists"',
  "  else",
  '    psql -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \\"$SYNAPSE_DATABASE\\" ENCODING \'UTF8\' LC_COLLATE \'C\' LC_CTYPE \'C\' TEMPLATE template0"',
  "  fi",
  "  synapse_login ;;",
  "copy-from-container)",
  // The socket directory is a tmpfs of root's under a read-only root: the server's user needs it.
  "  mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql",
  `  gosu postgres pg_ctl -D ${DATA_PATH} -o "-c listen_addresses=''" -w start`,
  '  gosu postgres pg_dump -h /var/run/postgresql -U "$CONTAINER_DATABASE_USER" -d "$CONTAINER_DATABASE" --no-owner --no-privileges \\',
  '    | psql -v ON_ERROR_STOP=1 -d "$SYNAPSE_DATABASE" --single-transaction',
  `  gosu postgres pg_ctl -D ${DATA_PATH} -m fast -w stop`,
  "  synapse_login ;;",
  '*) echo "ACTION must be create-database or copy-from-container" >&2; exit 2 ;;',
  "esac",
].join("\n");

export interface DatabaseToolsProps {
  readonly family: string;
  /** Tag of the `postgres` image: the container's, whose server opens its data and whose client talks to RDS. */
  readonly imageTag: string;
  readonly database: { readonly host: string; readonly port: number; readonly user: string; readonly name: string; readonly passwordFrom: string };
  /** Synapse's own login, which the task creates and hands the database: its name and its password's SSM parameter. */
  readonly synapseLogin: { readonly user: string; readonly passwordFrom: string };
  /** The container's data (`matrix-postres-data`), and its database and user. */
  readonly containerData: { readonly volume: EfsVolume; readonly user: string; readonly database: string };
  readonly executionRoleArn: string;
  /** A read-only root filesystem, the server's writable paths as `tmpfs` (`READ_ONLY_ROOT.postgres`). @default false */
  readonly readOnlyRootFilesystem?: boolean;
  /** @default - the Docker daemon's default */
  readonly logConfiguration?: LogConfiguration;
}

/**
 * A task definition without a service, for the one-off steps of Synapse's database on RDS (docs/moving-to-rds.md):
 * the operator starts it with `aws ecs run-task`, and it exits when its step is done.
 */
export class DatabaseTools extends Construct {
  public readonly family: string;

  constructor(scope: Construct, id: string, props: DatabaseToolsProps) {
    super(scope, id);
    postgresScriptTask(this, {
      family: props.family,
      containerName: DATABASE_TOOLS_CONTAINER,
      imageTag: props.imageTag,
      script: DATABASE_TOOLS_SCRIPT,
      database: { ...props.database, sslMode: "require" },
      environment: {
        // The step; `aws ecs run-task --overrides` sets another.
        ACTION: "create-database",
        SYNAPSE_DATABASE: props.database.name,
        CONTAINER_DATABASE: props.containerData.database,
        CONTAINER_DATABASE_USER: props.containerData.user,
        SYNAPSE_LOGIN: props.synapseLogin.user,
      },
      secrets: { SYNAPSE_LOGIN_PASSWORD: props.synapseLogin.passwordFrom },
      mountPoints: [{ sourceVolume: props.containerData.volume.name, containerPath: DATA_PATH }],
      volumes: [efsVolumeBlock(props.containerData.volume)],
      readOnlyRoot: props.readOnlyRootFilesystem ? READ_ONLY_ROOT.postgres : undefined,
      executionRoleArn: props.executionRoleArn,
      logConfiguration: props.logConfiguration,
    });
    this.family = props.family;
  }
}
