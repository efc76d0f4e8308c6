import { execFileSync, spawnSync } from "child_process";
import { mkdtempSync, readFileSync, statSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { Matrix, MatrixProps } from "../../src/modules/matrix";
import { synapseSettings, SYNAPSE_SETTINGS_FILE } from "../../src/modules/synapse-settings";
import { onlyResource, synthConstructs } from "../support/synth";

const turn = { host: "turn.example.org", port: 3478, tlsPort: 443, secretParameter: "/jitsi-matrix/dev/TURN_SHARED_SECRET" };
const smtp = { host: "smtp.example.org", port: 587, user: "mailer", passwordParameter: "/mail/SMTP_PASSWORD", notifFrom: "Matrix <noreply@example.org>" };

const props: MatrixProps = {
  clusterArn: "arn:cluster",
  serviceName: "matrix-service",
  taskFamily: "matrix-task",
  imageTags: { synapse: "v1.143.0", element: "v1.12.5", postgres: "17.7", redis: "7.4.1" },
  volumes: ["matrix-synapse-data", "matrix-postres-data", "matrix-element-data"].map((name) => ({ name, fileSystemId: "fs-1", rootDirectory: `/${name}` })),
  postgresPasswordParameter: "/p/POSTGRES_PASSWORD",
  executionRoleArn: "arn:role",
  synapseTargetGroupArn: "arn:tg-synapse",
  elementTargetGroupArn: "arn:tg-element",
};

type Container = { name: string; command?: string[]; entryPoint?: string[]; environment: { name: string; value: string }[]; secrets?: { name: string; valueFrom: string }[]; dependsOn?: unknown[]; mountPoints: unknown[]; essential: boolean };
const taskOf = (overrides: Partial<MatrixProps>) => {
  const { json } = synthConstructs((scope) => new Matrix(scope, "matrix", { ...props, ...overrides }));
  const task = onlyResource(json, "aws_ecs_task_definition");
  return { containers: JSON.parse(task.container_definitions as string) as Container[], volumes: task.volume as { name: string }[] };
};

describe("Synapse's settings from the stacks", () => {
  it("are none without TURN or SMTP, and the task stays the legacy one", () => {
    expect(synapseSettings({})).toBeUndefined();
    const { containers, volumes } = taskOf({});
    expect(containers.map((c) => c.name)).toEqual(["synapse", "element", "postgres", "redis"]);
    expect(containers[0]).not.toHaveProperty("command");
    expect(volumes.map((v) => v.name)).toEqual(["matrix-synapse-data", "matrix-postres-data", "matrix-element-data"]);
  });

  it("give Synapse the TURN server's URIs and its shared secret, by reference to its parameter", () => {
    const settings = synapseSettings({ turn })!;
    expect(settings.settings).toEqual({
      turn_uris: ["turn:turn.example.org:3478?transport=udp", "turn:turn.example.org:3478?transport=tcp", "turns:turn.example.org:443?transport=tcp"],
      turn_shared_secret: { $env: "TURN_SHARED_SECRET" },
    });
    expect(settings.secrets).toEqual({ TURN_SHARED_SECRET: turn.secretParameter });
  });

  it("give Synapse its SMTP relay, STARTTLS required, or TLS from the first byte on 465", () => {
    expect(synapseSettings({ smtp })!.settings.email).toEqual({
      smtp_host: "smtp.example.org",
      smtp_port: 587,
      smtp_user: "mailer",
      smtp_pass: { $env: "SMTP_PASSWORD" },
      require_transport_security: true,
      notif_from: "Matrix <noreply@example.org>",
      enable_notifs: true,
    });
    expect(synapseSettings({ smtp: { ...smtp, port: 465 } })!.settings.email).toMatchObject({ force_tls: true });
    expect(synapseSettings({ smtp: { host: "relay.internal", port: 25, notifFrom: "m@example.org" } })!.secrets).toEqual({});
  });

  it("reach Synapse through a one-shot writer in a volume of the task alone, Synapse reading both files in order", () => {
    const { containers, volumes } = taskOf({ synapseSettings: synapseSettings({ turn, smtp }) });
    const synapse = containers.find((c) => c.name === "synapse")!;
    const writer = containers.find((c) => c.name === "synapse-settings")!;
    expect(synapse.command).toEqual(["run", "--config-path", "/data/homeserver.yaml", "--config-path", SYNAPSE_SETTINGS_FILE]);
    expect(synapse.dependsOn).toContainEqual({ containerName: "synapse-settings", condition: "SUCCESS" });
    expect(synapse.mountPoints).toContainEqual({ sourceVolume: "synapse-settings", containerPath: "/synapse-settings", readOnly: true });
    expect(writer).toMatchObject({ essential: false, entryPoint: ["python", "-c"] });
    // The passwords come through ECS's secrets; the task definition holds only their parameters' names.
    expect(writer.secrets).toEqual([
      { name: "SMTP_PASSWORD", valueFrom: "/mail/SMTP_PASSWORD" },
      { name: "TURN_SHARED_SECRET", valueFrom: turn.secretParameter },
    ]);
    expect(JSON.stringify(containers)).not.toMatch(/s3cret/);
    // A Docker volume of the task, not EFS: the file with the passwords ends with the task.
    expect(volumes.find((v) => v.name === "synapse-settings")).toEqual({ name: "synapse-settings" });
  });

  const python = spawnSync("python3", ["--version"]).status === 0;
  (python ? it : it.skip)("are written by the writer's program with the secrets filled in, readable by one user only (needs python3)", () => {
    const { containers } = taskOf({ synapseSettings: synapseSettings({ turn, smtp }) });
    const writer = containers.find((c) => c.name === "synapse-settings")!;
    const file = path.join(mkdtempSync(path.join(tmpdir(), "synapse-settings-")), "stack.yaml");
    const environment = Object.fromEntries(writer.environment.map((v) => [v.name, v.value]));
    execFileSync("python3", ["-c", writer.command![0]], {
      env: { ...environment, SYNAPSE_SETTINGS_FILE: file, TURN_SHARED_SECRET: "s3cret-turn", SMTP_PASSWORD: "s3cret-mail" },
    });
    const written = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    expect(written.turn_shared_secret).toBe("s3cret-turn");
    expect(written.email).toMatchObject({ smtp_pass: "s3cret-mail", smtp_host: "smtp.example.org" });
    expect(written.turn_uris).toHaveLength(3);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
