/**
 * The database tools' script against a real PostgreSQL server on a Unix socket (no TCP), with a master user made
 * as RDS makes its own (LOGIN CREATEROLE CREATEDB, no superuser) and the parameter group's `log_statement = ddl`:
 * what `create-database` leaves for Synapse (its own login, owning the database and every table, reachable with its
 * password only), for the backups (the master reads all of it), and in the server's log (never the password).
 *
 * It needs the PostgreSQL server binaries (Debian's postgresql package; the machine image has them) and skips,
 * saying so, without them.
 */
import { execFileSync, spawnSync, SpawnSyncReturns } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DATABASE_TOOLS_SCRIPT } from "../../src/modules/database-tools";
import { SYNAPSE_DATABASE_NAME, SYNAPSE_DATABASE_USER, SYNAPSE_LOGIN } from "../../src/modules/synapse-database";

/** The server's binaries: on PATH, else Debian's versioned directory. */
function postgresBin(): string | undefined {
  const onPath = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).stdout.trim();
  // The directory of the real binaries, where psql and pg_dump of the same version are too.
  if (onPath) return path.dirname(realpathSync(onPath));
  const debian = "/usr/lib/postgresql";
  if (!existsSync(debian)) return undefined;
  const versions = readdirSync(debian).filter((v) => existsSync(path.join(debian, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(debian, versions[0], "bin") : undefined;
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user. */
const serverUser = process.getuid?.() === 0 ? spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }) : undefined;
const bin = postgresBin();
const reason =
  bin === undefined
    ? "no PostgreSQL server binaries (initdb) on PATH or under /usr/lib/postgresql; install Debian's postgresql package"
    : serverUser !== undefined && serverUser.status !== 0
      ? "running as root without a postgres user to run the server as"
      : undefined;
const describeWithPostgres = reason === undefined ? describe : describe.skip;
if (reason !== undefined) console.warn(`Skipping "the database tools on a real PostgreSQL": ${reason}`);

// A password with what quoting must survive; the platform's own are letters and digits.
const PASSWORD = `pa'ss"wo\\rd$HOME;-- ${"x".repeat(8)}`;

describeWithPostgres("the database tools on a real PostgreSQL", () => {
  let dir: string;
  let logFile: string;
  const asServer = (command: string, args: string[]) => {
    const full = path.join(bin!, command);
    return serverUser ? execFileSync("runuser", ["-u", "postgres", "--", full, ...args], { encoding: "utf8" }) : execFileSync(full, args, { encoding: "utf8" });
  };
  const libpq = (user: string, password?: string): NodeJS.ProcessEnv => ({
    PATH: `${bin}:/usr/bin:/bin`,
    PGHOST: dir,
    PGPORT: "5432",
    PGUSER: user,
    ...(password === undefined ? {} : { PGPASSWORD: password }),
  });
  const sql = (user: string, database: string, statement: string, password?: string): SpawnSyncReturns<string> =>
    spawnSync(path.join(bin!, "psql"), ["-v", "ON_ERROR_STOP=1", "-tAq", "-d", database, "-c", statement], { env: libpq(user, password), encoding: "utf8" });
  const tools = (action: string): SpawnSyncReturns<string> =>
    spawnSync("sh", ["-c", DATABASE_TOOLS_SCRIPT], {
      env: { ...libpq(SYNAPSE_DATABASE_USER, "master-password"), ACTION: action, SYNAPSE_DATABASE: SYNAPSE_DATABASE_NAME, SYNAPSE_LOGIN, SYNAPSE_LOGIN_PASSWORD: PASSWORD },
      encoding: "utf8",
    });

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "database-tools-pg-"));
    logFile = path.join(dir, "server.log");
    writeFileSync(logFile, "");
    if (serverUser) {
      const uid = Number(serverUser.stdout.trim());
      chownSync(dir, uid, uid);
      chownSync(logFile, uid, uid);
    }
    const data = path.join(dir, "data");
    asServer("initdb", ["-D", data, "-U", "admin", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
    // Synapse's login must give its password; everyone else is trusted on this private socket.
    writeFileSync(path.join(data, "pg_hba.conf"), `local all ${SYNAPSE_LOGIN} scram-sha-256\nlocal all all trust\n`);
    writeFileSync(
      path.join(data, "postgresql.auto.conf"),
      [`listen_addresses = ''`, `unix_socket_directories = '${dir}'`, "log_statement = 'ddl'", "log_min_duration_statement = 1000", "fsync = off"].join("\n") + "\n",
    );
    asServer("pg_ctl", ["-D", data, "-l", logFile, "-w", "start"]);
    // The master user as RDS makes it: no superuser, but it creates roles and databases.
    const master = sql("admin", "postgres", `CREATE ROLE ${SYNAPSE_DATABASE_USER} LOGIN CREATEROLE CREATEDB`);
    expect(master.stderr).toBe("");
  }, 60_000);

  afterAll(() => {
    if (dir && existsSync(path.join(dir, "data", "postmaster.pid"))) asServer("pg_ctl", ["-D", path.join(dir, "data"), "-m", "immediate", "-w", "stop"]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("creates Synapse's database and a login of its own that owns it, which logs in with its password only", () => {
    const created = tools("create-database");
    expect({ status: created.status, stderr: created.stderr }).toEqual({ status: 0, stderr: "" });
    expect(created.stdout).toContain(`login ${SYNAPSE_LOGIN} owns database ${SYNAPSE_DATABASE_NAME}`);
    expect(sql("admin", "postgres", `SELECT pg_get_userbyid(datdba), datcollate FROM pg_database WHERE datname = '${SYNAPSE_DATABASE_NAME}'`).stdout.trim()).toBe(`${SYNAPSE_LOGIN}|C`);
    expect(sql(SYNAPSE_LOGIN, SYNAPSE_DATABASE_NAME, "SELECT current_user", PASSWORD).stdout.trim()).toBe(SYNAPSE_LOGIN);
    expect(sql(SYNAPSE_LOGIN, SYNAPSE_DATABASE_NAME, "SELECT 1", "not-the-password").stderr).toMatch(/password authentication failed/);
    // Neither a superuser nor a member of the master user: the login can do what Synapse does, no more.
    expect(sql("admin", "postgres", `SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = '${SYNAPSE_LOGIN}'`).stdout.trim()).toBe("f|f|f");
  });

  it("lets Synapse create its schema as its login, and the master user, as the backups connect, read and dump it", () => {
    expect(sql(SYNAPSE_LOGIN, SYNAPSE_DATABASE_NAME, "CREATE TABLE events (id bigint PRIMARY KEY); INSERT INTO events VALUES (1), (2)", PASSWORD).stderr).toBe("");
    expect(sql(SYNAPSE_DATABASE_USER, SYNAPSE_DATABASE_NAME, "SELECT count(*) FROM events").stdout.trim()).toBe("2");
    const dump = spawnSync(path.join(bin!, "pg_dump"), ["--format=custom", "--no-owner", "--no-privileges", "-d", SYNAPSE_DATABASE_NAME, "-f", path.join(dir, "synapse.dump")], {
      env: libpq(SYNAPSE_DATABASE_USER),
      encoding: "utf8",
    });
    expect({ status: dump.status, stderr: dump.stderr }).toEqual({ status: 0, stderr: "" });
  });

  it("hands Synapse's login what the master user restored (copy-from-container), and is safe to run again", () => {
    // What a restore as the master user leaves: tables of the master's.
    expect(sql(SYNAPSE_DATABASE_USER, SYNAPSE_DATABASE_NAME, "CREATE TABLE rooms (id text PRIMARY KEY); CREATE SEQUENCE stream_ids").stderr).toBe("");
    const again = tools("create-database");
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`database ${SYNAPSE_DATABASE_NAME} exists`);
    const owners = sql("admin", SYNAPSE_DATABASE_NAME, "SELECT relname || ':' || pg_get_userbyid(relowner) FROM pg_class WHERE relname IN ('events', 'rooms', 'stream_ids') ORDER BY relname");
    expect(owners.stdout.trim().split("\n")).toEqual([`events:${SYNAPSE_LOGIN}`, `rooms:${SYNAPSE_LOGIN}`, `stream_ids:${SYNAPSE_LOGIN}`]);
    // Synapse's migrations alter their tables: as the owner, the login may.
    expect(sql(SYNAPSE_LOGIN, SYNAPSE_DATABASE_NAME, "ALTER TABLE rooms ADD COLUMN version text", PASSWORD).stderr).toBe("");
  });

  it("leaves the password in no log line, though the server logs every schema change", () => {
    const log = readFileSync(logFile, "utf8");
    expect(log).toMatch(/statement: CREATE ROLE/);
    expect(log).toMatch(/statement: ALTER TABLE rooms ADD COLUMN/);
    expect(log).not.toContain("pa'ss");
    expect(log).not.toContain("wo\\rd");
  });
});
