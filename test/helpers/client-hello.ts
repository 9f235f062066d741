import { Duplex } from "node:stream";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";

/**
 * A real ClientHello record, as node's TLS client sends it (by default TLSv1.2 at most, as to a 5.7
 * server): what the client writes first, captured without any server. `tlsOptions` go to
 * `tls.connect` on top of those defaults, e.g. `{ maxVersion: "TLSv1.3", servername: "localhost" }`.
 */
export async function captureClientHello(
  tlsOptions: Omit<ConnectionOptions, "socket"> = {},
): Promise<Buffer> {
  let capture!: (chunk: Buffer) => void;
  const first = new Promise<Buffer>((resolve) => {
    capture = resolve;
  });
  const carrier = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      capture(Buffer.from(chunk));
      callback();
    },
  });
  const tls = tlsConnect({
    rejectUnauthorized: false,
    maxVersion: "TLSv1.2",
    ...tlsOptions,
    socket: carrier,
  });
  tls.on("error", () => {});
  const hello = await first;
  tls.destroy();
  carrier.destroy();
  if (hello[0] !== 0x16 || hello.length !== 5 + hello.readUInt16BE(3)) {
    throw new Error("the TLS client did not write one whole ClientHello record");
  }
  return hello;
}
