/**
 * A loopback TCP relay in front of a server (PostgreSQL, Redis) that a test cuts and restores to simulate an
 * outage: cut() drops every relayed connection and refuses new ones until restore().
 */
import net from 'node:net';
import { listen } from './gateway.js';

export class TcpRelay {
  readonly #pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  #cut = false;
  #server: net.Server;
  port = 0;

  private constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {
    this.#server = net.createServer((client) => this.#accept(client));
  }

  static async start(host: string, port: number): Promise<TcpRelay> {
    const relay = new TcpRelay(host, port);
    relay.port = await listen(relay.#server);
    return relay;
  }

  #accept(client: net.Socket): void {
    client.on('error', () => {});
    if (this.#cut) return void client.destroy();
    const upstream = net.connect(this.targetPort, this.host);
    upstream.on('error', () => client.destroy());
    const pair = { client, upstream };
    this.#pairs.add(pair);
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Drops every connection now and refuses new ones. */
  cut(): void {
    this.#cut = true;
    for (const { client, upstream } of [...this.#pairs]) {
      client.destroy();
      upstream.destroy();
    }
    this.#pairs.clear();
  }

  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
