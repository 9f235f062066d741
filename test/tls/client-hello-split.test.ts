import { once } from "node:events";
import { Duplex } from "node:stream";
import { type ConnectionOptions, connect as tlsConnect, type TLSSocket } from "node:tls";
import { encodePacket } from "../../src/protocol/framing";
import type { ConnectionRecord } from "../../src/record/connection-record";
import { type MockServer, startMockServer } from "../../src/mock-server";
import {
  assembleClientHello,
  CLIENT_HELLO_MAX_LENGTH,
  MAX_CLIENT_HELLO_RECORDS,
  summarizeClientHello,
} from "../../src/tls/client-hello";
import { captureClientHello } from "../helpers/client-hello";
import { runProcess } from "../helpers/processes";
import { RawClient, sslRequest } from "../helpers/raw-client";

const RECORD_HEADER = 5;

/** The handshake message of a one-record ClientHello re-cut into records of the given sizes (the last takes the rest). */
function recut(record: Buffer, sizes: number[]): Buffer[] {
  const message = record.subarray(RECORD_HEADER);
  const records: Buffer[] = [];
  let offset = 0;
  for (let i = 0; offset < message.length; i++) {
    const size = i < sizes.length ? sizes[i]! : message.length - offset;
    const fragment = message.subarray(offset, offset + size);
    const header = Buffer.from([0x16, record[1]!, record[2]!, 0, 0]);
    header.writeUInt16BE(fragment.length, 3);
    records.push(Buffer.concat([header, fragment]));
    offset += fragment.length;
  }
  return records;
}

/** Lets the server read what was written before the next write goes out, so each lands in its own read. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 30));

/**
 * A real node TLS client behind a real greeting and SSLRequest, whose ClientHello goes out cut into
 * records by `cut`, each record in its own socket write with a pause after it; resolves with the TLS
 * socket once the handshake completes, or the client's error.
 */
async function splitHelloHandshake(
  port: number,
  cut: (record: Buffer) => Buffer[],
  tlsOptions: ConnectionOptions = {},
): Promise<{ tls: TLSSocket | null; error: Error | null; sent: Buffer | null }> {
  const client = await RawClient.connect(port);
  await client.readGreeting();
  const raw = client.socket;
  raw.removeAllListeners("data");
  raw.write(encodePacket(sslRequest(), 1));
  let sent: Buffer | null = null;
  const carrier = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      if (sent !== null) {
        raw.write(chunk, callback);
        return;
      }
      sent = Buffer.from(chunk);
      void (async () => {
        for (const record of cut(sent!)) {
          raw.write(record);
          await pause();
        }
        callback();
      })();
    },
  });
  raw.on("data", (d: Buffer) => carrier.push(d));
  raw.on("end", () => carrier.push(null));
  const tls = tlsConnect({
    socket: carrier,
    rejectUnauthorized: false,
    maxVersion: "TLSv1.2",
    ...tlsOptions,
  });
  try {
    await once(tls, "secureConnect");
    return { tls, error: null, sent };
  } catch (error) {
    raw.destroy();
    return { tls: null, error: error as Error, sent };
  }
}

/** The record of the one connection this test's server took, once it is closed. */
async function onlyRecord(server: MockServer): Promise<ConnectionRecord> {
  const records = await server.settled();
  expect(records).toHaveLength(1);
  return records[0]!;
}

describe("a ClientHello cut into several TLS records", () => {
  it("is recorded whole from openssl s_client, which cuts it at -max_send_frag", async () => {
    await using server = await startMockServer({ serverVersion: "8.0.36", tls: { maxVersion: "TLSv1.3" } });
    // 120 ALPN ids make a ClientHello of about 2.5 KiB: six records of at most 512 bytes.
    const alpn = Array.from({ length: 120 }, (_, i) => `protocol-${i}`);
    const result = await runProcess("openssl", [
      "s_client",
      "-starttls",
      "mysql",
      "-connect",
      `127.0.0.1:${server.port}`,
      "-max_send_frag",
      "512",
      "-alpn",
      alpn.join(","),
      "-msg",
    ]);
    const helloRecords = result.stdout.split("\n").filter((line) => /^>>> .*RecordHeader/.test(line));
    // -msg prints a header line for every record before the ClientHello itself.
    expect(result.stdout.indexOf("ClientHello")).toBeGreaterThan(0);
    expect(helloRecords.length).toBeGreaterThanOrEqual(3);
    const record = await onlyRecord(server);
    expect(record.tls).toMatchObject({ outcome: "negotiated", version: "TLSv1.3" });
    expect(record.tls?.clientHello?.alpn).toEqual(alpn);
    expect(record.tls?.clientHello?.supportedVersions).toContain("TLSv1.3");
  });

  it("is reassembled from records that arrive in separate reads, and the handshake completes", async () => {
    await using server = await startMockServer({ tls: { maxVersion: "TLSv1.2" } });
    // The first record holds less than the 4-byte handshake header, the second splits the suites.
    const { tls, sent } = await splitHelloHandshake(server.port, (hello) => recut(hello, [3, 60]));
    expect(tls).not.toBeNull();
    tls!.end();
    const record = await onlyRecord(server);
    expect(record.tls).toMatchObject({ outcome: "negotiated", version: "TLSv1.2" });
    expect(record.tls?.clientHello).toEqual(summarizeClientHello(sent!));
  });

  it("keeps the ClientHello and how many bytes followed it when a split hello's handshake fails", async () => {
    await using server = await startMockServer({ tls: { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" } });
    const { error, sent } = await splitHelloHandshake(server.port, (hello) => recut(hello, [100]), {
      minVersion: "TLSv1.3",
      maxVersion: "TLSv1.3",
    });
    expect(error).not.toBeNull();
    const record = await onlyRecord(server);
    expect(record.tls).toMatchObject({
      outcome: "failed",
      failure: { cause: "protocol-version", bytesAfterClientHello: 0 },
      clientHello: summarizeClientHello(sent!),
    });
  });

  it("is left unrecorded past the record bound, while the handshake itself still completes", async () => {
    await using server = await startMockServer({ tls: { maxVersion: "TLSv1.2" } });
    const tiny = (hello: Buffer) => {
      const records = recut(hello, Array(hello.length).fill(2));
      expect(records.length).toBeGreaterThan(MAX_CLIENT_HELLO_RECORDS);
      // One write: the bound, not the pauses, is what this is about.
      return [Buffer.concat(records)];
    };
    const { tls } = await splitHelloHandshake(server.port, tiny);
    expect(tls).not.toBeNull();
    tls!.end();
    const record = await onlyRecord(server);
    expect(record.tls).toMatchObject({ outcome: "negotiated", clientHello: null });
  });
});

describe("assembleClientHello", () => {
  it("joins a real ClientHello from its records and measures the bytes they take", async () => {
    const hello = await captureClientHello({ maxVersion: "TLSv1.3", servername: "db.example" });
    const records = Buffer.concat(recut(hello, [1, 2, 3, 50]));
    const assembly = assembleClientHello(records);
    expect(assembly).toMatchObject({ kind: "complete", records: 5, wireLength: records.length });
    if (assembly.kind !== "complete") throw new Error("incomplete");
    expect(assembly.message.equals(hello.subarray(RECORD_HEADER))).toBe(true);
  });

  it("asks for exactly the bytes still missing, a header or a record at a time", async () => {
    const hello = await captureClientHello();
    const records = Buffer.concat(recut(hello, [10]));
    expect(assembleClientHello(records.subarray(0, 3))).toEqual({ kind: "incomplete", needBytes: 5 });
    expect(assembleClientHello(records.subarray(0, 7))).toEqual({ kind: "incomplete", needBytes: 15 });
    expect(assembleClientHello(records.subarray(0, 15))).toEqual({ kind: "incomplete", needBytes: 20 });
    expect(assembleClientHello(records.subarray(0, 21))).toEqual({
      kind: "incomplete",
      needBytes: records.length,
    });
  });

  it("refuses without waiting a claimed length above OpenSSL's maximum, a non-handshake record and a record above 2^14", () => {
    const header = (length: number) => Buffer.from([0x16, 3, 1, (length >> 8) & 0xff, length & 0xff]);
    const huge = Buffer.concat([header(4), Buffer.from([1, 0x03, 0x00, 0x00])]);
    expect(0x030000).toBeGreaterThan(CLIENT_HELLO_MAX_LENGTH);
    expect(assembleClientHello(huge)).toMatchObject({
      kind: "invalid",
      detail: expect.stringContaining("131396"),
    });
    const alertNext = Buffer.concat([header(2), Buffer.from([1, 0]), Buffer.from([0x15, 3, 3, 0, 2, 2, 40])]);
    expect(assembleClientHello(alertNext)).toMatchObject({ kind: "invalid", offset: 7 });
    expect(assembleClientHello(header(16_385))).toMatchObject({ kind: "invalid", offset: 0 });
    expect(assembleClientHello(Buffer.concat([header(4), Buffer.from([2, 0, 0, 0])]))).toMatchObject({
      kind: "invalid",
      detail: "not a ClientHello",
    });
  });

  it("measures null when the last record goes on past the ClientHello", async () => {
    const hello = await captureClientHello();
    const last = Buffer.concat([hello.subarray(RECORD_HEADER), Buffer.from([0x0b, 0, 0, 0])]);
    const record = Buffer.concat([Buffer.from([0x16, 3, 1, 0, 0]), last]);
    record.writeUInt16BE(last.length, 3);
    expect(assembleClientHello(record)).toMatchObject({ kind: "complete", wireLength: null });
  });
});
