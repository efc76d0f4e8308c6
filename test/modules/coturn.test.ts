import { spawnSync } from "child_process";
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { COTURN_DEFAULTS, COTURN_DENIED_PEER_RANGES, coturnArguments, CoturnDaemon, CoturnDaemonProps } from "../../src/modules/coturn";
import { TurnLoadBalancer, TurnLoadBalancerProps } from "../../src/modules/turn-load-balancer";
import { onlyResource, resourcesOf, synthConstructs } from "../support/synth";

const daemonProps: CoturnDaemonProps = {
  clusterArn: "arn:cluster",
  serviceName: "coturn-service-dev",
  taskFamily: "coturn-task-dev",
  imageTag: COTURN_DEFAULTS.imageTag,
  realm: "turn.example.org",
  listeningPort: 3478,
  relayPorts: { min: 49160, max: 49163 },
  sharedSecretParameter: "/jitsi-matrix/dev/TURN_SHARED_SECRET",
  executionRoleArn: "arn:role",
};

type Rendered = { name: string; command: string[]; portMappings: { containerPort: number; hostPort: number; protocol: string }[]; secrets: { name: string; valueFrom: string }[]; [key: string]: unknown };
const daemon = (overrides: Partial<CoturnDaemonProps> = {}) => synthConstructs((scope) => new CoturnDaemon(scope, "coturn", { ...daemonProps, ...overrides })).json;
const containerOf = (json: ReturnType<typeof daemon>) => (JSON.parse(onlyResource(json, "aws_ecs_task_definition").container_definitions as string) as Rendered[])[0];

describe("CoturnDaemon", () => {
  const json = daemon();
  const container = containerOf(json);

  it("runs a coturn on every container instance: a DAEMON service on EC2 that frees its ports before the next starts", () => {
    expect(onlyResource(json, "aws_ecs_service")).toMatchObject({
      name: "coturn-service-dev",
      scheduling_strategy: "DAEMON",
      launch_type: "EC2",
      deployment_minimum_healthy_percent: 0,
      deployment_maximum_percent: 100,
    });
    expect(container).toMatchObject({ image: "coturn/coturn:4.17.0-r0", memory: 256, readonlyRootFilesystem: true });
  });

  it("publishes the listening port over UDP and TCP and each relay port as itself, in bridge mode", () => {
    expect(onlyResource(json, "aws_ecs_task_definition")).not.toHaveProperty("network_mode");
    expect(container.portMappings.map((m) => `${m.containerPort}:${m.hostPort}/${m.protocol}`)).toEqual([
      "3478:3478/udp",
      "3478:3478/tcp",
      "49160:49160/udp",
      "49161:49161/udp",
      "49162:49162/udp",
      "49163:49163/udp",
    ]);
    expect(() => daemon({ relayPorts: { min: 49160, max: 49260 } })).toThrow(/relayPorts: 49160-49260 is not a range of 1 to 100 ports/);
  });

  it("takes the shared secret from SSM and gives coturn TURN REST auth, the relay range and no relaying into private networks", () => {
    expect(container.secrets).toEqual([{ name: "TURN_SHARED_SECRET", valueFrom: "/jitsi-matrix/dev/TURN_SHARED_SECRET" }]);
    expect(container.command).toEqual(expect.arrayContaining(["--use-auth-secret", "--realm=turn.example.org", "--min-port=49160", "--max-port=49163", "--no-tcp-relay", "--no-cli", "--no-tls"]));
    for (const range of ["10.0.0.0-10.255.255.255", "169.254.0.0-169.254.255.255", "172.16.0.0-172.31.255.255", "192.168.0.0-192.168.255.255"]) {
      expect(container.command).toContain(`--denied-peer-ip=${range}`);
    }
    // Terraform would take ${...} for its own interpolation.
    expect(container.command.join(" ")).not.toContain("${");
  });

  /** Runs the image's entry point with stand-ins for turnserver and detect-external-ip, which print what they get. */
  function entrypoint(secret: string): string[] {
    const bin = mkdtempSync(path.join(tmpdir(), "coturn-"));
    try {
      copyFileSync(path.join(__dirname, "../fixtures/coturn/docker-entrypoint.sh"), path.join(bin, "docker-entrypoint.sh"));
      writeFileSync(path.join(bin, "turnserver"), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
      writeFileSync(path.join(bin, "detect-external-ip"), "#!/bin/sh\necho 203.0.113.7\n");
      for (const name of ["docker-entrypoint.sh", "turnserver", "detect-external-ip"]) chmodSync(path.join(bin, name), 0o755);
      // Files a glob in the secret could match, in the directory the entry point runs in.
      writeFileSync(path.join(bin, "a-file"), "");
      const result = spawnSync(path.join(bin, "docker-entrypoint.sh"), coturnArguments({ realm: "turn.example.org", listeningPort: 3478, relayPorts: { min: 49160, max: 49199 } }), {
        cwd: bin,
        env: { PATH: `${bin}:/usr/bin:/bin`, TURN_SHARED_SECRET: secret },
        encoding: "utf8",
      });
      expect(result.stderr).toBe("");
      return result.stdout.trimEnd().split("\n");
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }

  it("reaches turnserver, through the image's entry point, with the detected address and the secret exactly as SSM holds it", () => {
    const secret = "a  b*c$d`e'f\"g";
    const args = entrypoint(secret);
    expect(args).toContain("--external-ip=203.0.113.7");
    expect(args).toContain(`--static-auth-secret=${secret}`);
    expect(args).toContain("--realm=turn.example.org");
    expect(args).toHaveLength(coturnArguments({ realm: "r", listeningPort: 1, relayPorts: { min: 1, max: 1 } }).length);
    expect(args.filter((arg) => arg.startsWith("--denied-peer-ip="))).toHaveLength(COTURN_DENIED_PEER_RANGES.length);
  });
});

const lbProps: TurnLoadBalancerProps = {
  name: "turn-dev",
  targetGroupNames: { turn: "turn-dev", turns: "turns-dev" },
  vpcId: "vpc-1",
  subnetIds: ["subnet-a", "subnet-b"],
  instanceSecurityGroupId: "sg-instances",
  autoScalingGroupName: "asg-dev",
  port: 3478,
  tlsPort: 443,
  certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/c",
};

describe("TurnLoadBalancer", () => {
  const { json } = synthConstructs((scope) => new TurnLoadBalancer(scope, "turn", lbProps));

  it("is an internet-facing network load balancer with TURN over UDP and TCP, and TLS it ends with the certificate", () => {
    expect(onlyResource(json, "aws_lb")).toMatchObject({ name: "turn-dev", load_balancer_type: "network", internal: false, enable_cross_zone_load_balancing: true, enable_deletion_protection: true });
    const listeners = Object.values(resourcesOf(json, "aws_lb_listener")).map((l) => `${l.port} ${l.protocol} ${l.certificate_arn ?? "-"} ${l.ssl_policy ?? "-"}`);
    expect(listeners).toEqual(["3478 TCP_UDP - -", "443 TLS arn:aws:acm:eu-west-1:123456789012:certificate/c ELBSecurityPolicy-TLS13-1-2-2021-06"]);
    // Both forward to coturn's own port: after the TLS ends, TURN over TLS is TURN over TCP.
    expect(Object.values(resourcesOf(json, "aws_lb_target_group")).map((g) => `${g.name} ${g.port} ${g.protocol} ${g.target_type}`)).toEqual(["turn-dev 3478 TCP_UDP instance", "turns-dev 3478 TCP instance"]);
  });

  it("registers every instance of the Auto Scaling group in both target groups", () => {
    expect(Object.values(resourcesOf(json, "aws_autoscaling_attachment")).map((a) => `${a.autoscaling_group_name} ${a.lb_target_group_arn}`)).toEqual([
      "asg-dev ${aws_lb_target_group.turn_turn_target_group.arn}",
      "asg-dev ${aws_lb_target_group.turn_turns_target_group.arn}",
    ]);
  });

  it("lets clients in on the three ways in only, and out only to coturn's port on the instances", () => {
    const rules = (type: string) => Object.values(resourcesOf(json, type)).map((r) => `${r.ip_protocol} ${r.from_port} ${r.cidr_ipv4 ?? r.referenced_security_group_id}`).sort();
    expect(rules("aws_vpc_security_group_ingress_rule")).toEqual(["tcp 3478 0.0.0.0/0", "tcp 443 0.0.0.0/0", "udp 3478 0.0.0.0/0"]);
    expect(rules("aws_vpc_security_group_egress_rule")).toEqual(["tcp 3478 sg-instances", "udp 3478 sg-instances"]);
    expect(() => synthConstructs((scope) => new TurnLoadBalancer(scope, "turn", { ...lbProps, tlsPort: 3478 }))).toThrow(/tlsPort: 3478 is also port/);
  });
});
