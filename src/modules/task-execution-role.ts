import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { allowPolicy, assumeRolePolicy } from "./iam-policy";

/** Lets ECS pull images and write logs for the tasks it starts. */
export const ECS_TASK_EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

export interface TaskExecutionRoleProps {
  readonly roleName: string;
  /** ARNs of the SSM parameters the tasks' `secrets` name: the role may read these and no others. */
  readonly secretParameterArns: readonly string[];
  /**
   * The customer-managed key the parameters are encrypted with: the role may decrypt with it, through SSM only.
   * @default - the parameters use AWS's managed key `aws/ssm`, which needs no grant
   */
  readonly parameterKey?: { readonly keyArn: string; readonly region: string };
  /**
   * ARNs of the Secrets Manager secrets the tasks' `secrets` name (the RDS master password); they are encrypted with
   * `parameterKey`'s key where one is given.
   * @default - none
   */
  readonly secretArns?: readonly string[];
  /**
   * ARN pattern of the pull-through cache's repositories (`arn:...:repository/<prefix>/*`): the role may create them
   * and import their images from upstream on a task's first pull (`ImageCache`).
   * @default - no cache
   */
  readonly cacheRepositoryArns?: string;
}

/** The role ECS assumes to start tasks and fill their `secrets` from SSM. */
export class TaskExecutionRole extends Construct {
  public readonly roleArn: string;

  constructor(scope: Construct, id: string, props: TaskExecutionRoleProps) {
    super(scope, id);
    const role = new IamRole(this, "Default", {
      name: props.roleName,
      assumeRolePolicy: assumeRolePolicy("ecs-tasks.amazonaws.com"),
    });
    new IamRolePolicyAttachment(this, "ecs_task_execution", {
      role: role.name,
      policyArn: ECS_TASK_EXECUTION_POLICY_ARN,
    });
    const secretArns = props.secretArns ?? [];
    const key = props.parameterKey;
    const statements = [
      { Action: ["ssm:GetParameters"], Effect: "Allow", Resource: [...props.secretParameterArns].sort() },
      ...(secretArns.length > 0 ? [{ Action: ["secretsmanager:GetSecretValue"], Effect: "Allow", Resource: [...secretArns] }] : []),
      ...(props.cacheRepositoryArns ? [{ Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"], Effect: "Allow", Resource: [props.cacheRepositoryArns] }] : []),
      ...(key
        ? [
            {
              Action: ["kms:Decrypt"],
              Effect: "Allow",
              Resource: [key.keyArn],
              Condition: {
                StringEquals: {
                  "kms:ViaService":
                    secretArns.length > 0 ? [`secretsmanager.${key.region}.amazonaws.com`, `ssm.${key.region}.amazonaws.com`] : `ssm.${key.region}.amazonaws.com`,
                },
              },
            },
          ]
        : []),
    ];
    new IamRolePolicy(this, "read_secrets", {
      name: "read-secret-parameters",
      role: role.id,
      // One statement alone is the shape the legacy environments' adoption planned; keep it byte for byte.
      policy: statements.length === 1 ? allowPolicy(["ssm:GetParameters"], [...props.secretParameterArns].sort()) : JSON.stringify({ Statement: statements, Version: "2012-10-17" }),
    });
    this.roleArn = role.arn;
  }
}
