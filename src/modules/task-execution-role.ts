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
    new IamRolePolicy(this, "read_secrets", {
      name: "read-secret-parameters",
      role: role.id,
      policy: allowPolicy(["ssm:GetParameters"], [...props.secretParameterArns].sort()),
    });
    this.roleArn = role.arn;
  }
}
