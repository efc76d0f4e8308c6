/**
 * The runbooks' commands that read or change the mounted EFS file system (docs/maintenance.md,
 * docs/backups.md), run as written but with the mount point `/mnt/efs` moved to a scratch folder laid
 * out as the environment's file system is (the directories its task volumes name). `sudo` runs the
 * command it is given (except `mount`, which it records), `docker` and `aws` are stand-ins that answer
 * what the runbook expects from them. So `ls`, `cat`, `mv`, `cp`, `jq`, `diff` and the shell's
 * redirections really run: a runbook whose paths do not match the file system's layout fails here.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { ENVIRONMENTS } from "../../src/environments";
import { CommandBlock, documentedBlock, runWithStandIns, StandInRun } from "../support/documented-commands";

const MOUNT_POINT = "/mnt/efs";
const production = ENVIRONMENTS.find((e) => e.name === "production")!;

/** A sudo that runs what it is given, but only records a mount. */
const SUDO = 'case "$1" in mount) ;; *) exec "$@";; esac';

/** A scratch folder holding `files` (path relative to the file system's root, to content). */
function fileSystem(files: Readonly<Record<string, string>>): string {
  const root = mkdtempSync(path.join(tmpdir(), "efs-"));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

/** The root directories of the environment's EFS volumes, from its synthesized task definitions. */
function volumeRoots(environment: string): string[] {
  const stack = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "cdktf.out", "stacks", `jitsi-matrix-${environment}`, "cdk.tf.json"), "utf8"));
  const definitions = Object.values(stack.resource.aws_ecs_task_definition) as { volume?: { efs_volume_configuration?: { root_directory: string } }[] }[];
  return definitions.flatMap((d) => d.volume ?? []).flatMap((v) => (v.efs_volume_configuration ? [v.efs_volume_configuration.root_directory] : []));
}

function runOn(root: string, block: CommandBlock, options: { before?: CommandBlock[]; answers?: Record<string, string> } = {}): StandInRun {
  const run = runWithStandIns(block, {
    cwd: root,
    programs: ["sudo", "docker", "aws"],
    before: options.before,
    placeholders: { [MOUNT_POINT]: root },
    answers: { sudo: SUDO, ...options.answers },
  });
  expect({ id: block.id, status: run.status, output: run.status === 0 ? "" : run.output }).toEqual({ id: block.id, status: 0, output: "" });
  return run;
}

describe("docs/maintenance.md's commands on the mounted file system", () => {
  let root: string;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("```sh mount-efs mounts production's file system and lists the Matrix folders the task volumes use", () => {
    const matrixFolders = [...new Set(volumeRoots("production").filter((dir) => dir.startsWith("/matrix/")).map((dir) => dir.split("/")[2]))].sort();
    expect(matrixFolders).toEqual(["element", "postgres", "synapse"]);
    root = fileSystem(Object.fromEntries(matrixFolders.map((folder) => [`matrix/${folder}/.keep`, ""])));
    const run = runOn(root, documentedBlock("mount-efs"));
    const mount = run.calls.find((call) => call.program === "sudo" && call.args.startsWith("mount "))!;
    expect(mount.args).toContain(`${production.efsFileSystemId}.efs.${production.region}.amazonaws.com:/ ${root}`);
    // The doc's comment is what ls prints.
    expect(documentedBlock("mount-efs").text).toContain(`ls /mnt/efs/matrix          # ${matrixFolders.join("  ")}`);
    expect(run.output.trim().split(/\s+/)).toEqual(matrixFolders);
  });

  it("```sh postgres-restore feeds the dump of step 3 to psql in the new server, once its logs say it initialized", () => {
    root = fileSystem({ "matrix/postgres-dumps/before-upgrade-9.6.sql": "-- PostgreSQL database cluster dump\nCREATE ROLE synapse;\n" });
    const docker = [
      'case "$1" in',
      "  ps) echo 0123456789ab;;",
      "  logs) echo 'PostgreSQL init process complete; ready for start up.';;",
      `  exec) cat > ${JSON.stringify(path.join(root, "psql-stdin"))};;`,
      "esac",
    ].join("\n");
    const run = runOn(root, documentedBlock("postgres-restore"), {
      before: [documentedBlock("maintenance-variables"), documentedBlock("container-function")],
      answers: { docker },
    });
    expect(run.calls.map((call) => `${call.program} ${call.args}`)).toEqual([
      "docker ps -q --filter label=com.amazonaws.ecs.task-definition-family=postgres-upgrade-task --filter label=com.amazonaws.ecs.container-name=postgres",
      "docker logs 0123456789ab",
      "docker exec -i 0123456789ab psql -U synapse -d postgres",
    ]);
    expect(readFileSync(path.join(root, "psql-stdin"), "utf8")).toBe(readFileSync(path.join(root, "matrix/postgres-dumps/before-upgrade-9.6.sql"), "utf8"));
  });

  it("```sh element-check prints the new version and puts the saved configuration back beside the image's sample", () => {
    const config = { default_server_config: { "m.homeserver": { base_url: "https://matrix.example.org" } }, brand: "Element" };
    root = fileSystem({
      "matrix/element/version": "1.11.85\n",
      "matrix/element/config.sample.json": JSON.stringify({ brand: "Element", default_server_config: { "m.homeserver": { base_url: "https://matrix.example.org" } } }),
      "matrix/element-before-upgrade/config.json": JSON.stringify(config, null, 2),
      "matrix/element-before-upgrade/config.element.example.org.json": "{}",
    });
    const run = runOn(root, documentedBlock("element-check"));
    expect(run.output.split("\n")[0]).toBe("1.11.85");
    expect(JSON.parse(readFileSync(path.join(root, "matrix/element/config.json"), "utf8"))).toEqual(config);
    expect(existsSync(path.join(root, "matrix/element/config.element.example.org.json"))).toBe(true);
  });
});

describe("docs/backups.md's restore on the mounted file system", () => {
  let root: string;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  const restored = ["matrix/synapse", "matrix/postgres/data"];

  it("```sh restore-inspect, then restore-swap-folders, puts the newest restore's folders in place and keeps the old ones beside them", () => {
    expect(restored.every((dir) => volumeRoots("staging").includes(`/${dir}`))).toBe(true);
    root = fileSystem({
      "matrix/synapse/homeserver.yaml": "current",
      "matrix/postgres/data/PG_VERSION": "current",
      "aws-backup-restore_2026-12-01T030000Z/matrix/synapse/homeserver.yaml": "older restore",
      "aws-backup-restore_2026-12-05T030000Z/matrix/synapse/homeserver.yaml": "restored",
      "aws-backup-restore_2026-12-05T030000Z/matrix/postgres/data/PG_VERSION": "restored",
    });
    const run = runOn(root, documentedBlock("restore-swap-folders"), { before: [documentedBlock("restore-inspect")] });
    expect(run.output).toContain(path.join(root, "aws-backup-restore_2026-12-05T030000Z"));
    for (const dir of restored) {
      const file = path.join(root, dir, dir.endsWith("synapse") ? "homeserver.yaml" : "PG_VERSION");
      expect([dir, readFileSync(file, "utf8")]).toEqual([dir, "restored"]);
      const parent = path.dirname(path.join(root, dir));
      const kept = readdirSync(parent).filter((name) => name.startsWith(`${path.basename(dir)}.before-restore-`));
      expect(kept).toEqual([expect.stringMatching(/^\w+\.before-restore-\d{8}T\d{6}Z$/)]);
      expect(readFileSync(path.join(parent, kept[0], path.basename(file)), "utf8")).toBe("current");
    }
  });
});
