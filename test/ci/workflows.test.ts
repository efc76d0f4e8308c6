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
  WORKFLOWS_DIR,
} from "../../src/ci/workflows";

const read = (file: string) => readFileSync(file, "utf8");

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

  it("the comparison with .ci/run fails when the workflow leaves a command out", () => {
    const withoutTests = read(PULL_REQUEST_WORKFLOW).replace(/\n\s+- name: Test\n\s+run: npm test\n/, "\n");
    expect(withoutTests).not.toEqual(read(PULL_REQUEST_WORKFLOW));
    expect(commandsMissingFromWorkflow(read(CI_RUN), withoutTests)).toEqual(["npm test"]);
  });

  it("the pull request workflow reviews the plan against the base branch and posts it", () => {
    const workflow = parse(read(PULL_REQUEST_WORKFLOW));
    const steps: Array<{ name?: string; run?: string; if?: string }> = workflow.jobs["test-and-review"].steps;
    const review = steps.find((s) => s.run?.includes("npm run --silent review --"));
    expect(review?.run).toContain('--base "origin/$BASE_REF" --markdown');
    expect(steps.some((s) => s.run?.includes("gh pr comment") && s.run.includes("review.md"))).toBe(true);
    expect(steps.at(-1)).toMatchObject({ if: "steps.review.outputs.status != '0'" });
    expect(workflow.permissions).toMatchObject({ contents: "read", "pull-requests": "write" });
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
