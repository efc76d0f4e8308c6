import { generatedEnvironments } from "../../tools/bench/generated-environments";
import { parseEnvironments } from "../../src/environments";
import { dev } from "../../src/environments/dev";
import { staging } from "../../src/environments/staging";

describe("the benchmark's generated environments", () => {
  const environments = generatedEnvironments(staging, 20);

  it("pass the same validation as real ones, together", () => {
    expect(() => parseEnvironments(environments, { onWarning: () => undefined })).not.toThrow();
  });

  it("are distinct: names, subnets, load balancers, clusters and host names", () => {
    const distinct = (values: string[]) => new Set(values).size;
    expect(environments.map((e) => e.name)).toEqual(Array.from({ length: 20 }, (_, i) => `bench${String(i + 1).padStart(2, "0")}`));
    expect(distinct(environments.flatMap((e) => e.network.subnets.map((s) => s.cidrBlock)))).toBe(40);
    expect(distinct(environments.map((e) => e.loadBalancer.name))).toBe(20);
    expect(distinct(environments.map((e) => e.cluster.name))).toBe(20);
    expect(distinct(environments.flatMap((e) => Object.values(e.dns.hosts)))).toBe(80);
    expect(environments[6]).toMatchObject({
      name: "bench07",
      tags: expect.objectContaining({ Environment: "Bench07" }),
      cluster: { name: "jitsi-matrix-cluster-bench07" },
      network: { subnets: [expect.objectContaining({ cidrBlock: "172.31.106.0/28" }), expect.objectContaining({ cidrBlock: "172.31.106.16/28" })] },
    });
    expect(JSON.stringify(environments)).not.toContain("staging");
  });

  it("can be made from dev, whose options are all on, with subnets inside dev's VPC", () => {
    const fromDev = generatedEnvironments(dev, 20);
    expect(() => parseEnvironments(fromDev, { onWarning: () => undefined })).not.toThrow();
    expect(fromDev[6].network.subnets.map((s) => s.cidrBlock)).toEqual(["10.40.106.0/28", "10.40.106.16/28"]);
    expect(JSON.stringify(fromDev)).not.toMatch(/\bdev\b|-dev\b/i);
  });

  it("refuses a template whose VPC is too small for a /24 per environment", () => {
    const small = { ...dev, network: { ...dev.network, vpcCidrBlock: "10.40.0.0/20" } };
    expect(() => generatedEnvironments(small, 2)).toThrow(/dev's network.vpcCidrBlock "10.40.0.0\/20" is not a \/16 or larger/);
  });

  it("refuses a count it cannot give subnets for", () => {
    expect(() => generatedEnvironments(staging, 0)).toThrow(/count 0 is not between 1 and 155/);
  });
});
