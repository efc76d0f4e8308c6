/**
 * docs/moving-to-rds.md's AWS CLI commands, run as written after its variables block against a stand-in aws: each
 * block runs to its end, checks the one-off task's exit code, and names only the cluster, service and task family
 * staging really has.
 */
import { PARSED_ENVIRONMENTS } from "../support/environments";
import { operationsNames } from "../../src/environments/defaults";
import { CommandBlock, documentedBlock, oneOffTaskAnswers, runWithStandIns } from "../support/documented-commands";

const staging = PARSED_ENVIRONMENTS.find((e) => e.name === "staging")!;
const TASK = "arn:aws:ecs:eu-west-1:123456789012:task/jitsi-matrix-cluster-staging/0123456789abcdef";


const run = (block: CommandBlock, exitCode = 0) =>
  runWithStandIns(block, { cwd: __dirname, programs: ["aws"], before: [documentedBlock("rds-variables")], answers: { aws: oneOffTaskAnswers(TASK, exitCode) } });

describe("docs/moving-to-rds.md's commands, after its variables", () => {
  const cluster = staging.cluster.name;
  const family = operationsNames(staging.name).databaseTools;

  it("names staging's cluster, matrix service and the database tools' task family", () => {
    const variables = documentedBlock("rds-variables").text;
    expect(variables).toContain(`CLUSTER=${cluster} `);
    expect(variables).toContain(`SERVICE=${staging.matrix.serviceName} `);
    expect(variables).toContain("TOOLS=matrix-database-tools-$ENV ");
    expect(variables).toContain(`MATRIX=${staging.matrix.taskFamily} `);
    expect(family).toBe("matrix-database-tools-staging");
  });

  it("creates the database with the task's default action, waits for it and checks that it exited 0", () => {
    const result = run(documentedBlock("rds-create-database"));
    expect({ status: result.status, output: result.status === 0 ? "" : result.output }).toEqual({ status: 0, output: "" });
    expect(result.calls.map((c) => `${c.program} ${c.args}`)).toEqual([
      `aws ecs run-task --cluster ${cluster} --task-definition ${family} --launch-type EC2 --query tasks[0].taskArn --output text`,
      `aws ecs wait tasks-stopped --cluster ${cluster} --tasks ${TASK}`,
      `aws ecs describe-tasks --cluster ${cluster} --tasks ${TASK} --query tasks[0].containers[0].exitCode --output text`,
    ]);
  });

  it("fails when the task exited otherwise, so the runbook stops there", () => {
    expect(run(documentedBlock("rds-create-database"), 1).status).not.toBe(0);
    expect(run(documentedBlock("rds-copy"), 3).status).not.toBe(0);
  });

  it("stops Matrix, then copies with the copy action of the tools' container", () => {
    const stop = run(documentedBlock("rds-stop-matrix"));
    expect(stop.status).toBe(0);
    expect(stop.calls.map((c) => `${c.program} ${c.args}`)).toEqual([
      `aws ecs update-service --cluster ${cluster} --service ${staging.matrix.serviceName} --desired-count 0`,
      `aws ecs wait services-stable --cluster ${cluster} --services ${staging.matrix.serviceName}`,
    ]);
    const copy = run(documentedBlock("rds-copy"));
    expect(copy.status).toBe(0);
    const start = copy.calls[0].args;
    expect(start).toContain(`--task-definition ${family}`);
    expect(JSON.parse(start.slice(start.indexOf("--overrides ") + "--overrides ".length))).toEqual({
      containerOverrides: [{ name: "postgres-tools", environment: [{ name: "ACTION", value: "copy-from-container" }] }],
    });
  });

  it("deploys the matrix family's newest revision, past a circuit breaker's rollback, and waits for it", () => {
    const result = run(documentedBlock("rds-deploy-newest-matrix"));
    expect(result.status).toBe(0);
    expect(result.calls.map((c) => `${c.program} ${c.args}`)).toEqual([
      `aws ecs update-service --cluster ${cluster} --service ${staging.matrix.serviceName} --task-definition ${staging.matrix.taskFamily} --force-new-deployment`,
      `aws ecs wait services-stable --cluster ${cluster} --services ${staging.matrix.serviceName}`,
    ]);
  });

  it("starts Synapse anew on a new environment", () => {
    const result = run(documentedBlock("rds-start-synapse"));
    expect(result.status).toBe(0);
    expect(result.calls.map((c) => `${c.program} ${c.args}`)).toEqual([`aws ecs update-service --cluster ${cluster} --service ${staging.matrix.serviceName} --force-new-deployment`]);
  });
});
