/**
 * `npm run bench`: how long the loops of this project take, each as a ratio to one
 * `terraform validate` of one stack measured in the same run, so that figures from different
 * machines compare. Not a test: nothing here fails on time.
 *
 * Synth scaling: 5, 10 and 20 environments generated from dev and from staging, with the
 * marginal cost per added stack (the least-squares slope), the average per stack, and whether
 * 20 stay within NEAR_LINEAR_FACTOR of the line through 5 and 10 (tools/bench/scaling.ts).
 *
 *   npm run bench                  everything, 3 runs of each quick measure (median)
 *   npm run bench -- --runs 5      more runs
 *   npm run bench -- --skip-tests  without the whole `npm test` (minutes)
 */
import { spawnSync } from "child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parseArgs } from "util";
import { scaling, NEAR_LINEAR_FACTOR, SynthPoint } from "./scaling";
import { StackPlanner } from "../review/stack-planner";
import { PROJECT_ROOT, stackNames, synthesizeTo } from "../synthesize";
import { providerAvailable, terraformAvailable, TerraformWorkdir } from "../terraform";

/** Generated environments per scaling synth: three sizes tell a line from a curve; 20 is the README's target. */
const SIZES = [5, 10, 20] as const;
/**
 * Templates of the generated environments: dev has every operations option on (logs, alarms,
 * scaling, backups, launch template: the most resources per stack), staging is the adopted
 * legacy shape. Both, because a synth of 20 takes about two seconds.
 */
const TEMPLATES = ["dev", "staging"] as const;
const REFERENCE_STACK = "jitsi-matrix-staging";

interface Row {
  readonly measure: string;
  readonly seconds: number;
  /** `< N` times one validate, where the README sets a target. */
  readonly target?: number;
  readonly note?: string;
}


function seconds(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function secondsAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median time of `runs` synths by `entry` into fresh directories, and the number of stacks. */
function timeSynth(runs: number, scratch: string, name: string, synth: (outdir: string) => void): { seconds: number; stacks: number } {
  let stacks = 0;
  const times = Array.from({ length: runs }, (_, i) => {
    const outdir = path.join(scratch, `${name}-${i}`);
    const time = seconds(() => synth(outdir));
    stacks = stackNames(outdir).length;
    rmSync(outdir, { recursive: true, force: true });
    return time;
  });
  return { seconds: median(times), stacks };
}

function synthMain(outdir: string): void {
  const result = synthesizeTo(outdir);
  if (!result.ok) throw new Error(`synth failed:\n${result.stderr}`);
}

/** The operators' synth: the cdktf CLI, which starts cdktf.json's `app`. */
function synthCli(outdir: string): void {
  const result = spawnSync("npx", ["cdktf", "synth", "--output", outdir], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1" },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`npx cdktf synth failed:\n${result.stdout}${result.stderr}`);
}

/** The generated-environments app, run the way `synthesizeTo` runs main.ts: transpile-only with tsx. */
function synthGenerated(template: string, environments: number): (outdir: string) => void {
  return (outdir) => {
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "scripts", "bench-app.ts")], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDKTF_OUTDIR: outdir, BENCH_ENVIRONMENTS: String(environments), BENCH_TEMPLATE: template },
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`synth of ${environments} environments generated from ${template} failed:\n${result.stderr}`);
  };
}

const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`;

/** `npm run bench -- [--runs N] [--skip-tests]`: measures, prints the table, and returns the exit status (1 when it cannot measure). */
export async function runBenchCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { runs: { type: "string" }, "skip-tests": { type: "boolean" } },
    strict: true,
  });
  const runs = Number(values.runs ?? "3");
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`--runs ${values.runs}: give a whole number of runs, 1 or more.`);
    return 1;
  }
  const availability = terraformAvailable();
  if (!availability.ok) {
    console.error(`bench: the reference is a terraform validate, and ${availability.reason}`);
    return 1;
  }
  const scratch = mkdtempSync(path.join(tmpdir(), "bench-"));
  const rows: Row[] = [];
  try {
    const synthDir = path.join(scratch, "synth");
    synthMain(synthDir);

    // Warm-up, untimed: tsx's transpile cache and the plugin cache are filled once, as on any developer's machine.
    const workdir = new TerraformWorkdir(path.join(synthDir, "stacks", REFERENCE_STACK));
    let validate: number;
    try {
      await workdir.init();
      await workdir.validate();
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await secondsAsync(() => workdir.validate()));
      validate = median(times);
    } finally {
      workdir.dispose();
    }
    rows.push({ measure: `terraform validate of ${REFERENCE_STACK} (the unit)`, seconds: validate });

    const all = timeSynth(runs, scratch, "all", synthMain);
    rows.push({ measure: `synth of all stacks (${all.stacks}, main.ts: the app's own synth)`, seconds: all.seconds, target: 0.5, note: `${ms(all.seconds / all.stacks)} per stack on average` });
    const cli = timeSynth(runs, scratch, "cli", synthCli);
    rows.push({ measure: `npx cdktf synth (${cli.stacks} stacks, the operators' path: the CLI runs cdktf.json's app)`, seconds: cli.seconds, target: 1 });
    // What the CLI adds around the app, which no change of the app can take away.
    rows.push({ measure: "  of which the CLI's own start-up and exit (npx cdktf synth minus the app's synth)", seconds: Math.max(0, cli.seconds - all.seconds), note: `${((100 * Math.max(0, cli.seconds - all.seconds)) / cli.seconds).toFixed(0)} % of the CLI's synth` });

    for (const template of TEMPLATES) {
      synthGenerated(template, SIZES[0])(path.join(scratch, `warm-${template}`));
      const points: SynthPoint[] = [];
      for (const size of SIZES) {
        const generated = timeSynth(runs, scratch, `${template}-${size}`, synthGenerated(template, size));
        points.push({ stacks: generated.stacks, seconds: generated.seconds });
        rows.push({
          measure: `synth of ${size} environments generated from ${template} (${generated.stacks} stacks)`,
          seconds: generated.seconds,
          target: size === 20 ? 8 : undefined,
          note: `${ms(generated.seconds / generated.stacks)} per stack on average`,
        });
      }
      const fit = scaling(points);
      rows.push({
        measure: `  ${template}: marginal cost per added stack (least squares over ${SIZES.join(", ")} environments)`,
        seconds: fit.marginalSeconds,
        note:
          `${ms(fit.marginalSeconds)} per added stack against ${ms(fit.averageSeconds)} on average at ${SIZES.at(-1)}, start-up ${fit.fixedSeconds.toFixed(2)} s; ` +
          `${SIZES.at(-1)} take ${fit.ratio.toFixed(2)}x the line through ${SIZES[0]} and ${SIZES[1]}: ` +
          (fit.nearLinear ? `near linear (<= ${NEAR_LINEAR_FACTOR})` : `NOT near linear (> ${NEAR_LINEAR_FACTOR})`),
      });
    }

    // What `npm run review` does for a whole environment: init and plan each stack offline from an empty state.
    const planned = ["networking-staging", "jitsi-matrix-staging"];
    const skipped = providerAvailable("hashicorp/random") ? [] : ["secrets-staging (the random provider is not installable here)"];
    if (skipped.length === 0) planned.push("secrets-staging");
    const planner = new StackPlanner();
    try {
      const plan = await secondsAsync(() => Promise.all(planned.map((stack) => planner.plan(synthDir, stack))));
      rows.push({
        measure: `offline plan of staging (init + plan + show: ${planned.join(", ")})`,
        seconds: plan,
        note: skipped.length > 0 ? `without ${skipped.join(", ")}` : undefined,
      });
    } finally {
      planner.dispose();
    }

    if (!values["skip-tests"]) {
      const log = path.join(scratch, "npm-test.log");
      // Cold, as on a fresh machine: a temp dir of its own means an empty plugin cache and jest cache.
      const coldTmp = mkdtempSync(path.join(scratch, "cold-tmp-"));
      let status: number | null = null;
      const time = seconds(() => {
        const env = { ...process.env, TMPDIR: coldTmp };
        const result = spawnSync("npm", ["test"], { cwd: PROJECT_ROOT, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        writeFileSync(log, `${result.stdout}\n${result.stderr}`);
        status = result.status;
      });
      // A failed run's output outlives the scratch directory, so that the failure can be read.
      if (status !== 0) {
        const kept = path.join(tmpdir(), "bench-npm-test-failed.log");
        copyFileSync(log, kept);
        console.error(`npm test failed in the cold run (exit ${status}); its output: ${kept}`);
      }
      rows.push({
        measure: "npm test, cold (tsc, then every jest suite; empty plugin, plan and jest caches)",
        seconds: time,
        target: 90,
        note: status === 0 ? "the tests' Terraform runs the mirror's build through development overrides" : `FAILED (exit ${status})`,
      });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  printTable(rows, runs);
  return 0;
}

function printTable(rows: Row[], runs: number): void {
  const unit = rows[0].seconds;
  const table = rows.map((row) => {
    const ratio = row.seconds / unit;
    const verdict = row.target === undefined ? "" : ratio < row.target ? `< ${row.target}: met` : `< ${row.target}: MISSED`;
    return [row.measure, row.seconds.toFixed(2), `${ratio.toFixed(2)}x`, verdict, row.note ?? ""];
  });
  const header = ["measure", "seconds", "x validate", "target", "note"];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 1 || i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ")} |`;
  console.log(`Benchmark, ${runs} run(s) per synth and validate (median); ratios to one terraform validate of ${REFERENCE_STACK}.\n`);
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 1 || i === 2 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`);
  for (const row of table) console.log(line(row));
}
