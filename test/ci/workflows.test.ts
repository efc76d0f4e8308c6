import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  CI_RUN,
  commandsMissingFromWorkflow,
  lintWorkflow,
  lintWorkflows,
  PULL_REQUEST_WORKFLOW,
  scriptCommands,
  shellcheckAvailable,
  shellcheckWorkflow,
  shellcheckWorkflows,
  WORKFLOWS_DIR,
  workflowRunBlocks,
} from "../../tools/ci/workflows";

import { documentedBlock, script } from "../support/documented-commands";

const read = (file: string) => readFileSync(file, "utf8");

type Step = { name?: string; run?: string; if?: string; uses?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = { steps: Step[]; permissions?: Record<string, string>; needs?: string | string[]; if?: string; env?: Record<string, string> };

const shellcheck = shellcheckAvailable();
if (!shellcheck.ok) console.log(`SKIPPED: shellcheck of the workflows' run: blocks: ${shellcheck.reason}`);
const itWithShellcheck = shellcheck.ok ? it : it.skip;

describe("the GitHub Actions workflows", () => {
  it("pass actionlint", async () => {
    const { files, problems } = await lintWorkflows();
    expect(files).toEqual(expect.arrayContaining(["main.yml", "pull-request.yml"]));
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`)).toEqual([]);
  });

  it("the lint catches a broken workflow: an unknown context property, a missing job, a bad key", async () => {
    const broken = [
      "on: pull_request",
      "jobs:",
      "  test:",
      "    runs-on: ubuntu-latest",
      "    needs: [build]",
      "    steps:",
      "      - run: echo ${{ github.evnt.number }}",
      "      - uses: actions/checkout@v4",
      "        whith:",
      "          fetch-depth: 0",
    ].join("\n");
    const problems = await lintWorkflow(broken, "broken.yml");
    expect(problems.map((p) => p.kind)).toEqual(expect.arrayContaining(["expression", "job-needs", "syntax-check"]));
    expect(problems.find((p) => p.kind === "expression")).toMatchObject({ line: 7, message: expect.stringContaining('property "evnt" is not defined') });
  });

  it("the pull request workflow runs every command of .ci/run, in the same order", () => {
    const commands = scriptCommands(read(CI_RUN));
    expect(commands).toEqual(expect.arrayContaining(["npm test"]));
    expect(commandsMissingFromWorkflow(read(CI_RUN), read(PULL_REQUEST_WORKFLOW))).toEqual([]);
  });

  it("README's two commands (```sh two-commands) are what .ci/run runs, in order, on every change", () => {
    // npm's audit and funding notices are network calls and noise in CI; they change nothing installed.
    const ciRun = scriptCommands(read(CI_RUN)).map((command) => command.replace(" --no-audit --no-fund", ""));
    const readme = script(documentedBlock("two-commands"))
      .split("\n")
      .map((line) => line.replace(/#.*$/, ""))
      .flatMap((line) => line.split("&&"))
      .map((command) => command.trim())
      .filter(Boolean);
    expect(readme).toEqual(["npm ci", "npm run synth", "npm test"]);
    expect(ciRun.filter((command) => readme.includes(command))).toEqual(readme);
  });

  it("the comparison with .ci/run fails when the workflow leaves a command out", () => {
    const withoutTests = read(PULL_REQUEST_WORKFLOW).replace(/\n\s+- name: Test\n\s+run: npm test\n/, "\n");
    expect(withoutTests).not.toEqual(read(PULL_REQUEST_WORKFLOW));
    expect(commandsMissingFromWorkflow(read(CI_RUN), withoutTests)).toEqual(["npm test"]);
  });

  it("the pull request workflow reviews the plan against the base branch and posts it from a job of its own", () => {
    const workflow = parse(read(PULL_REQUEST_WORKFLOW));
    const steps: Step[] = workflow.jobs["test-and-review"].steps;
    const review = steps.find((s) => s.run?.includes("npm run --silent review --"));
    expect(review?.run).toContain('--base "origin/$BASE_REF" --markdown');
    expect(review?.run).toContain("--state-dir review-states");
    expect(steps.at(-1)).toMatchObject({ if: "steps.review.outputs.status != '0'" });
    const comment: Job = workflow.jobs.comment;
    expect(comment.needs).toBe("test-and-review");
    expect(comment.steps.some((s) => s.run?.includes("gh pr comment") && s.run.includes("review.md"))).toBe(true);
    expect(workflow.permissions).toEqual({ contents: "read" });
  });

  it("the pull request workflow never gives AWS credentials or a write token to a job that runs the pull request's code", () => {
    const jobs: Record<string, Job> = parse(read(PULL_REQUEST_WORKFLOW)).jobs;
    const usesCredentials = (job: Job) => job.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    // A command that runs the repository's code: npm and its scripts, node, tsx, terraform (which runs providers the code pins).
    const runsCode = (job: Job) =>
      job.steps.some((s) => /(^|[;&|(]|\$\()\s*(npm|npx|node|tsx|terraform)(\s|$)/m.test(s.run ?? "") || s.uses?.startsWith("hashicorp/setup-terraform@") === true);
    // A job runs the pull request's code when it checks it out: actions/checkout of this repository without a ref takes the pull request's merge commit.
    const checksOutPullRequest = (job: Job) =>
      job.steps.some((s) => s.uses?.startsWith("actions/checkout@") && s.with?.ref === undefined && s.with?.repository === undefined);

    const withCredentials = Object.entries(jobs).filter(([, job]) => usesCredentials(job));
    expect(withCredentials.map(([name]) => name)).toEqual(["deployed-states"]);
    for (const [name, job] of withCredentials) {
      expect({ name, checksOutPullRequest: checksOutPullRequest(job), runsCode: runsCode(job) }).toEqual({ name, checksOutPullRequest: false, runsCode: false });
      expect(job.steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with).toMatchObject({ ref: "${{ github.event.pull_request.base.sha }}", "persist-credentials": false });
      expect(job.steps.find((s) => s.name === "Pull the deployed states")?.run).toMatch(/aws s3 cp --only-show-errors "s3:\/\/\$bucket\/\$key"/);
    }
    for (const [name, job] of Object.entries(jobs)) {
      if (checksOutPullRequest(job) || runsCode(job)) {
        expect({ name, permissions: job.permissions }).toEqual({ name, permissions: { contents: "read" } });
        expect(usesCredentials(job)).toBe(false);
        expect(JSON.stringify(job)).not.toContain("secrets.");
      }
    }
    // The states reach the review as an artifact of the credentialed job.
    const review = jobs["test-and-review"];
    expect(review.needs).toEqual(["deployed-states"]);
    expect(review.steps.find((s) => s.with?.name === "review-states")).toMatchObject({ uses: expect.stringMatching(/^actions\/download-artifact@/), with: { path: "main/review-states" } });
    // The tests read the legacy fixtures from the project's own tree: no job fetches another repository.
    for (const job of Object.values(jobs)) {
      for (const step of job.steps) expect(step.with?.repository).toBeUndefined();
    }
    expect(jobs["deployed-states"].steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))).toMatchObject({ with: { name: "review-states" } });
  });

  itWithShellcheck("every run: block of the workflows passes shellcheck (bash, expressions as a word)", () => {
    const problems = shellcheckWorkflows();
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.code} (${p.level}) ${p.message}`)).toEqual([]);
    // Not vacuous: the check saw the scripts.
    expect(workflowRunBlocks(read(PULL_REQUEST_WORKFLOW), "pull-request.yml").map((b) => b.step)).toEqual(expect.arrayContaining(["Review the plan", "Pull the deployed states"]));
  });

  itWithShellcheck("the shellcheck check catches a broken run: block and names its line in the workflow", () => {
    const broken = [
      "on: push",
      "jobs:",
      "  build:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - name: List",
      "        run: |",
      "          echo ${{ github.sha }}",
      "          for f in $(ls *.json); do cat \"$f\"; done",
    ].join("\n");
    const problems = shellcheckWorkflow(broken, "broken.yml");
    expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ file: "broken.yml", line: 9, code: "SC2045", message: expect.stringContaining("build / List:") })]));
    // The expression is text the runner substitutes, not a shell parameter: no complaint about it.
    expect(problems.filter((p) => p.line === 8)).toEqual([]);
  });

  it("the main workflow plans and checks drift against the real backend with credentials from secrets only", () => {
    const text = read(path.join(WORKFLOWS_DIR, "main.yml"));
    const workflow = parse(text);
    const runs = (job: string) => workflow.jobs[job].steps.map((s: { run?: string }) => s.run ?? "").join("\n");
    expect(runs("plan")).toMatch(/terraform -chdir="cdktf\.out\/stacks\/\$STACK" plan -input=false -lock=false/);
    expect(runs("drift")).toContain('npm run drift -- "$STACK"');
    for (const job of ["plan", "drift"]) {
      const credentials = workflow.jobs[job].steps.find((s: { uses?: string }) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      expect(credentials.with["role-to-assume"]).toBe("${{ secrets.AWS_PLAN_ROLE_ARN }}");
    }
    expect(text).not.toMatch(/AKIA[0-9A-Z]{12,}|aws-secret-access-key:/);
  });
});
