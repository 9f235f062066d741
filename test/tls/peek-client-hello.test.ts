import { type AddressInfo, createConnection, createServer, type Socket } from "node:net";
import { peekClientHello } from "../../src/tls/peek-client-hello";
import { captureClientHello } from "../helpers/client-hello";

/**
 * peekClientHello reads the ClientHello a client sent after its SSLRequest without taking a byte
 * of it: the TLS handshake that follows needs every one. It says how many bytes the ClientHello's
 * records take on the wire, which is where the server's own handshake bytes start to count.
 * Each case sends real bytes over a loopback TCP connection, in the pieces given.
 */

/** `hello`'s handshake message re-cut into records of at most `size` bytes, as a client may send it. */
function fragmented(hello: Buffer, size: number): Buffer {
  const message = hello.subarray(5);
  const records: Buffer[] = [];
  for (let offset = 0; offset < message.length; offset += size) {
    const fragment = message.subarray(offset, offset + size);
    const header = Buffer.from([0x16, hello[1]!, hello[2]!, 0, 0]);
    header.writeUInt16BE(fragment.length, 3);
    records.push(header, fragment);
  }
  return Buffer.concat(records);
}

/**
 * Sends `pieces` one by one (each after the server has read the last) to a server socket that is
 * paused as the session's is, peeks, and returns what the peek said and what is still buffered.
 */
async function peekAfterSending(pieces: Buffer[], thenEnd = false) {
  const server = createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
  const client = createConnection((server.address() as AddressInfo).port, "127.0.0.1");
  try {
    const socket = await accepted;
    const read = peekClientHello(socket);
    for (const piece of pieces) {
      await new Promise<void>((resolve) => client.write(piece, () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (thenEnd) client.end();
    const result = await read;
    const buffered = (socket.read() as Buffer | null) ?? Buffer.alloc(0);
    socket.destroy();
    return { result, buffered };
  } finally {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("peekClientHello", () => {
  it("measures a real ClientHello and leaves it, and what follows it, in the socket", async () => {
    const hello = await captureClientHello({ maxVersion: "TLSv1.3" });
    const changeCipherSpec = Buffer.from([0x14, 0x03, 0x03, 0x00, 0x01, 0x01]);
    const sent = Buffer.concat([hello, changeCipherSpec]);
    const { result, buffered } = await peekAfterSending([sent]);
    expect(result).toMatchObject({ kind: "client-hello", wireLength: hello.length });
    expect(buffered.equals(sent)).toBe(true);
  });

  it("counts the header of every record a fragmented ClientHello spans, sent a few bytes at a time", async () => {
    const hello = await captureClientHello();
    const split = fragmented(hello, 100);
    expect(split.length).toBeGreaterThan(hello.length);
    const pieces = [
      split.subarray(0, 3),
      split.subarray(3, 107),
      split.subarray(107, 250),
      split.subarray(250),
    ];
    const { result, buffered } = await peekAfterSending(pieces);
    expect(result).toMatchObject({ kind: "client-hello", wireLength: split.length });
    expect(buffered.equals(split)).toBe(true);
  });

  it("says closed for a ClientHello cut off by the client's close", async () => {
    const hello = await captureClientHello();
    const { result } = await peekAfterSending([hello.subarray(0, hello.length - 1)], true);
    expect(result).toEqual({ kind: "closed" });
  });

  it("says not-tls, with the first bytes, for a client that sends something else, and takes none of them", async () => {
    const text = Buffer.from("GET / HTTP/1.1\r\n");
    const { result, buffered } = await peekAfterSending([text]);
    expect(result).toEqual({ kind: "not-tls", firstBytes: text });
    expect(buffered.equals(text)).toBe(true);
  });
});
