import { ALL_SECRETS, PLATFORM_SECRETS, PlatformSecret, secretParameterArn } from "../../src/modules/platform-secrets";
import { SecretParameters } from "../../src/modules/secret-parameters";
import { TaskExecutionRole } from "../../src/modules/task-execution-role";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

describe("SecretParameters", () => {
  const versions = { ...Object.fromEntries(ALL_SECRETS.map((s) => [s, 1])), JVB_AUTH_PASSWORD: 3 } as Record<PlatformSecret, number>;
  const { json } = synthConstructs((scope) => new SecretParameters(scope, "secret", { environmentName: "dev", versions }));
  const blocks = json as unknown as { ephemeral?: { random_password?: Record<string, unknown> }; removed?: unknown[]; resource?: Record<string, unknown> };

  it("stores every platform password as a SecureString under the environment's path, through its write-only value", () => {
    const parameters = resourcesOf(json, "aws_ssm_parameter");
    expect(Object.keys(parameters).sort()).toEqual(PLATFORM_SECRETS.map((s) => `secret_${s}`).sort());
    expect(parameters.secret_JVB_AUTH_PASSWORD).toMatchObject({
      name: "/jitsi-matrix/dev/JVB_AUTH_PASSWORD",
      type: "SecureString",
      value_wo: "${ephemeral.random_password.secret_JVB_AUTH_PASSWORD_value.result}",
      value_wo_version: 3,
    });
    // No value that a state or plan would record.
    for (const parameter of Object.values(parameters)) expect(parameter).not.toHaveProperty("value");
    expect(parameters.secret_POSTGRES_PASSWORD.value_wo_version).toBe(1);
  });

  it("generates the values with an ephemeral random_password, letters and digits only, and keeps no random_password resource", () => {
    expect(blocks.ephemeral?.random_password?.secret_POSTGRES_PASSWORD_value).toEqual({ length: 40, special: false });
    expect(Object.keys(blocks.ephemeral?.random_password ?? {})).toHaveLength(PLATFORM_SECRETS.length);
    expect(blocks.resource?.random_password).toBeUndefined();
  });

  it("forgets, without destroying, the random_password resources an earlier version kept in state", () => {
    expect(blocks.removed).toEqual(PLATFORM_SECRETS.map((s) => ({ from: `random_password.secret_${s}_value`, lifecycle: { destroy: false } })));
  });
});

describe("TaskExecutionRole", () => {
  const arns = PLATFORM_SECRETS.map((s) => secretParameterArn("dev", s, "eu-west-1", "123456789012"));
  const { json } = synthConstructs((scope) => new TaskExecutionRole(scope, "task_execution_role", { roleName: "exec", secretParameterArns: arns }));

  it("is assumable by ECS tasks and has the ECS execution policy", () => {
    expect(JSON.parse(onlyResource(json, "aws_iam_role").assume_role_policy as string).Statement[0].Principal).toEqual({
      Service: "ecs-tasks.amazonaws.com",
    });
    expect(onlyResource(json, "aws_iam_role_policy_attachment").policy_arn).toBe(
      "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    );
  });

  it("may read exactly the platform's parameters and nothing else", () => {
    const policy = JSON.parse(onlyResource(json, "aws_iam_role_policy").policy as string);
    expect(policy.Statement).toEqual([
      { Action: ["ssm:GetParameters"], Effect: "Allow", Resource: [...arns].sort() },
    ]);
    expect(arns[0]).toBe("arn:aws:ssm:eu-west-1:123456789012:parameter/jitsi-matrix/dev/JICOFO_AUTH_PASSWORD");
  });
});
