import {
  checkEnvironment,
  EnvironmentInput,
  EnvironmentValidationError,
  LocatedProblem,
  parseEnvironment,
  parseEnvironments,
} from "../../src/environments";
import { production } from "../../src/environments/production";
import { staging } from "../../src/environments/staging";
import { instanceMemoryMiB, taskMemoryMiB } from "../../src/environments/instance-memory";
import { formatWaivers } from "../../src/environments/validate";
import { ENVIRONMENTS } from "../../src/environments";
import { BAD_ENVIRONMENTS, untyped } from "./bad-environments";
import { Draft, newEnvironment } from "./fixtures";

describe("parseEnvironment", () => {
  it("accepts the recipe's new environment, with no waiver and no warning", () => {
    const environment = newEnvironment();
    expect(checkEnvironment(environment)).toEqual({ errors: [], warnings: [], environment: parseEnvironment(environment) });
    // The schema's parse, not the input cast: the input with every default resolved, in an object of its own.
    const parsed = parseEnvironment(environment);
    expect(parsed).toMatchObject(environment);
    expect(parsed).not.toBe(environment);
    expect(environment.waivers).toBeUndefined();
  });

  it("resolves every default, from the constructs' constants and from other fields, and parses its own output to itself", () => {
    const parsed = parseEnvironment(newEnvironment());
    expect(parsed.loadBalancer).toMatchObject({ deletionProtection: true, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", rulePriorities: { element: 99, synapse: 100 } });
    expect(parsed.iam.taskExecutionRoleName).toBe("jitsi-matrix-cluster-dev-task-execution");
    expect(parsed.scaling).toMatchObject({ enabled: true, mode: "cpu", scaleOutCpuPercent: 75, scaleInCpuPercent: 25, jvbPerInstance: true, xmppLoadBalancerName: "jitsi-xmpp-dev" });
    expect(parsed.scaling.targetCapacityPercent).toBeUndefined();
    expect(parsed.alarms).toMatchObject({ enabled: true, topicName: "jitsi-matrix-dev-alarms", containerInsights: true, thresholds: { instanceCpuPercent: 75 } });
    expect(parsed.capacity).toMatchObject({ launchTemplate: true, requireImdsv2: true, healthCheckGracePeriod: 300 });
    expect(parseEnvironment(parsed)).toEqual(parsed);
    // A legacy environment's output parses to itself too: what it decided stays decided.
    const stagingParsed = parseEnvironment(staging, { onWarning: () => undefined });
    expect(parseEnvironment(stagingParsed, { onWarning: () => undefined })).toEqual(stagingParsed);
  });

  it.each([
    ["staging", staging],
    ["production", production],
  ])("accepts %s, the legacy values covered by its waivers", (_name, environment) => {
    expect(checkEnvironment(environment).errors).toEqual([]);
    expect(Object.keys(environment.waivers ?? {}).length).toBeGreaterThan(0);
  });

  it("warns, without failing, about the latest tags production keeps under a waiver, its PostgreSQL 9.6, and its tasks that do not fit on its one instance", () => {
    const warnings: LocatedProblem[] = [];
    parseEnvironment(production, { onWarning: (warning) => warnings.push(warning) });
    expect(warnings.map((warning) => warning.path)).toEqual(["capacity.minSize", "matrix.imageTags.postgres", "matrix.imageTags.synapse", "matrix.imageTags.element", "matrix.imageTags.redis"]);
    // The legacy jitsi task (with its JVB's 2048 MiB) and matrix task reserve 4096 MiB, more than one c5.large offers tasks.
    expect(warnings[0].message).toMatch(/^1 instance\(s\) of c5\.large offer 3686 MiB to tasks, but the jitsi and matrix tasks \(4096 MiB\) .*; raise capacity\.minSize/);
    expect(warnings[1].message).toMatch(/^"9.6" is PostgreSQL 9.6, past its upstream end of life \(2021-11-11\)/);
    expect(warnings[2].message).toMatch(/waived: pinned-image-tags\); pin a version tag/);
  });

  describe.each(BAD_ENVIRONMENTS)("refuses %s", (_rule, breakIt, path, gist) => {
    const environment = newEnvironment();
    breakIt(environment);
    const { errors } = checkEnvironment(environment);

    it(`at ${path}, saying what is wrong and how to fix it`, () => {
      const atPath = errors.filter((problem) => problem.path === path);
      expect(atPath.map((problem) => problem.message)).toContainEqual(expect.stringMatching(gist));
      // Every message has the fix after a semicolon.
      for (const problem of errors) expect(problem.message).toMatch(/; \S/);
    });

    it("by throwing one error that lists the problem", () => {
      expect(() => parseEnvironment(environment)).toThrow(EnvironmentValidationError);
      expect(() => parseEnvironment(environment)).toThrow(`  - ${path}: `);
    });
  });

  it("lists every problem of an environment in one error, each as path: what is wrong; fix", () => {
    const environment = newEnvironment();
    environment.loadBalancer.name = "jitsi-matrix-application-lb-dev-1";
    environment.capacity.minSize = 2;
    environment.network.subnets[1].cidrBlock = "10.20.0.0/23";
    untyped(environment.capacity, "desiredCapacity", "one");
    let thrown: unknown;
    try {
      parseEnvironment(environment);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EnvironmentValidationError);
    const error = thrown as EnvironmentValidationError;
    expect(error.problems.map((problem) => problem.path).sort()).toEqual([
      "capacity.desiredCapacity",
      "loadBalancer.name",
      "network.subnets[1].cidrBlock",
    ]);
    expect(error.message.split("\n")).toEqual([
      "3 problem(s) in 1 environment(s); fix them and synthesize again:",
      "environment dev:",
      expect.stringMatching(/^ {2}- network.subnets\[1\].cidrBlock: .* overlaps .*; give each subnet a range of its own$/),
      expect.stringMatching(/^ {2}- capacity.desiredCapacity: "one" is not a number; give a number$/),
      expect.stringMatching(/^ {2}- loadBalancer.name: "jitsi-matrix-application-lb-dev-1" has 33 characters, .*; shorten it/),
    ]);
  });

  it("keeps a latest tag an error in a new environment that declares a waiver for it, instead of a warning", () => {
    const environment = newEnvironment();
    environment.matrix.imageTags.synapse = "latest";
    environment.waivers = { "pinned-image-tags": "kept from the legacy deployment until its operators change it" };
    const { errors, warnings } = checkEnvironment(environment);
    expect(warnings).toEqual([]);
    expect(errors.map((problem) => problem.path)).toEqual(["matrix.imageTags.synapse", 'waivers["pinned-image-tags"]']);
  });

  it("gives no parsed environment with a problem, so nothing unchecked reaches a stack", () => {
    const broken = { ...newEnvironment(), efsFileSystemId: "not-a-file-system" };
    const check = checkEnvironment(broken);
    expect(check.errors.map((problem) => problem.path)).toContain("efsFileSystemId");
    expect(check.environment).toBeUndefined();
  });

  it("refuses what is not an environment at all", () => {
    expect(() => parseEnvironment("staging")).toThrow(/\(environment\): "staging" is not an object; give an object/);
  });
});

describe("parseEnvironments", () => {
  const renamed = (name: string, change: (env: Draft<EnvironmentInput>) => void = () => undefined) => {
    const environment = newEnvironment();
    environment.name = name;
    for (const key of ["loadBalancer", "instances", "efs"] as const) environment.securityGroups[key].name += `-${name}`;
    environment.loadBalancer.name = `alb-${name}`;
    environment.loadBalancer.targetGroupNames = { jitsi: `jitsi-${name}`, element: `element-${name}`, synapse: `synapse-${name}` };
    environment.iam = { instanceRoleName: `agent-${name}`, instanceProfileName: `agent-${name}` };
    environment.cluster.name = `cluster-${name}`;
    environment.capacity.autoScalingGroupName = `asg-${name}`;
    // A zone of its own: one zone ID has one name.
    environment.dns.hostedZoneName = `${name}.example.org`;
    environment.dns.hostedZoneId = `Z0${name.toUpperCase().replace(/[^0-9A-Z]/g, "")}ZONE000001`;
    for (const key of ["jitsi", "matrix", "element", "synapse"] as const) environment.dns.hosts[key] = `${key}.${name}.example.org`;
    // Its own directories on the shared file system.
    for (const volume of [...environment.jitsi.volumes, ...environment.matrix.volumes]) volume.rootDirectory = volume.rootDirectory.replace(/^\/dev\//, `/${name}/`);
    change(environment);
    return environment;
  };

  /** Subnets of a range of the shared VPC the first environment does not use. */
  const inFreeRange = (env: Draft<EnvironmentInput>) => {
    env.network.subnets[0].cidrBlock = "10.20.2.0/28";
    env.network.subnets[1].cidrBlock = "10.20.2.16/28";
  };

  it("accepts staging and production together, and environments that share a VPC without sharing names or ranges", () => {
    const [parsedStaging, parsedProduction] = parseEnvironments([staging, production], { onWarning: () => undefined });
    expect(parsedStaging).toMatchObject(staging);
    expect(parsedProduction).toMatchObject(production);
    const second = renamed("qa", (e) => (e.network.subnets = [
      { cidrBlock: "10.20.2.0/28", availabilityZone: "eu-west-1a", name: "qa-1" },
      { cidrBlock: "10.20.2.16/28", availabilityZone: "eu-west-1b", name: "qa-2" },
    ]));
    expect(() => parseEnvironments([newEnvironment(), second])).not.toThrow();
  });

  it.each<[string, Draft<EnvironmentInput>, string, RegExp]>([
    ["two environments with one name", renamed("dev"), "name", /"dev" is also the name of another environment/],
    ["overlapping subnets in one VPC", renamed("qa"), "network.subnets[0].cidrBlock", /overlaps environment dev's network.subnets\[0\].cidrBlock "10.20.1.0\/28" in the same VPC/],
    [
      "one load balancer name in one account",
      renamed("qa", (e) => {
        inFreeRange(e);
        e.loadBalancer.name = "jitsi-matrix-alb-dev";
      }),
      "loadBalancer.name",
      /is also environment dev's loadBalancer.name, in the same account/,
    ],
    [
      "one host name in two environments",
      renamed("qa", (e) => {
        e.network.vpcId = "vpc-0fedcba9876543210";
        e.dns.hostedZoneName = "dev.example.org";
        e.dns.hosts.jitsi = "jitsi.dev.example.org";
      }),
      "dns.hosts.jitsi",
      /is also environment dev's dns.hosts.jitsi; a host name can point at one load balancer only/,
    ],
    [
      "coturn's host name another environment's service's",
      renamed("qa", (e) => {
        e.network.vpcId = "vpc-0fedcba9876543210";
        e.dns.hostedZoneName = "dev.example.org";
        e.turn = { host: "jitsi.dev.example.org" };
      }),
      "turn.host",
      /"jitsi.dev.example.org" is also environment dev's dns.hosts.jitsi; a host name can point at one load balancer only/,
    ],
    [
      "one cluster name in one account and region, in another VPC",
      renamed("qa", (e) => {
        e.network.vpcId = "vpc-0fedcba9876543210";
        e.cluster.name = "jitsi-matrix-cluster-dev";
      }),
      "cluster.name",
      /is also environment dev's cluster.name, in the same account and region; AWS names must be unique there/,
    ],
    [
      "one IAM role name in one account, in another region",
      renamed("qa", (e) => {
        e.region = "eu-central-1";
        e.network.vpcId = "vpc-0fedcba9876543210";
        for (const [i, subnet] of e.network.subnets.entries()) subnet.availabilityZone = `eu-central-1${"ab"[i]}`;
        e.iam.instanceRoleName = newEnvironment().iam.instanceRoleName;
      }),
      "iam.instanceRoleName",
      /is also environment dev's iam.instanceRoleName, in the same account; AWS names must be unique there/,
    ],
    [
      "one derived task execution role name in one account: the cluster's name in another region",
      renamed("qa", (e) => {
        e.region = "eu-central-1";
        e.loadBalancer.certificateArn = e.loadBalancer.certificateArn.replace(":eu-west-1:", ":eu-central-1:");
        e.network.vpcId = "vpc-0fedcba9876543210";
        for (const [i, subnet] of e.network.subnets.entries()) subnet.availabilityZone = `eu-central-1${"ab"[i]}`;
        e.cluster.name = "jitsi-matrix-cluster-dev";
      }),
      "iam.taskExecutionRoleName",
      /"jitsi-matrix-cluster-dev-task-execution" is also environment dev's iam.taskExecutionRoleName, in the same account; AWS names must be unique there/,
    ],
    [
      "one RDS identifier in one account and region",
      renamed("qa", (e) => {
        inFreeRange(e);
        e.rds = { ...e.rds, identifier: "jitsi-matrix-dev" };
      }),
      "rds.identifier",
      /"jitsi-matrix-dev" is also environment dev's rds.identifier, in the same account and region; AWS names must be unique there/,
    ],
    [
      "one access log bucket name, even in another account: bucket names are global",
      renamed("qa", (e) => {
        e.accountId = "210987654321";
        e.loadBalancer.certificateArn = e.loadBalancer.certificateArn.replace(":123456789012:", ":210987654321:");
        e.network.vpcId = "vpc-0fedcba9876543210";
        e.accessLogs = { ...e.accessLogs, bucketName: "jitsi-matrix-dev-logs-123456789012" };
      }),
      "accessLogs.bucketName",
      /"jitsi-matrix-dev-logs-123456789012" is also environment dev's accessLogs.bucketName, and bucket names are unique in all of AWS/,
    ],
    [
      "one alarm topic name in one account and region",
      renamed("qa", (e) => {
        inFreeRange(e);
        e.alarms = { ...e.alarms, topicName: "jitsi-matrix-dev-alarms" };
      }),
      "alarms.topicName",
      /"jitsi-matrix-dev-alarms" is also environment dev's alarms.topicName, in the same account and region/,
    ],
    [
      "one hosted zone ID given with two zone names",
      renamed("qa", (e) => {
        inFreeRange(e);
        e.dns.hostedZoneId = newEnvironment().dns.hostedZoneId;
      }),
      "dns.hostedZoneName",
      /"qa.example.org" is the name this environment gives hosted zone \S+, which environment dev names "dev.example.org"; one zone has one name/,
    ],
    [
      "PostgreSQL's data directory on one file system",
      renamed("qa", (e) => {
        e.network.vpcId = "vpc-0fedcba9876543210";
        e.matrix.volumes[1].rootDirectory = "/dev/matrix/postgres/data";
      }),
      "matrix.volumes[1].rootDirectory",
      /"\/dev\/matrix\/postgres\/data" on file system fs-0123456789abcdef0 is also .* environment dev's matrix.volumes\[1\].rootDirectory/,
    ],
    [
      "a directory holding another environment's data directory",
      renamed("qa", (e) => {
        e.network.vpcId = "vpc-0fedcba9876543210";
        e.matrix.volumes[0].rootDirectory = "/dev/matrix";
      }),
      "matrix.volumes[0].rootDirectory",
      /"\/dev\/matrix" on file system .* environment dev's matrix.volumes\[0\].rootDirectory "\/dev\/matrix\/synapse"/,
    ],
  ])("refuses %s, naming the other environment", (_rule, second, path, gist) => {
    let thrown: unknown;
    try {
      parseEnvironments([newEnvironment(), second]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EnvironmentValidationError);
    const problems = (thrown as EnvironmentValidationError).problems;
    expect(problems).toContainEqual({ environment: expect.any(String), path, message: expect.stringMatching(gist) });
  });

  it("accepts the same names in other accounts, names AWS scopes by region in other regions, and one file system with distinct directories", () => {
    const otherAccount = renamed("qa", (e) => {
      e.accountId = "210987654321";
      e.network.vpcId = "vpc-0fedcba9876543210";
      e.loadBalancer.certificateArn = e.loadBalancer.certificateArn.replace(/:\d{12}:/, ":210987654321:");
      e.cluster.name = "jitsi-matrix-cluster-dev";
      e.iam.instanceRoleName = newEnvironment().iam.instanceRoleName;
      for (const volume of e.matrix.volumes) volume.rootDirectory = volume.rootDirectory.replace(/^\/qa\//, "/dev/");
    });
    expect(() => parseEnvironments([newEnvironment(), otherAccount], { onWarning: () => undefined })).not.toThrow();
    const otherRegion = renamed("qa", (e) => {
      e.region = "eu-central-1";
      e.loadBalancer.certificateArn = e.loadBalancer.certificateArn.replace(":eu-west-1:", ":eu-central-1:");
      e.network.vpcId = "vpc-0fedcba9876543210";
      for (const [i, subnet] of e.network.subnets.entries()) subnet.availabilityZone = `eu-central-1${"ab"[i]}`;
      e.cluster.name = "jitsi-matrix-cluster-dev";
      // The role its tasks start with is an IAM name, unique in the account: the cluster's name would derive dev's.
      e.iam.taskExecutionRoleName = "jitsi-matrix-cluster-dev-eu-central-1-task-execution";
    });
    expect(() => parseEnvironments([newEnvironment(), otherRegion], { onWarning: () => undefined })).not.toThrow();
  });

  it("reports the problems of every environment in one error", () => {
    const first = newEnvironment();
    first.capacity.minSize = 5;
    const second = renamed("qa", (e) => {
      e.network.subnets[0].cidrBlock = "10.20.2.0/28";
      e.network.subnets[1].cidrBlock = "10.20.2.16/28";
      e.loadBalancer.name = "x".repeat(40);
    });
    expect(() => parseEnvironments([first, second])).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/environment dev:\n {2}- capacity.minSize: [^\n]*\nenvironment qa:\n {2}- loadBalancer.name: /),
      }),
    );
  });
});

describe("formatWaivers", () => {
  it("lists every waiver an environment declares as environment: rule — reason, and none of an environment without", () => {
    const listing = formatWaivers(parseEnvironments(ENVIRONMENTS, { onWarning: () => undefined }));
    const declared = ENVIRONMENTS.flatMap((environment) =>
      Object.entries(environment.waivers ?? {}).map(([rule, reason]) => `${environment.name}: ${rule} — ${reason}`),
    );
    expect(declared.length).toBeGreaterThan(0);
    for (const line of declared) expect(listing).toContain(`  - ${line}`);
    expect(listing.split("\n").slice(1)).toEqual(declared.map((line) => `  - ${line}`));
    expect(listing).not.toMatch(/^ {2}- dev:/m);
    expect(formatWaivers([parseEnvironment(newEnvironment())])).toBe("Security baseline waivers in force: none.");
  });
});

describe("instance memory", () => {
  it.each([
    ["c5a.large", 4096],
    ["c5.xlarge", 8192],
    ["m5.2xlarge", 32768],
    ["r6i.large", 16384],
    ["t3.medium", 4096],
    ["c6g.medium", 2048],
  ])("knows that a %s has %i MiB", (type, mib) => {
    expect(instanceMemoryMiB(type)).toBe(mib);
  });

  it("does not guess types whose memory does not follow from the name", () => {
    expect(instanceMemoryMiB("c5n.large")).toBeUndefined();
    expect(instanceMemoryMiB("c4.large")).toBeUndefined();
    expect(instanceMemoryMiB("m5.metal")).toBeUndefined();
    expect(taskMemoryMiB("x1e.weird")).toBeUndefined();
  });

  it("leaves room for the OS and the ECS agent", () => {
    expect(taskMemoryMiB("c5a.large")).toBe(3686);
    expect(taskMemoryMiB("c5n.large", 5376)).toBe(4838);
  });

  it.each(["c5n.large", "c4.large", "m5.metal", "x2idn.16xlarge"])("never skips %s silently: an error for a new environment, a warning for a legacy one", (type) => {
    const fresh = newEnvironment();
    fresh.capacity.instanceType = type;
    expect(checkEnvironment(fresh).errors).toEqual([
      { path: "capacity.instanceType", message: expect.stringMatching(new RegExp(`does not know how much memory a "${type.replace(".", "\\.")}" has.*capacity.instanceMemoryMiB$`)) },
    ]);
    const legacy = structuredClone(staging) as Draft<EnvironmentInput>;
    legacy.capacity.instanceType = type;
    const check = checkEnvironment(legacy);
    expect(check.errors).toEqual([]);
    expect(check.warnings).toContainEqual({ path: "capacity.instanceType", message: expect.stringMatching(/does not know how much memory/) });
  });

  it("checks the tasks against the memory given for a type it does not know, and then says nothing of the type", () => {
    const environment = newEnvironment();
    Object.assign(environment.capacity, { instanceType: "c5n.large", instanceMemoryMiB: 5376 });
    expect(checkEnvironment(environment)).toEqual({ errors: [], warnings: [], environment: expect.objectContaining({ capacity: expect.objectContaining(environment.capacity) }) });
  });
});
