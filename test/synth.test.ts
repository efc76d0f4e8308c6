import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { hostname, homedir, tmpdir } from "os";
import * as path from "path";
import { CHECKED_IN_OUTDIR, PROJECT_ROOT, STACK_FILE, stackNames, synthesizeTo } from "../tools/synthesize";
import { LEGACY_CONTAINER_DEFINITIONS, LEGACY_FIXTURES } from "./support/legacy-fixtures";

/** Values too short or too common to tell a machine by (`/`, `/a`, a host named `ci`): they would match anywhere. */
const MIN_MACHINE_VALUE_LENGTH = 4;

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The local values that occur in `text`: a path only as a whole path (`/root` in `"/root/x"` or
 * `"/root"`, not in `/rootfs`), a word only as a whole word (host `box`, not in `sandbox`).
 */
/**
 * The local values `text` holds: a path of this machine as a whole path, a host name as a whole word, and
 * anything inside a shared directory such as the temp dir (`/tmp` itself is also a path inside containers).
 */
function machineSpecific(text: string, local: { paths: string[]; words: string[]; within?: string[] }): string[] {
  const usable = (value: string) => value.length >= MIN_MACHINE_VALUE_LENGTH && value !== "/";
  const paths = local.paths.map((p) => p.replace(/\/+$/, "")).filter(usable);
  const words = local.words.filter(usable);
  const within = (local.within ?? []).map((p) => p.replace(/\/+$/, "")).filter(usable);
  const pathPattern = (p: string) => new RegExp(`(?<![\\w.-])${escapeRegExp(p)}(?![\\w.-])`);
  const wordPattern = (w: string) => new RegExp(`(?<![\\w.-])${escapeRegExp(w)}(?![\\w-])`, "i");
  const withinPattern = (p: string) => new RegExp(`(?<![\\w.-])${escapeRegExp(p)}/[\\w.-]`);
  return [
    ...paths.filter((p) => pathPattern(p).test(text)),
    ...within.filter((p) => withinPattern(p).test(text)).map((p) => `${p}/…`),
    ...words.filter((w) => wordPattern(w).test(text)),
  ];
}

describe("machineSpecific", () => {
  it("finds a local path as a whole path and a host name as a whole word", () => {
    const text = '{"path":"/home/builder/project/cdk.tf.json","host":"ip-10-0-0-1.eu-west-1","name":"Builder-Box"}';
    expect(machineSpecific(text, { paths: ["/home/builder/project"], words: ["ip-10-0-0-1", "builder-box"] })).toEqual([
      "/home/builder/project",
      "ip-10-0-0-1",
      "builder-box",
    ]);
  });

  it("finds what lies inside a shared directory, not the directory's own name (a container's /tmp)", () => {
    expect(machineSpecific('{"containerPath":"/tmp","dir":"/tmp/synth-abc/x"}', { paths: [], within: ["/tmp"], words: [] })).toEqual(["/tmp/…"]);
    expect(machineSpecific('{"containerPath":"/tmp"}', { paths: [], within: ["/tmp"], words: [] })).toEqual([]);
  });

  it("ignores a path or word inside a longer one, and values too short to mean anything", () => {
    const text = '{"root_directory":"/rootfs/data","image":"sandbox:1","dir":"/tmp2/x","a":"ci/cd","slash":"/"}';
    expect(machineSpecific(text, { paths: ["/root", "/tmp", "/"], words: ["box", "ci", "sand"] })).toEqual([]);
  });
});

describe("the checked-in synth", () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), "synth-check-"));
    const result = synthesizeTo(outdir);
    if (!result.ok) throw new Error(`synth failed:\n${result.stderr}`);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const read = (root: string, stack: string) => readFileSync(path.join(root, "stacks", stack, STACK_FILE), "utf8");

  it("holds exactly the stacks the app synthesizes", () => {
    expect(stackNames(CHECKED_IN_OUTDIR)).toEqual(stackNames(outdir));
  });

  it("is current: run `npm run synth` and commit cdktf.out/stacks when this fails", () => {
    const stale = stackNames(outdir).filter((stack) => read(outdir, stack) !== read(CHECKED_IN_OUTDIR, stack));
    expect(stale).toEqual([]);
  });

  it("holds nothing specific to this machine or this run", () => {
    const local = { paths: [PROJECT_ROOT, outdir, homedir()], within: [tmpdir()], words: [hostname()] };
    for (const stack of stackNames(outdir)) {
      const text = read(outdir, stack);
      expect({ stack, found: machineSpecific(text, local) }).toEqual({ stack, found: [] });
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    }
  });

  it("is the same byte for byte when synthesized again", () => {
    const again = mkdtempSync(path.join(tmpdir(), "synth-again-"));
    try {
      expect(synthesizeTo(again).ok).toBe(true);
      for (const stack of stackNames(outdir)) expect(read(again, stack)).toBe(read(outdir, stack));
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});

/**
 * Literal secrets a careless commit brings in: well-known example passwords (spelt here in
 * parts, so that this file is no hit itself), private keys, cloud and chat tokens.
 */
const COMMON_LITERAL_SECRETS: readonly RegExp[] = [
  new RegExp(`(?<![\\w-])(${[["hun", "ter2"], ["change", "me"], ["let", "me", "in"], ["pass", "word123"], ["p@ss", "w0rd"], ["admin", "123"], ["s3c", "r3t"]].map((parts) => parts.join("")).join("|")})(?![\\w-])`, "i"),
  new RegExp(`-----BEGIN ([A-Z]+ )?${"PRIVATE"} KEY-----`),
  /(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/,
  /aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+]{40}/i,
  /\bgh[pousr]_[A-Za-z0-9]{36}\b/,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/,
];

/** Offline stand-ins that look like keys on purpose: the fake access key the Terraform harness gives the aws provider. */
const ALLOWED_LOOKALIKES = ["AKIAOFFLINETESTING00"];

function literalSecrets(text: string): string[] {
  const cleaned = ALLOWED_LOOKALIKES.reduce((t, allowed) => t.split(allowed).join(""), text);
  return COMMON_LITERAL_SECRETS.flatMap((pattern) => pattern.exec(cleaned)?.[0] ?? []);
}

/** Tracked and new (not ignored) files of the working tree, relative to the project's top level. */
function trackedFiles(): string[] {
  return execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: PROJECT_ROOT, encoding: "utf8" })
    .split("\0")
    .filter((file) => file && existsSync(path.join(PROJECT_ROOT, file)));
}

const LEGACY_FIXTURES_IN_REPO = `${path.relative(PROJECT_ROOT, LEGACY_FIXTURES)}/`;

describe("the repository", () => {
  it("reads nothing beside itself: no file names the organisation's sibling folder of legacy material, so a fresh clone passes alone", () => {
    // Spelt in parts, so that this file is no hit itself.
    const sibling = new RegExp(`\\.\\.[/\\\\]${"sha"}red\\b|["']\\.\\.["'],\\s*["']${"sha"}red["']`);
    const hits = trackedFiles().filter((file) => sibling.test(readFileSync(path.join(PROJECT_ROOT, file), "utf8")));
    expect(hits).toEqual([]);
    expect(sibling.test(["path.join(ROOT, '..', '", "shared', 'legacy')"].join(""))).toBe(true);
    expect(sibling.test(["see ../", "shared/legacy/README.md"].join(""))).toBe(true);
  });

  it("holds no common literal secret in any tracked or new file", () => {
    const files = trackedFiles();
    const found = files.flatMap((file) => literalSecrets(readFileSync(path.join(PROJECT_ROOT, file), "utf8")).map((hit) => `${file}: ${hit}`));
    expect(found).toEqual([]);
  });

  it("the secret patterns catch what they are for and let the harness's stand-in key pass", () => {
    const samples = [
      ["pass", "word123"].join(""),
      `-----BEGIN RSA ${"PRIVATE"} KEY-----`,
      ["AKIA", "ABCDEFGHIJKLMNOP"].join(""),
      `aws_secret_access_key = ${"a".repeat(40)}`,
      ["ghp_", "a".repeat(36)].join(""),
    ];
    for (const sample of samples) expect(literalSecrets(`x ${sample} y`)).toHaveLength(1);
    expect(literalSecrets("access_key: 'AKIAOFFLINETESTING00', the password is a SecureString, passwords123x")).toEqual([]);
  });

  it("holds no password literal of the legacy task definitions", () => {
    const legacy = [
      "jitsi-meet-task-staging.json",
      "jitsi-meet-task.json",
      "matrix-task-staging.json",
      "matrix-task.json",
      "postgres_upgrade.json",
    ].flatMap((file) =>
      (JSON.parse(readFileSync(path.join(LEGACY_CONTAINER_DEFINITIONS, file), "utf8")) as {
        environment: { name: string; value: string }[];
      }[]).flatMap((c) => c.environment.filter((e) => /PASSWORD/.test(e.name) && e.value !== "").map((e) => e.value)),
    );
    expect(legacy.length).toBeGreaterThan(0);
    const synthesized = stackNames(CHECKED_IN_OUTDIR).map((stack) => readFileSync(path.join(CHECKED_IN_OUTDIR, "stacks", stack, STACK_FILE), "utf8"));
    for (const text of synthesized) {
      for (const password of legacy) expect(text).not.toContain(password);
      expect(text).not.toMatch(/"name":"[A-Z_]*PASSWORD","value"/);
    }
    // The legacy fixtures are the record those placeholders come from; nothing else may carry them.
    const tracked = trackedFiles().filter((file) => !file.startsWith(LEGACY_FIXTURES_IN_REPO));
    const leaking = tracked.filter((file) => {
      const text = readFileSync(path.join(PROJECT_ROOT, file), "utf8");
      return legacy.some((password) => text.includes(password));
    });
    expect(leaking).toEqual([]);
  });
});
