/** An HTTP server on a free port of 127.0.0.1, for the stand-ins of AWS endpoints the tests point Terraform at. */
import * as http from "node:http";
import { AddressInfo } from "node:net";

export class LoopbackEndpoint {
  private constructor(private readonly server: http.Server) {}

  /** Starts serving `handle` on loopback; requests are served on the event loop, so run Terraform asynchronously. */
  static async listen(handle: http.RequestListener): Promise<LoopbackEndpoint> {
    const server = http.createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new LoopbackEndpoint(server);
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A stand-in of an AWS endpoint: its requests on a `LoopbackEndpoint`, its address and its end. */
export abstract class LoopbackFake {
  private loopback!: LoopbackEndpoint;

  /** Answers one request, as the AWS endpoint would. */
  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): void;

  /** `fake`, listening. */
  protected static async listening<T extends LoopbackFake>(fake: T): Promise<T> {
    fake.loopback = await LoopbackEndpoint.listen((req, res) => fake.handle(req, res));
    return fake;
  }

  get endpoint(): string {
    return this.loopback.url;
  }

  close(): Promise<void> {
    return this.loopback.close();
  }
}
