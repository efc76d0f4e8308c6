import { Jitsi, JitsiProps } from "../../src/modules/jitsi";
import { JITSI_PROPS } from "../support/jitsi-props";
import { onlyResource, synthConstructs } from "../support/synth";

const props: JitsiProps = JITSI_PROPS;

type Rendered = { name: string; image: string; environment: { name: string; value: string }[]; secrets?: { name: string; valueFrom: string }[] } & Record<string, unknown>;

const containers = (overrides: Partial<JitsiProps> = {}): Record<string, Rendered> => {
  const { json } = synthConstructs((scope) => new Jitsi(scope, "jitsi", { ...props, ...overrides }));
  const list = JSON.parse(onlyResource(json, "aws_ecs_task_definition").container_definitions as string) as Rendered[];
  return Object.fromEntries(list.map((c) => [c.name, c]));
};
const envOf = (c: Rendered) => Object.fromEntries(c.environment.map((e) => [e.name, e.value]));

describe("Jitsi", () => {
  it("runs web, prosody, jicofo and jvb from one image tag", () => {
    const all = containers();
    expect(Object.keys(all)).toEqual(["web", "prosody", "jicofo", "jvb"]);
    for (const [name, c] of Object.entries(all)) expect(c.image).toBe(`jitsi/${name}:stable-9999`);
  });

  it("publishes web on 8000 for the load balancer and the JVB's media on UDP 10000", () => {
    const all = containers();
    expect(all.web.portMappings).toEqual(expect.arrayContaining([{ containerPort: 80, hostPort: 8000, protocol: "tcp" }]));
    expect(all.jvb.portMappings).toEqual(expect.arrayContaining([{ containerPort: 10000, hostPort: 10000, protocol: "udp" }]));
  });

  it("gives each container its passwords from SSM parameters, never as plain environment", () => {
    const all = containers();
    expect(all.prosody.secrets!.map((s) => s.name)).toEqual([
      "JIBRI_RECORDER_PASSWORD",
      "JIBRI_XMPP_PASSWORD",
      "JICOFO_AUTH_PASSWORD",
      "JIGASI_XMPP_PASSWORD",
      "JVB_AUTH_PASSWORD",
    ]);
    expect(all.jicofo.secrets).toEqual([{ name: "JICOFO_AUTH_PASSWORD", valueFrom: "/p/JICOFO_AUTH_PASSWORD" }]);
    expect(all.jvb.secrets).toEqual([{ name: "JVB_AUTH_PASSWORD", valueFrom: "/p/JVB_AUTH_PASSWORD" }]);
    for (const c of Object.values(all)) {
      expect(c.environment.filter((e) => /PASSWORD/.test(e.name))).toEqual([]);
    }
  });

  it("advertises the JVB address when one is given, and leaves discovery to STUN otherwise", () => {
    expect(envOf(containers({ jvbAdvertiseAddress: "203.0.113.7" }).jvb)).toMatchObject({
      JVB_ADVERTISE_IPS: "203.0.113.7",
      DOCKER_HOST_ADDRESS: "203.0.113.7",
    });
    const discovered = envOf(containers().jvb);
    expect(discovered).not.toHaveProperty("JVB_ADVERTISE_IPS");
    expect(discovered.JVB_STUN_SERVERS).toBeTruthy();
  });

  it("announces a TURN server through prosody, its shared secret from SSM, and none without one", () => {
    const all = containers({ turn: { host: "turn.example.org", port: 3478, tlsPort: 443, secretParameter: "/p/TURN_SHARED_SECRET" } });
    expect(envOf(all.prosody)).toMatchObject({ TURN_HOST: "turn.example.org", TURN_PORT: "3478", TURN_TRANSPORT: "udp,tcp", TURNS_HOST: "turn.example.org", TURNS_PORT: "443" });
    expect(all.prosody.secrets).toContainEqual({ name: "TURN_CREDENTIALS", valueFrom: "/p/TURN_SHARED_SECRET" });
    // Only prosody hands out TURN credentials; the clients learn the server from it.
    expect(Object.keys(envOf(all.web)).filter((name) => name.startsWith("TURN"))).toEqual([]);
    const without = containers().prosody;
    expect(Object.keys(envOf(without)).filter((name) => name.startsWith("TURN"))).toEqual([]);
    expect(without.secrets?.map((secret) => secret.name)).not.toContain("TURN_CREDENTIALS");
  });

  it("merges per-container environment over the defaults", () => {
    const all = containers({ environment: { jvb: { JVB_TCP_HARVESTER_DISABLED: "false" }, web: { DISABLE_HTTPS: "1" } } });
    expect(envOf(all.jvb).JVB_TCP_HARVESTER_DISABLED).toBe("false");
    expect(envOf(all.web)).toMatchObject({ DISABLE_HTTPS: "1", PUBLIC_URL: "https://meet.example.org" });
  });

  it("fails on environment for a container it does not have", () => {
    expect(() => containers({ environment: { jibri: { X: "1" } } })).toThrow(/jitsi\.environment: no container named jibri/);
  });

  it("registers the web container's port 80 with the target group and uses the execution role", () => {
    const { json } = synthConstructs((scope) => new Jitsi(scope, "jitsi", props));
    expect(onlyResource(json, "aws_ecs_service").load_balancer).toEqual([{ container_name: "web", container_port: 80, target_group_arn: "arn:tg-web" }]);
    expect(onlyResource(json, "aws_ecs_task_definition").execution_role_arn).toBe("arn:role");
  });
});
