import { checkEnvironment, formatProblem } from "../../src/environments/validate";
import { environmentAccountId } from "../../src/environments/account";
import { production, staging } from "../support/environments";

describe("environmentAccountId", () => {
  const certificate = (account: string, partition = "aws") => `arn:${partition}:acm:eu-west-1:${account}:certificate/00000000-0000-4000-8000-000000000001`;

  it("is the explicit accountId when the environment gives one", () => {
    expect(environmentAccountId({ accountId: "111122223333", loadBalancer: { ...staging.loadBalancer, certificateArn: certificate("111122223333") } })).toBe(
      "111122223333",
    );
  });

  it("is the account of the load balancer's certificate otherwise, in any partition", () => {
    expect(environmentAccountId(staging)).toBe("755952719952");
    expect(environmentAccountId(production)).toBe("123456789012");
    expect(environmentAccountId({ loadBalancer: { ...staging.loadBalancer, certificateArn: certificate("444455556666", "aws-cn") } })).toBe("444455556666");
  });

  it("is undefined when neither names an account, so the caller falls back rather than guessing", () => {
    expect(environmentAccountId({ loadBalancer: { ...staging.loadBalancer, certificateArn: "arn:aws:acm:eu-west-1:certificate/x" } })).toBeUndefined();
  });
});

describe("an accountId that disagrees with the certificate", () => {
  it("staging and production, whose account comes from the certificate, validate", () => {
    expect(checkEnvironment(staging).errors).toEqual([]);
    expect(checkEnvironment(production).errors).toEqual([]);
  });

  it("is an error naming the field, both accounts and the fix", () => {
    const { errors } = checkEnvironment({ ...staging, accountId: "111122223333" });
    expect(errors.map(formatProblem)).toEqual([
      expect.stringMatching(
        /^loadBalancer\.certificateArn: the certificate belongs to account 755952719952, not to the environment's account 111122223333; use a certificate of account 111122223333/,
      ),
    ]);
  });
});
