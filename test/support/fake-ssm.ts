/**
 * An in-memory SSM Parameter Store endpoint on loopback that answers the calls the AWS provider's
 * `aws_ssm_parameter` makes (PutParameter, GetParameter, DescribeParameters, tags), and refuses what SSM refuses
 * of a PutParameter: an empty value (SSM API Reference, PutParameter: `Value`, minimum length 1) and an existing
 * name without `Overwrite`. It records every PutParameter, so that a test reads what the provider sent.
 *
 * It serves requests on the event loop: run Terraform with an asynchronous spawn, never spawnSync.
 */
import * as http from "node:http";
import { LoopbackFake } from "./loopback-endpoint";

export interface PutParameterCall {
  readonly Name: string;
  readonly Value: string;
  readonly Type?: string;
  readonly KeyId?: string;
  readonly Description?: string;
  readonly Overwrite?: boolean;
}

interface StoredParameter {
  readonly name: string;
  readonly value: string;
  readonly type: string;
  readonly keyId?: string;
  readonly description?: string;
  readonly version: number;
}

/** SSM's default key for a SecureString put without one. */
const DEFAULT_KEY = "alias/aws/ssm";

export class FakeSsm extends LoopbackFake {
  readonly puts: PutParameterCall[] = [];
  private readonly parameters = new Map<string, StoredParameter>();
  private constructor() {
    super();
  }

  static start(): Promise<FakeSsm> {
    return LoopbackFake.listening(new FakeSsm());
  }

  /** What the store holds under `name`, as SSM would return it decrypted. */
  parameter(name: string): StoredParameter | undefined {
    return this.parameters.get(name);
  }


  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const body = chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "fake-ssm" });
        res.end(JSON.stringify(payload));
      };
      const fail = (type: string, message: string) => reply(400, { __type: type, message });
      const action = target.replace(/^AmazonSSM\./, "");
      switch (action) {
        case "PutParameter": {
          const call = body as PutParameterCall;
          this.puts.push(call);
          if (typeof call.Value !== "string" || call.Value.length < 1) {
            return fail("ValidationException", "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1");
          }
          const existing = this.parameters.get(call.Name);
          if (existing && !call.Overwrite) return fail("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
          const version = (existing?.version ?? 0) + 1;
          this.parameters.set(call.Name, {
            name: call.Name,
            value: call.Value,
            type: call.Type ?? existing?.type ?? "String",
            // An overwrite without a key re-encrypts with the default key, as SSM does.
            keyId: (call.Type ?? existing?.type) === "SecureString" ? (call.KeyId ?? DEFAULT_KEY) : undefined,
            description: call.Description ?? existing?.description,
            version,
          });
          return reply(200, { Version: version, Tier: "Standard" });
        }
        case "GetParameter": {
          const parameter = this.parameters.get(body.Name);
          if (!parameter) return fail("ParameterNotFound", `Parameter ${body.Name} not found.`);
          return reply(200, {
            Parameter: {
              Name: parameter.name,
              Type: parameter.type,
              Value: parameter.value,
              Version: parameter.version,
              ARN: `arn:aws:ssm:eu-west-1:123456789012:parameter${parameter.name}`,
              DataType: "text",
              LastModifiedDate: 1765000000,
            },
          });
        }
        case "DescribeParameters": {
          const names: string[] = (body.ParameterFilters ?? []).flatMap((filter: { Key: string; Values: string[] }) => (filter.Key === "Name" ? filter.Values : []));
          const found = names.map((name) => this.parameters.get(name)).filter((p): p is StoredParameter => p !== undefined);
          return reply(200, {
            Parameters: found.map((p) => ({ Name: p.name, Type: p.type, KeyId: p.keyId, Description: p.description, Version: p.version, Tier: "Standard", DataType: "text", AllowedPattern: "" })),
          });
        }
        case "ListTagsForResource":
          return reply(200, { TagList: [] });
        case "AddTagsToResource":
        case "RemoveTagsFromResource":
          return reply(200, {});
        case "DeleteParameter":
          this.parameters.delete(body.Name);
          return reply(200, {});
        default:
          return fail("InvalidAction", `${action} is not faked`);
      }
    });
  }
}
