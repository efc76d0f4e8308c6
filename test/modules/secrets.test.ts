import { PLATFORM_SECRETS, secretParameterArn } from "../../src/modules/platform-secrets";
import { SecretParameters } from "../../src/modules/secret-parameters";
import { TaskExecutionRole } from "../../src/modules/task-execution-role";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

describe("SecretParameters", () => {
  const { json } = synthConstructs((scope) => new SecretParameters(scope, "secret", { environmentName: "dev" }));

  it("stores every platform password as a SecureString under the environment's path", () => {
    const parameters = resourcesOf(json, "aws_ssm_parameter");
    expect(Object.keys(parameters).sort()).toEqual(PLATFORM_SECRETS.map((s) => `secret_${s}`).sort());
    expect(parameters.secret_JVB_AUTH_PASSWORD).toMatchObject({
      name: "/jitsi-matrix/dev/JVB_AUTH_PASSWORD",
      type: "SecureString",
      value: "${random_password.secret_JVB_AUTH_PASSWORD_value.result}",
    });
  });

  it("generates the values with random_password, letters and digits only", () => {
    expect(resourcesOf(json, "random_password").secret_POSTGRES_PASSWORD_value).toMatchObject({ length: 40, special: false });
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
