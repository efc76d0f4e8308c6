/**
 * An in-memory S3 endpoint that answers the handful of calls Terraform's S3 backend makes
 * (ListObjectsV2, HEAD/GET/PUT/DELETE object, PUT with `If-None-Match: *` for the native
 * lock file), so a stack's real S3 backend configuration can be initialized and used
 * offline: `terraform init -backend-config=<fake.s3.tfbackend>` points it here.
 *
 * It serves requests on the event loop: run Terraform with an asynchronous spawn, never
 * spawnSync, or the two wait on each other.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import { LoopbackFake } from "./loopback-endpoint";
import * as path from "node:path";

export interface S3Request {
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
  readonly headers: http.IncomingHttpHeaders;
}

export class FakeS3 extends LoopbackFake {
  /** Objects by `<bucket>/<key>`. */
  readonly objects = new Map<string, Buffer>();
  readonly requests: S3Request[] = [];
  private constructor() {
    super();
  }

  static start(): Promise<FakeS3> {
    return LoopbackFake.listening(new FakeS3());
  }

  /**
   * Writes a partial backend configuration that sends the S3 backend here with fake
   * credentials and no calls to STS or the metadata service; returns its path.
   */
  writeBackendConfig(dir: string): string {
    const file = path.join(dir, "fake.s3.tfbackend");
    const lines = [
      `endpoints = { s3 = "${this.endpoint}" }`,
      "use_path_style = true",
      'access_key = "AKIAOFFLINETESTING00"',
      'secret_key = "offline-testing-secret-key"',
      "skip_credentials_validation = true",
      "skip_requesting_account_id = true",
      "skip_metadata_api_check = true",
      "skip_region_validation = true",
      // Plain bodies instead of aws-chunked uploads with trailing checksums.
      "skip_s3_checksum = true",
      "max_retries = 1",
    ];
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
  }


  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const [bucket, ...rest] = url.pathname.slice(1).split("/");
      const key = decodeURIComponent(rest.join("/"));
      this.requests.push({ method: req.method ?? "", bucket, key, headers: req.headers });
      const id = `${bucket}/${key}`;
      const xml = (status: number, body: string) => {
        res.writeHead(status, { "content-type": "application/xml" });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
      };
      const noSuchKey = () => xml(404, `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${key}</Key></Error>`);

      if (req.method === "GET" && key === "" && url.searchParams.get("list-type") === "2") {
        const prefix = url.searchParams.get("prefix") ?? "";
        const keys = [...this.objects.keys()].filter((k) => k.startsWith(`${bucket}/${prefix}`)).map((k) => k.slice(bucket.length + 1));
        const contents = keys.map((k) => `<Contents><Key>${k}</Key><Size>${this.objects.get(`${bucket}/${k}`)!.length}</Size></Contents>`);
        return xml(
          200,
          `<ListBucketResult><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount>` +
            `<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents.join("")}</ListBucketResult>`,
        );
      }
      switch (req.method) {
        case "PUT":
          if (req.headers["if-none-match"] === "*" && this.objects.has(id)) {
            return xml(412, "<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>");
          }
          this.objects.set(id, Buffer.concat(chunks));
          res.writeHead(200, { etag: '"fake"' });
          return res.end();
        case "HEAD":
        case "GET": {
          const object = this.objects.get(id);
          if (object === undefined) return noSuchKey();
          res.writeHead(200, { "content-length": object.length, etag: '"fake"', "content-type": "application/json" });
          return res.end(req.method === "GET" ? object : undefined);
        }
        case "DELETE":
          this.objects.delete(id);
          res.writeHead(204);
          return res.end();
        default:
          return xml(501, `<Error><Code>NotImplemented</Code><Message>${req.method} is not faked</Message></Error>`);
      }
    });
  }
}
