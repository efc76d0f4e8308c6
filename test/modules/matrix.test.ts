import { Matrix, MatrixProps } from "../../src/modules/matrix";
import { PostgresUpgrade } from "../../src/modules/postgres-upgrade";
import { onlyResource, synthConstructs } from "../support/synth";

const volumes = [
  { name: "matrix-synapse-data", fileSystemId: "fs-1", rootDirectory: "/matrix/synapse" },
  { name: "matrix-postres-data", fileSystemId: "fs-1", rootDirectory: "/matrix/postgres/data" },
  { name: "matrix-element-data", fileSystemId: "fs-1", rootDirectory: "/matrix/element" },
];
const props: MatrixProps = {
  clusterArn: "arn:cluster",
  serviceName: "matrix-service",
  taskFamily: "matrix-task",
  imageTags: { synapse: "v1.53.0", element: "v1.10.6", postgres: "14.2", redis: "6.2.6" },
  volumes,
  postgresPasswordParameter: "/p/POSTGRES_PASSWORD",
  executionRoleArn: "arn:role",
  synapseTargetGroupArn: "arn:tg-synapse",
  elementTargetGroupArn: "arn:tg-element",
};

type Rendered = Record<string, unknown> & { name: string };
const containersOf = (json: ReturnType<typeof synthConstructs>["json"]): Record<string, Rendered> =>
  Object.fromEntries(
    (JSON.parse(onlyResource(json, "aws_ecs_task_definition").container_definitions as string) as Rendered[]).map((c) => [c.name, c]),
  );

describe("Matrix", () => {
  const json = (overrides: Partial<MatrixProps> = {}) =>
    synthConstructs((scope) => new Matrix(scope, "matrix", { ...props, ...overrides })).json;

  it("runs synapse, element, postgres and redis with the environment's image tags and 256 MiB each by default", () => {
    const all = containersOf(json());
    expect(Object.keys(all)).toEqual(["synapse", "element", "postgres", "redis"]);
    expect(all.synapse).toMatchObject({ image: "matrixdotorg/synapse:v1.53.0", memory: 256 });
    expect(all.element).toMatchObject({ image: "vectorim/element-web:v1.10.6" });
    expect(all.postgres).toMatchObject({ image: "postgres:14.2", hostname: "postgres" });
    expect(all.redis).toMatchObject({ image: "redis:6.2.6", hostname: "redis" });
    expect(containersOf(json({ containerMemory: 128 })).redis).toMatchObject({ memory: 128 });
    const synapseOwn = containersOf(json({ containerMemory: 128, synapseMemory: 1024 }));
    expect([synapseOwn.synapse.memory, synapseOwn.element.memory, synapseOwn.redis.memory]).toEqual([1024, 128, 128]);
  });

  it("runs postgres and redis read-only when asked, their writable paths in memory, and the other two writable", () => {
    const all = containersOf(json({ readOnlyRootFilesystems: true }));
    expect(all.postgres).toMatchObject({
      readonlyRootFilesystem: true,
      linuxParameters: { tmpfs: [{ containerPath: "/var/run/postgresql", size: 16 }, { containerPath: "/tmp", size: 64 }] },
    });
    expect(all.redis).toMatchObject({ readonlyRootFilesystem: true, linuxParameters: { tmpfs: [{ containerPath: "/data", size: 64 }] } });
    expect(all.synapse).not.toHaveProperty("readonlyRootFilesystem");
    // Off, as the legacy tasks have it, neither key is written at all.
    expect(containersOf(json()).postgres).not.toHaveProperty("readonlyRootFilesystem");
    expect(containersOf(json()).redis).not.toHaveProperty("linuxParameters");
  });

  it("runs exactly the image a pinned tag names, by its digest, and the tag of the others", () => {
    const digest = `sha256:${"1".repeat(64)}`;
    const all = containersOf(json({ imageTags: { ...props.imageTags, synapse: `latest@${digest}` } }));
    expect(all.synapse).toMatchObject({ image: `matrixdotorg/synapse@${digest}` });
    expect(all.element).toMatchObject({ image: "vectorim/element-web:v1.10.6" });
  });

  it("starts synapse after postgres, linked to postgres and redis", () => {
    expect(containersOf(json()).synapse).toMatchObject({
      links: ["postgres:postgres", "redis:redis"],
      dependsOn: [{ containerName: "postgres", condition: "START" }],
    });
  });

  it("gives postgres its password from SSM and checks it with pg_isready", () => {
    const postgres = containersOf(json()).postgres;
    expect(postgres.secrets).toEqual([{ name: "POSTGRES_PASSWORD", valueFrom: "/p/POSTGRES_PASSWORD" }]);
    expect(postgres.environment).not.toContainEqual(expect.objectContaining({ name: "POSTGRES_PASSWORD" }));
    expect(postgres.healthCheck).toEqual({ command: ["CMD-SHELL", "pg_isready"], interval: 10, timeout: 5, retries: 5, startPeriod: 5 });
  });

  it("registers element's port 80 and synapse's 8008 with their target groups", () => {
    expect(onlyResource(json(), "aws_ecs_service").load_balancer).toEqual([
      { container_name: "element", container_port: 80, target_group_arn: "arn:tg-element" },
      { container_name: "synapse", container_port: 8008, target_group_arn: "arn:tg-synapse" },
    ]);
  });
});

describe("PostgresUpgrade", () => {
  const { json } = synthConstructs(
    (scope) =>
      new PostgresUpgrade(scope, "postgres_upgrade", {
        clusterArn: "arn:cluster",
        dataVolume: volumes[1],
        postgresPasswordParameter: "/p/POSTGRES_PASSWORD",
        executionRoleArn: "arn:role",
      }),
  );

  it("runs a lone postgres of a supported major (17.7 unless the environment says otherwise) on the matrix data volume, as the legacy switch did", () => {
    const all = containersOf(json);
    expect(Object.keys(all)).toEqual(["postgres"]);
    expect(all.postgres).toMatchObject({ image: "postgres:17.7", memory: 128 });
    expect(onlyResource(json, "aws_ecs_task_definition")).toMatchObject({
      family: "postgres-upgrade-task",
      volume: [expect.objectContaining({ name: "matrix-postres-data" })],
    });
  });

  it("is a service without a load balancer", () => {
    const service = onlyResource(json, "aws_ecs_service");
    expect(service.name).toBe("postgres-upgrade-service");
    expect(service.load_balancer).toEqual([]);
  });
});
