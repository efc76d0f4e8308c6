import { Jitsi, JitsiProps } from "../../src/modules/jitsi";
import { JvbDaemon, JvbDaemonProps } from "../../src/modules/jvb-daemon";
import { XmppLoadBalancer, XmppLoadBalancerProps } from "../../src/modules/xmpp-load-balancer";
import { JITSI_PROPS } from "../support/jitsi-props";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

const daemonProps: JvbDaemonProps = {
  clusterArn: "arn:cluster",
  serviceName: "jvb-service",
  taskFamily: "jvb-task",
  imageTag: "stable-9999",
  publicUrl: "https://meet.example.org",
  xmppServer: "xmpp-nlb.example.internal",
  jvbAuthPasswordParameter: "/p/JVB_AUTH_PASSWORD",
  executionRoleArn: "arn:role",
};

const jitsiProps: JitsiProps = JITSI_PROPS;

const lbProps: XmppLoadBalancerProps = {
  name: "jitsi-xmpp-staging",
  vpcId: "vpc-1",
  subnetIds: ["subnet-a", "subnet-b"],
  instanceSecurityGroupId: "sg-instances",
};

type Rendered = { name: string; environment: { name: string; value: string }[]; [key: string]: any };
const envOf = (c: Rendered) => Object.fromEntries(c.environment.map((e) => [e.name, e.value]));
const taskContainers = (json: ReturnType<typeof synthConstructs>["json"]) =>
  JSON.parse(onlyResource(json, "aws_ecs_task_definition").container_definitions as string) as Rendered[];

const daemon = (overrides: Partial<JvbDaemonProps> = {}) =>
  synthConstructs((scope) => new JvbDaemon(scope, "jvb", { ...daemonProps, ...overrides })).json;

describe("JvbDaemon", () => {
  it("runs one bridge on every container instance: a DAEMON service on EC2, no desired count", () => {
    const service = onlyResource(daemon(), "aws_ecs_service");
    expect(service).toMatchObject({
      name: "jvb-service",
      scheduling_strategy: "DAEMON",
      launch_type: "EC2",
      deployment_minimum_healthy_percent: 0,
      deployment_maximum_percent: 100,
      task_definition: "${aws_ecs_task_definition.jvb_task_definition.arn}",
    });
    expect(service).not.toHaveProperty("desired_count");
    expect(service).not.toHaveProperty("load_balancer");
  });

  it("publishes the media on the instance's UDP 10000 and TCP 4443", () => {
    const [jvb] = taskContainers(daemon());
    expect(jvb.portMappings).toEqual([
      { containerPort: 10000, hostPort: 10000, protocol: "udp" },
      { containerPort: 4443, hostPort: 4443, protocol: "tcp" },
    ]);
  });

  it("learns its public address through its STUN servers, with the image's own entry point, never from the instance metadata service", () => {
    const [jvb] = taskContainers(daemon());
    expect(jvb.entryPoint).toBeUndefined();
    expect(jvb.command).toBeUndefined();
    expect(envOf(jvb).JVB_STUN_SERVERS).toBe("meet-jit-si-turnrelay.jitsi.net:443");
    expect(envOf(jvb)).not.toHaveProperty("JVB_ADVERTISE_IPS");
    expect(JSON.stringify(onlyResource(daemon(), "aws_ecs_task_definition"))).not.toContain("169.254.169.254");
  });

  it("reaches prosody through xmppServer and reads its password from SSM, never from the environment", () => {
    const [jvb] = taskContainers(daemon());
    expect(envOf(jvb).XMPP_SERVER).toBe("xmpp-nlb.example.internal");
    expect(jvb.secrets).toEqual([{ name: "JVB_AUTH_PASSWORD", valueFrom: "/p/JVB_AUTH_PASSWORD" }]);
    expect(onlyResource(daemon(), "aws_ecs_task_definition")).toMatchObject({ execution_role_arn: "arn:role", requires_compatibilities: ["EC2"] });
  });

  it("configures the bridge exactly as the jitsi task's jvb container, but for the XMPP server", () => {
    const inTask = taskContainers(synthConstructs((scope) => new Jitsi(scope, "jitsi", jitsiProps)).json).find((c) => c.name === "jvb")!;
    const [own] = taskContainers(daemon());
    const { XMPP_SERVER: _a, ...inTaskEnv } = envOf(inTask);
    const { XMPP_SERVER: _b, ENABLE_COLIBRI_WEBSOCKET: _c, ...ownEnv } = envOf(own);
    expect(ownEnv).toEqual(inTaskEnv);
    expect(own.image).toBe(inTask.image);
    expect(own.memoryReservation).toBe(inTask.memoryReservation);
  });

  it("keeps the bridge channel off websockets itself, which the web container could only proxy to a bridge in its own task", () => {
    expect(envOf(taskContainers(daemon())[0]).ENABLE_COLIBRI_WEBSOCKET).toBe("0");
    expect(envOf(taskContainers(daemon({ environment: { ENABLE_COLIBRI_WEBSOCKET: "0" } }))[0]).ENABLE_COLIBRI_WEBSOCKET).toBe("0");
    expect(() => daemon({ environment: { ENABLE_COLIBRI_WEBSOCKET: "1" } })).toThrow(
      'environment.ENABLE_COLIBRI_WEBSOCKET: "1" cannot work with a JVB on every instance',
    );
  });

  it("refuses environment variables it sets itself, and a reservation the JVB cannot run in", () => {
    expect(() => daemon({ environment: { JVB_ADVERTISE_IPS: "1.2.3.4" } })).toThrow("environment: JVB_ADVERTISE_IPS set, which the JVB daemon sets itself");
    expect(() => daemon({ memoryReservation: 64 })).toThrow("memoryReservation: 64 is not a reservation the JVB runs in");
  });
});

describe("XmppLoadBalancer", () => {
  const build = (overrides: Partial<XmppLoadBalancerProps> = {}) => {
    let built: XmppLoadBalancer | undefined;
    const { json } = synthConstructs((scope) => {
      built = new XmppLoadBalancer(scope, "xmpp", { ...lbProps, ...overrides });
    });
    return { json, built: built! };
  };

  it("is an internal network load balancer across the instances' zones, with its own security group", () => {
    expect(onlyResource(build().json, "aws_lb")).toMatchObject({
      name: "jitsi-xmpp-staging",
      load_balancer_type: "network",
      internal: true,
      subnets: ["subnet-a", "subnet-b"],
      security_groups: ["${aws_security_group.xmpp_security_group.id}"],
      enable_cross_zone_load_balancing: true,
      enable_deletion_protection: true,
    });
  });

  it("forwards TCP 5222 to prosody's instance without preserving the client address, so a JVB on that instance can connect too", () => {
    const { json } = build();
    expect(onlyResource(json, "aws_lb_target_group")).toMatchObject({
      port: 5222,
      protocol: "TCP",
      target_type: "instance",
      preserve_client_ip: "false",
      health_check: { protocol: "TCP" },
    });
    expect(onlyResource(json, "aws_lb_listener")).toMatchObject({
      port: 5222,
      protocol: "TCP",
      tcp_idle_timeout_seconds: 3600,
      default_action: [{ type: "forward", target_group_arn: "${aws_lb_target_group.xmpp_target_group.arn}" }],
    });
  });

  it("lets only the instances reach it, and hands out the one rule the instances' group needs", () => {
    const { json, built } = build();
    expect(onlyResource(json, "aws_vpc_security_group_ingress_rule")).toMatchObject({
      security_group_id: "${aws_security_group.xmpp_security_group.id}",
      referenced_security_group_id: "sg-instances",
      ip_protocol: "tcp",
      from_port: 5222,
      to_port: 5222,
    });
    expect(onlyResource(json, "aws_vpc_security_group_egress_rule")).toMatchObject({ referenced_security_group_id: "sg-instances", from_port: 5222 });
    const [description, rule] = Object.entries(built.instanceIngress)[0];
    expect(description).toBe("prosody xmpp from the jvb load balancer");
    expect(rule).toMatchObject({ protocol: "tcp", fromPort: 5222 });
    expect(rule.securityGroupIds).toHaveLength(1);
    expect(rule.cidrBlocks).toBeUndefined();
  });

  it.each([
    [{ name: "a-name-that-is-longer-than-32-characters" }, 'name: "a-name-that-is-longer-than-32-characters" is not a load balancer name'],
    [{ targetGroupName: "internal-xmpp" }, 'targetGroupName: "internal-xmpp" is not a load balancer name'],
    [{ subnetIds: [] }, "subnetIds: [] is empty"],
    [{ idleTimeoutSeconds: 30 }, "idleTimeoutSeconds: 30 is out of range"],
  ] as [Partial<XmppLoadBalancerProps>, string][])("refuses %j", (overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });
});

describe("Jitsi with externalJvb", () => {
  const jitsi = (overrides: Partial<JitsiProps> = {}) => synthConstructs((scope) => new Jitsi(scope, "jitsi", { ...jitsiProps, ...overrides })).json;
  const external = { externalJvb: { xmppTargetGroupArn: "arn:tg-xmpp" } };

  it("runs web, prosody and jicofo without a jvb container", () => {
    expect(taskContainers(jitsi(external)).map((c) => c.name)).toEqual(["web", "prosody", "jicofo"]);
  });

  it("publishes prosody's XMPP port on the instance and registers it with the XMPP target group", () => {
    const json = jitsi(external);
    const prosody = taskContainers(json).find((c) => c.name === "prosody")!;
    expect(prosody.portMappings).toEqual([{ containerPort: 5222, hostPort: 5222, protocol: "tcp" }]);
    expect(onlyResource(json, "aws_ecs_service").load_balancer).toEqual([
      { container_name: "web", container_port: 80, target_group_arn: "arn:tg-web" },
      { container_name: "prosody", container_port: 5222, target_group_arn: "arn:tg-xmpp" },
    ]);
  });

  it("without it keeps today's task: jvb inside, prosody publishing nothing, one load balancer target", () => {
    const json = jitsi();
    expect(taskContainers(json).map((c) => c.name)).toEqual(["web", "prosody", "jicofo", "jvb"]);
    expect(taskContainers(json).find((c) => c.name === "prosody")!.portMappings).toEqual([]);
    expect(onlyResource(json, "aws_ecs_service").load_balancer).toHaveLength(1);
    expect(resourcesOf(json, "aws_ecs_service")).toHaveProperty("jitsi_service");
  });

  it("keeps the web container from offering the bridge websocket, which would point at a jvb the task no longer has", () => {
    const web = (props: Partial<JitsiProps>) => taskContainers(jitsi(props)).find((c) => c.name === "web")!.environment as { name: string; value: string }[];
    expect(web(external)).toContainEqual({ name: "ENABLE_COLIBRI_WEBSOCKET", value: "0" });
    // Without an external bridge the web container keeps what the environment sets, as the legacy task did.
    expect(web({ environment: { web: { ENABLE_COLIBRI_WEBSOCKET: "1" } } })).toContainEqual({ name: "ENABLE_COLIBRI_WEBSOCKET", value: "1" });
    expect(web({}).map((v) => v.name)).not.toContain("ENABLE_COLIBRI_WEBSOCKET");
  });

  it("refuses settings of the jvb container it no longer has", () => {
    expect(() => jitsi({ ...external, jvbAdvertiseAddress: "54.0.0.10" })).toThrow("jitsi.jvbAdvertiseAddress: set with externalJvb");
    expect(() => jitsi({ ...external, environment: { jvb: { JVB_STUN_SERVERS: "x" } } })).toThrow("jitsi.environment.jvb: set with externalJvb");
  });
});
