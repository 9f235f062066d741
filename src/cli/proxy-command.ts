import { type Command, InvalidArgumentError, Option } from "commander";
import pc from "picocolors";
import { readFileSync } from "node:fs";
import { attackProblem, isProxyAttack, type ProxyAttack, UPSTREAM_TLS_MODES } from "../options/proxy-options";
import { checkPrivateFilePath } from "../record/private-file";
import { type MockProxy, startMockProxy } from "../mock-proxy";
import { escapeControlCharacters as safe, formatEvent } from "./format-event";
import { controlOption, startServeControl } from "../control/serve-control";
import { Output } from "./output";
import { withEnvironment } from "./option-flags";
import { packageVersion } from "./version";

interface ProxyFlags {
  port: number;
  host: string;
  upstream: { host: string; port: number };
  attack: ProxyAttack;
  upstreamTls: (typeof UPSTREAM_TLS_MODES)[number];
  upstreamCa?: string;
  events?: string;
  packets?: boolean;
  json?: boolean;
}

/** `HOST:PORT` (`[::1]:3306` for an IPv6 address) as the proxy's upstream. */
export function parseUpstream(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65_535) {
    throw new InvalidArgumentError(`expected HOST:PORT (e.g. 127.0.0.1:3306), got "${value}"`);
  }
  return { host: match[1] ?? match[2]!, port };
}

function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65_535))
    throw new InvalidArgumentError(`expected a port from 0 to 65535, got "${value}"`);
  return port;
}

/** The first line of `proxy --json`: where it listens and what it relays to. */
export function proxyListeningLine(proxy: MockProxy, version: string, control: string | null) {
  return {
    type: "listening" as const,
    pid: process.pid,
    host: proxy.host,
    port: proxy.port,
    upstream: proxy.upstream,
    attack: proxy.options.attack,
    /** The control API's base URL (`--control-port`), or null. */
    control,
    version,
  };
}

/** Adds `proxy`: relay clients to a real server and print what each does. */
export function proxyCommand(program: Command): void {
  withEnvironment(program.command("proxy"))
    .description("relay clients to a real MySQL or MariaDB server and print what each client does")
    .requiredOption("--upstream <host:port>", "the real server to relay to", parseUpstream)
    .option("-P, --port <port>", "TCP port; 0 picks a free one", parsePort, 3307)
    .option("-h, --host <address>", "address to bind", "127.0.0.1")
    .option(
      "--attack <name>",
      "what to change on the way: passthrough (nothing), strip, riddle, cert:SET (a catalogue set, see certs list) or tls-version:V",
      (value: string) => {
        if (!isProxyAttack(value)) throw new InvalidArgumentError(attackProblem(value));
        return value;
      },
      "passthrough",
    )
    .addOption(
      new Option(
        "--upstream-tls <mode>",
        "where an attack has the proxy speak TLS to the real server (strip): verify its certificate, take any, or none",
      )
        .choices(UPSTREAM_TLS_MODES)
        .default("no-verify"),
    )
    .option(
      "--upstream-ca <file>",
      "CA (PEM) that signed the real server's certificate, for --upstream-tls verify",
    )
    .option("--events <file>", "append every event as a JSON line to this file (mode 0600)")
    .option("--packets", "also print every packet the proxy could read")
    .option("--json", 'print only JSON lines on stdout: first {"type":"listening",…}, then one per event')
    .addOption(controlOption("port"))
    .addOption(controlOption("host"))
    .addOption(controlOption("token"))
    .action(async (flags: ProxyFlags) => {
      const output = new Output();
      if (flags.events) checkPrivateFilePath(flags.events);
      const proxy = await startMockProxy({
        host: flags.host,
        port: flags.port,
        upstream: flags.upstream,
        attack: flags.attack,
        upstreamTls: flags.upstreamTls,
        ...(flags.upstreamCa ? { upstreamCa: readFileSync(flags.upstreamCa, "utf8") } : {}),
        ...(flags.events ? { eventsFile: flags.events } : {}),
      });
      // The proxy's control API: its health and its records, for a test suite in any language.
      const control = await startServeControl(
        proxy,
        flags as unknown as Record<string, unknown>,
        packageVersion(),
      );
      proxy.on("event", (event) => {
        const text = flags.json
          ? JSON.stringify(event)
          : formatEvent(event, { packets: flags.packets ?? false });
        if (text !== null) output.print(`${text}\n`);
      });
      const banner =
        `${pc.bold("mysql-tls-mock")} proxy on ${safe(`${proxy.host}:${proxy.port}`)} → ${safe(proxy.upstream)} ` +
        `(${flags.attack})\n`;
      if (flags.json) {
        output.print(
          `${JSON.stringify(proxyListeningLine(proxy, packageVersion(), control?.url ?? null))}\n`,
        );
        process.stderr.write(banner);
      } else output.print(banner);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
        output.whenClosed(() => resolve());
      });
      await control?.close();
      await proxy.stop();
    });
}
