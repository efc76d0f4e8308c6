import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { readBackendSettings, stateKey } from "../src/backend";

describe("backend.tf.json", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), "backend-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const read = (content: unknown) => {
    const file = path.join(dir, "backend.tf.json");
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return () => readBackendSettings(file);
  };

  it("holds the legacy bucket, region, encryption and lock table, and the alias of the states' key", () => {
    expect(readBackendSettings()).toEqual({
      bucket: "terraform-state-bucket",
      region: "eu-west-1",
      encrypt: true,
      dynamodb_table: "terraform-locks-table",
      kms_key_id: "alias/terraform-state",
    });
  });

  it("takes the states' key only by an alias of this account's, which state-backend creates", () => {
    const s3 = { bucket: "b", region: "eu-west-1", encrypt: true };
    expect(read({ terraform: { backend: { s3: { ...s3, kms_key_id: "alias/my-states" } } } })()).toMatchObject({ kms_key_id: "alias/my-states" });
    for (const bad of ["arn:aws:kms:eu-west-1:1:key/k", "alias/aws/s3", 7]) {
      expect(read({ terraform: { backend: { s3: { ...s3, kms_key_id: bad } } } })).toThrow(
        /terraform\.backend\.s3\.kms_key_id: must name the alias the state-backend stack creates, e\.g\. "alias\/terraform-state"/,
      );
    }
  });

  it("fails with the field and the fix when a setting is missing or of the wrong type", () => {
    const bad = read({ terraform: { backend: { s3: { bucket: "", encrypt: "yes", kay: "x" } } } });
    expect(bad).toThrow(/terraform\.backend\.s3\.kay: not a setting this project passes on/);
    expect(bad).toThrow(/terraform\.backend\.s3\.bucket: must be a non-empty string, got ""/);
    expect(bad).toThrow(/terraform\.backend\.s3\.region: must be a non-empty string, got undefined/);
    expect(bad).toThrow(/terraform\.backend\.s3\.encrypt: must be true or false, got "yes"/);
  });

  it("fails when the file is not JSON or has no S3 backend", () => {
    expect(read("{")).toThrow(/backend\.tf\.json: cannot read it as JSON/);
    expect(read({ terraform: { backend: { local: {} } } })).toThrow(/terraform\.backend\.s3 is missing/);
  });
});

describe("state keys", () => {
  it("keep the legacy key of jitsi-matrix without its leading slash, the other stacks beside it", () => {
    expect(stateKey("jitsi-matrix", "staging")).toBe("jitsi_matrix/staging/terraform.tfstate");
    expect(stateKey("networking", "staging")).toBe("jitsi_matrix/staging/networking.tfstate");
    expect(stateKey("secrets", "production")).toBe("jitsi_matrix/production/secrets.tfstate");
    for (const kind of ["jitsi-matrix", "networking", "secrets"] as const) {
      expect(stateKey(kind, "staging")).not.toMatch(/^\/|\/$/);
    }
  });
});
