import { LoadBalancer, LoadBalancerProps } from "../../src/modules/load-balancer";
import { resourcesOf, synthConstructs } from "../support/synth";

const props: LoadBalancerProps = {
  name: "alb",
  vpcId: "vpc-1234",
  subnetIds: ["subnet-a", "subnet-b"],
  securityGroupIds: ["sg-1"],
  certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
  sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
  targetGroups: {
    web: { name: "web-tg", port: 8000 },
    api: { name: "api-tg", port: 8008, healthCheckPath: "/health" },
  },
  defaultTargetGroup: "web",
  hostRules: { api: { targetGroup: "api", priority: 100, hosts: ["api.example.org"] } },
};

describe("LoadBalancer", () => {
  const json = () => synthConstructs((scope) => new LoadBalancer(scope, "load_balancer", props)).json;

  it("is an internet-facing ALB with deletion protection by default, the environment's default too", () => {
    expect(resourcesOf(json(), "aws_lb").load_balancer).toMatchObject({
      name: "alb",
      load_balancer_type: "application",
      internal: false,
      enable_deletion_protection: true,
      subnets: ["subnet-a", "subnet-b"],
    });
  });

  it("creates instance target groups keyed by what they serve, health check on / unless set", () => {
    const groups = resourcesOf(json(), "aws_lb_target_group");
    expect(groups.load_balancer_web).toMatchObject({ name: "web-tg", port: 8000, protocol: "HTTP", target_type: "instance", health_check: { path: "/" } });
    expect(groups.load_balancer_api).toMatchObject({ port: 8008, health_check: { path: "/health" } });
  });

  it("redirects HTTP to HTTPS with a 301 and forwards HTTPS to the default group", () => {
    const listeners = resourcesOf(json(), "aws_lb_listener");
    expect(listeners.load_balancer_http).toMatchObject({
      port: 80,
      protocol: "HTTP",
      default_action: [{ type: "redirect", redirect: { port: "443", protocol: "HTTPS", status_code: "HTTP_301" } }],
    });
    expect(listeners.load_balancer_https).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      ssl_policy: props.sslPolicy,
      certificate_arn: props.certificateArn,
      default_action: [{ type: "forward", target_group_arn: "${aws_lb_target_group.load_balancer_web.arn}" }],
    });
  });

  it("routes host names to their group with the rule's priority", () => {
    expect(resourcesOf(json(), "aws_lb_listener_rule").load_balancer_rule_api).toMatchObject({
      listener_arn: "${aws_lb_listener.load_balancer_https.arn}",
      priority: 100,
      action: [{ type: "forward", target_group_arn: "${aws_lb_target_group.load_balancer_api.arn}" }],
      condition: [{ host_header: { values: ["api.example.org"] } }],
    });
  });

  it("fails when a rule names a target group that does not exist", () => {
    expect(() =>
      synthConstructs(
        (scope) =>
          new LoadBalancer(scope, "lb", { ...props, hostRules: { api: { targetGroup: "nope", priority: 1, hosts: ["x.org"] } } }),
      ),
    ).toThrow(/hostRules\.api\.targetGroup: "nope" is not a target group of this load balancer; use one of web, api/);
  });
});
