import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { assumeRolePolicy } from "./iam-policy";

/** What the ECS agent on an instance needs: register, pull, report. */
export const ECS_FOR_EC2_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role";

export interface EcsInstanceRoleProps {
  readonly roleName: string;
  readonly instanceProfileName: string;
}

/** The role and instance profile of the ECS container instances. */
export class EcsInstanceRole extends Construct {
  public readonly roleName: string;
  public readonly instanceProfileName: string;

  constructor(scope: Construct, id: string, props: EcsInstanceRoleProps) {
    super(scope, id);
    const role = new IamRole(this, "Default", {
      name: props.roleName,
      assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com"),
    });
    new IamRolePolicyAttachment(this, "ecs_for_ec2", {
      role: role.name,
      policyArn: ECS_FOR_EC2_POLICY_ARN,
    });
    const profile = new IamInstanceProfile(this, "profile", {
      name: props.instanceProfileName,
      role: role.name,
    });
    this.roleName = role.name;
    this.instanceProfileName = profile.name;
  }
}
