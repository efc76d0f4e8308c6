import { ProviderSchemas, providersKey, syntheticPlaceholder, syntheticState } from "../../tools/review/synthetic-state";
import { PlanJson, PlanResourceChange } from "../../tools/terraform";

const AWS = "registry.terraform.io/hashicorp/aws";
const BUILTIN = "terraform.io/builtin/terraform";

/** The parts of the aws provider's and Terraform's schemas these cases use, as `terraform providers schema -json` writes them. */
const SCHEMAS: ProviderSchemas = {
  provider_schemas: {
    [AWS]: {
      resource_schemas: {
        aws_lb_target_group: {
          version: 0,
          block: {
            attributes: {
              id: { type: "string" },
              arn: { type: "string" },
              name: { type: "string" },
              port: { type: "number" },
              protocol_version: { type: "string" },
              load_balancer_arns: { type: ["set", "string"] },
              tags: { type: ["map", "string"] },
            },
            block_types: { health_check: { nesting_mode: "list", block: { attributes: { matcher: { type: "string" }, timeout: { type: "number" }, path: { type: "string" } } } } },
          },
        },
        aws_lb_listener_rule: {
          version: 0,
          block: {
            attributes: { id: { type: "string" }, arn: { type: "string" }, listener_arn: { type: "string" }, priority: { type: "number" } },
            block_types: { action: { nesting_mode: "list", block: { attributes: { type: { type: "string" }, target_group_arn: { type: "string" }, order: { type: "number" } } } } },
          },
        },
        aws_security_group: {
          version: 1,
          block: {
            attributes: {
              id: { type: "string" },
              name: { type: "string" },
              description: { type: "string" },
              ingress: { type: ["set", ["object", { description: "string", from_port: "number", security_groups: ["set", "string"] }]] },
            },
          },
        },
      },
    },
    [BUILTIN]: { resource_schemas: { terraform_data: { version: 0, block: { attributes: { id: { type: "string" }, input: { type: "dynamic" }, output: { type: "dynamic" } } } } } },
  },
};

function create(address: string, after: unknown, afterUnknown: unknown, provider = AWS): PlanResourceChange {
  const [type, name] = address.split(".");
  return { address, mode: "managed", type, name, provider_name: provider, change: { actions: ["create"], before: null, after, after_unknown: afterUnknown } };
}

/** The synthesized JSON of a stack: a target group, a rule forwarding to it, two security groups and a terraform_data. */
const CONFIG = {
  resource: {
    aws_lb_target_group: { element: { name: "element-staging", port: 80, tags: { Group: "${aws_security_group.alb.name}-tg" } } },
    aws_lb_listener_rule: {
      element: {
        provider: "aws.useast1",
        // One block of a list, written as an object.
        action: { type: "forward", target_group_arn: "${aws_lb_target_group.element.arn}" },
        listener_arn: '${join("", ["arn:aws:elasticloadbalancing:x"])}',
        priority: 99,
      },
    },
    aws_security_group: {
      alb: { name: "alb", description: "alb" },
      instances: {
        name: "instances",
        description: "instances",
        // Terraform orders a set by value: the plan lists these two the other way round.
        ingress: [
          { description: "from the load balancer", from_port: 80, security_groups: ["${aws_security_group.alb.id}"] },
          { description: "admin", from_port: 22, security_groups: [] },
        ],
      },
    },
    terraform_data: { marker: { input: "a" } },
  },
};

const PLAN: PlanJson = {
  format_version: "1.2",
  terraform_version: "1.11.4",
  resource_changes: [
    create(
      "aws_lb_target_group.element",
      { name: "element-staging", port: 80, health_check: [{}] },
      { id: true, arn: true, protocol_version: true, load_balancer_arns: true, tags: true, health_check: [{ matcher: true, timeout: true, path: true }] },
    ),
    create("aws_lb_listener_rule.element", { priority: 99, action: [{ type: "forward" }] }, { id: true, arn: true, listener_arn: true, action: [{ target_group_arn: true, order: true }] }),
    create("aws_security_group.alb", { name: "alb", description: "alb" }, { id: true, ingress: true }),
    create(
      "aws_security_group.instances",
      {
        name: "instances",
        description: "instances",
        ingress: [
          { description: "admin", from_port: 22, security_groups: [] },
          { description: "from the load balancer", from_port: 80 },
        ],
      },
      { id: true, ingress: [{ security_groups: [] }, { security_groups: true }] },
    ),
    create("terraform_data.marker", { input: "a" }, { id: true, output: true }, BUILTIN),
  ],
  configuration: {
    provider_config: { aws: { name: "aws" }, "aws.useast1": { name: "aws", alias: "useast1" } },
    root_module: {
      resources: [
        { address: "aws_lb_listener_rule.element", mode: "managed", type: "aws_lb_listener_rule", name: "element", provider_config_key: "aws.useast1" } as never,
      ],
    },
  },
};

const state = () => syntheticState(PLAN, SCHEMAS, CONFIG);
const instance = (address: string) => {
  const [type, name] = address.split(".");
  const resource = state().resources.find((r) => r.type === type && r.name === name);
  if (resource === undefined) throw new Error(`no ${address} in the synthetic state`);
  return resource.instances[0];
};
const attributes = (address: string) => instance(address).attributes;

describe("the synthetic state of a stack, from the base's plan from an empty state", () => {
  it("is a version 4 state of every managed resource the plan creates, with the planning Terraform's version and each type's schema version", () => {
    const s = state();
    expect(s).toMatchObject({ version: 4, terraform_version: "1.11.4", serial: 1, outputs: {} });
    expect(s.lineage).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(s.resources.map((r) => `${r.type}.${r.name}`)).toEqual([
      "aws_lb_listener_rule.element",
      "aws_lb_target_group.element",
      "aws_security_group.alb",
      "aws_security_group.instances",
      "terraform_data.marker",
    ]);
    expect(instance("aws_security_group.instances")).toMatchObject({ schema_version: 1, sensitive_attributes: [] });
  });

  it("names each resource's provider as the state does, with the alias of an aliased provider block", () => {
    const providers = Object.fromEntries(state().resources.map((r) => [`${r.type}.${r.name}`, r.provider]));
    expect(providers["aws_lb_listener_rule.element"]).toBe(`provider["${AWS}"].useast1`);
    expect(providers["aws_lb_target_group.element"]).toBe(`provider["${AWS}"]`);
    expect(providers["terraform_data.marker"]).toBe(`provider["${BUILTIN}"]`);
  });

  it("keeps the planned values and gives the id and referenced attributes known after apply placeholders of their type", () => {
    const group = attributes("aws_lb_target_group.element");
    expect(group).toMatchObject({ name: "element-staging", port: 80, id: "synthetic:aws_lb_target_group.element.id" });
    // An ARN is shaped as one: the aws provider validates ARNs where a resource references them.
    expect(group.arn).toBe("arn:aws:synthetic::000000000000:aws_lb_target_group.element/arn");
    expect(syntheticPlaceholder("x.y", "load_balancer_arns[0]")).toMatch(/^arn:aws:synthetic::000000000000:/);
  });

  it("shapes the IDs the aws provider validates where they are referenced, deterministically", () => {
    // An Auto Scaling group refuses a launch_template.id that does not start with lt-.
    const id = syntheticPlaceholder("aws_launch_template.capacity_launch_template", "id");
    expect(id).toMatch(/^lt-[0-9a-f]{17}$/);
    expect(syntheticPlaceholder("aws_launch_template.capacity_launch_template", "id")).toBe(id);
    expect(syntheticPlaceholder("aws_launch_template.other", "id")).not.toBe(id);
    expect(syntheticPlaceholder("module.m.aws_security_group.alb[0]", "id")).toMatch(/^sg-[0-9a-f]{17}$/);
    // Only the id: other attributes of those types keep the readable placeholder.
    expect(syntheticPlaceholder("aws_launch_template.capacity_launch_template", "name")).toBe(
      "synthetic:aws_launch_template.capacity_launch_template.name",
    );
  });

  it("gives an argument set from another resource what that resource holds, so the reference plans unchanged", () => {
    const rule = attributes("aws_lb_listener_rule.element");
    expect(rule.action).toEqual([{ type: "forward", target_group_arn: attributes("aws_lb_target_group.element").arn, order: 0 }]);
    // A template of references is their text joined.
    expect(attributes("aws_lb_target_group.element").tags).toEqual({ Group: "alb-tg" });
  });

  it("gives an expression it cannot evaluate (a function call) a placeholder of its own", () => {
    expect(attributes("aws_lb_listener_rule.element").listener_arn).toBe("arn:aws:synthetic::000000000000:aws_lb_listener_rule.element/listener_arn");
  });

  it("gives computed attributes nothing reads the zero value of their type, as the provider records what AWS leaves unset", () => {
    const group = attributes("aws_lb_target_group.element");
    expect(group.protocol_version).toBe("");
    expect(group.load_balancer_arns).toEqual([]);
    expect(group.health_check).toEqual([{ matcher: "", timeout: 0, path: "" }]);
    expect(attributes("aws_security_group.alb").ingress).toEqual([]);
  });

  it("gives a computed list the stack indexes one element, as AWS fills it (RDS's master_user_secret[0])", () => {
    const schemas: ProviderSchemas = {
      provider_schemas: {
        [AWS]: {
          resource_schemas: {
            aws_db_instance: { version: 2, block: { attributes: { id: { type: "string" }, master_user_secret: { type: ["list", ["object", { secret_arn: "string", secret_status: "string" }]] } } } },
            aws_ssm_parameter: { version: 0, block: { attributes: { id: { type: "string" }, value: { type: "string" } } } },
          },
        },
      },
    };
    const config = { resource: { aws_db_instance: { db: {} }, aws_ssm_parameter: { p: { value: "${aws_db_instance.db.master_user_secret[0].secret_arn}" } } } };
    const plan: PlanJson = {
      format_version: "1.2",
      terraform_version: "1.11.4",
      resource_changes: [create("aws_db_instance.db", {}, { id: true, master_user_secret: true }), create("aws_ssm_parameter.p", {}, { id: true, value: true })],
    };
    const db = syntheticState(plan, schemas, config).resources.find((r) => r.type === "aws_db_instance")!.instances[0].attributes;
    expect(db.master_user_secret).toEqual([{ secret_arn: expect.stringMatching(/^arn:aws:synthetic::/), secret_status: expect.stringMatching(/^synthetic:/) }]);
  });

  it("matches the elements of a set to the configuration's by what the plan knows of them, not by position", () => {
    expect(attributes("aws_security_group.instances").ingress).toEqual([
      { description: "admin", from_port: 22, security_groups: [] },
      { description: "from the load balancer", from_port: 80, security_groups: [attributes("aws_security_group.alb").id] },
    ]);
  });

  it("stores dynamic attributes with their type, as Terraform does", () => {
    expect(attributes("terraform_data.marker")).toEqual({ id: "synthetic:terraform_data.marker.id", input: { value: "a", type: "string" }, output: null });
  });

  it("is byte-identical for the same plan", () => {
    expect(JSON.stringify(state())).toBe(JSON.stringify(state()));
  });

  it("refuses a plan that is not from an empty state, and a resource type the schemas do not have, naming the resource", () => {
    const updating: PlanJson = { ...PLAN, resource_changes: [{ ...PLAN.resource_changes![0], change: { ...PLAN.resource_changes![0].change, actions: ["update"] } }] };
    expect(() => syntheticState(updating, SCHEMAS, CONFIG)).toThrow(/aws_lb_target_group\.element: a synthetic state is built from a plan from an empty state.*plans \[update\]/);
    const unknownType: PlanJson = { ...PLAN, resource_changes: [create("aws_nope.x", {}, {})] };
    expect(() => syntheticState(unknownType, SCHEMAS, CONFIG)).toThrow(/aws_nope\.x: the schemas of .* have no resource type aws_nope/);
  });

  it("caches schemas by the providers a plan uses, so a stack of built-in resources does not get another stack's schemas", () => {
    const builtinOnly: PlanJson = { ...PLAN, resource_changes: [PLAN.resource_changes![4]] };
    const none: PlanJson = { ...PLAN, resource_changes: [] };
    expect(providersKey({}, builtinOnly)).not.toBe(providersKey({}, none));
  });
});
