import { StateKey } from "../../src/modules/state-key";
import { onlyResource, synthConstructs } from "../support/synth";

describe("StateKey", () => {
  const { json } = synthConstructs((scope) => new StateKey(scope, "state_key", { aliasName: "alias/terraform-state" }));

  it("rotates yearly, waits the longest KMS allows before a deletion, and Terraform refuses to destroy it", () => {
    expect(onlyResource(json, "aws_kms_key")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30, lifecycle: { prevent_destroy: true } });
  });

  it("has the alias backend.tf.json names, by which every stack's backend writes with it", () => {
    expect(onlyResource(json, "aws_kms_alias")).toEqual(expect.objectContaining({ name: "alias/terraform-state", target_key_id: "${aws_kms_key.state_key.key_id}" }));
  });
});
