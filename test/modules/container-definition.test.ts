import { renderContainerDefinitions, toEcsContainerDefinition } from "../../src/modules/container-definition";

describe("container definitions", () => {
  it("applies the ECS defaults a legacy task carried: cpu 0, essential, tcp, host port = container port", () => {
    const rendered = toEcsContainerDefinition({
      name: "redis",
      image: "redis:6.2.6",
      memory: 128,
      portMappings: [{ containerPort: 6379 }],
    });
    expect(rendered).toMatchObject({
      cpu: 0,
      essential: true,
      memory: 128,
      portMappings: [{ containerPort: 6379, hostPort: 6379, protocol: "tcp" }],
      links: [],
      mountPoints: [],
      environment: [],
    });
    expect(JSON.parse(JSON.stringify(rendered))).not.toHaveProperty("secrets");
  });

  it("renders environment and secrets sorted by name, secrets as valueFrom parameters", () => {
    const rendered = toEcsContainerDefinition({
      name: "prosody",
      image: "jitsi/prosody:stable-6865",
      memory: 256,
      environment: { XMPP_DOMAIN: "meet.jitsi", ENABLE_LOBBY: "1" },
      secrets: { JVB_AUTH_PASSWORD: "/p/JVB", JICOFO_AUTH_PASSWORD: "/p/JICOFO" },
    });
    expect(rendered.environment).toEqual([
      { name: "ENABLE_LOBBY", value: "1" },
      { name: "XMPP_DOMAIN", value: "meet.jitsi" },
    ]);
    expect(rendered.secrets).toEqual([
      { name: "JICOFO_AUTH_PASSWORD", valueFrom: "/p/JICOFO" },
      { name: "JVB_AUTH_PASSWORD", valueFrom: "/p/JVB" },
    ]);
  });

  it("keeps a soft memory reservation without a hard limit", () => {
    const rendered = JSON.parse(
      renderContainerDefinitions([{ name: "jvb", image: "jitsi/jvb:stable-6865", memoryReservation: 1024 }]),
    );
    expect(rendered[0]).toMatchObject({ memoryReservation: 1024 });
    expect(rendered[0]).not.toHaveProperty("memory");
  });

  it("fails when a container has neither memory nor memoryReservation", () => {
    expect(() => toEcsContainerDefinition({ name: "web", image: "jitsi/web:stable-6865" })).toThrow(
      /container "web": neither memory nor memoryReservation/,
    );
  });

  it("fails when two containers of a task share a name", () => {
    const web = { name: "web", image: "jitsi/web:stable-6865", memory: 256 };
    expect(() => renderContainerDefinitions([web, web])).toThrow(/container "web" is defined twice/);
  });
});
