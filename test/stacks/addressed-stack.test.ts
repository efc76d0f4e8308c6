import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Testing } from "cdktf";
import { Construct } from "constructs";
import { AddressedStack } from "../../src/stacks/addressed-stack";
import { addressesOf, synthConstructs } from "../support/synth";

const parameter = (scope: Construct, id: string) => new SsmParameter(scope, id, { name: `/${id}`, type: "String", value: "v" });

describe("AddressedStack", () => {
  it("names a resource by its construct path, without Default ids or hashes", () => {
    const { json } = synthConstructs((stack) => {
      const group = new Construct(stack, "group");
      parameter(group, "Default");
      parameter(group, "child");
      parameter(stack, "top");
    });
    expect(addressesOf(json)).toEqual(["aws_ssm_parameter.group", "aws_ssm_parameter.group_child", "aws_ssm_parameter.top"]);
  });

  it("fails when two constructs would get the same Terraform name", () => {
    const app = Testing.app();
    const stack = new AddressedStack(app, "test");
    parameter(new Construct(stack, "a"), "b_c");
    parameter(new Construct(new Construct(stack, "a_b"), "Default"), "c");
    expect(() => Testing.synth(stack)).toThrow(/would get the Terraform name "a_b_c" that "test\/a\/b_c" already has/);
  });
});
