import { connect } from "node:net";
import { checkServerIdentity, connect as tlsConnect } from "node:tls";
import { CapabilityFlags, CharacterSet, MAX_PACKET_LENGTH } from "../protocol/constants";
import { encodePacket, PacketFramer } from "../protocol/framing";
import { decodeHandshakeV10 } from "../protocol/packets/handshake-v10";
import { encodeSslRequest } from "../protocol/packets/ssl-request";

/** The real server's certificate as the audit checks it against the address clients will use. */
export interface UpstreamCertificate {
  /** The certificate names `host` as a verifying client checks it (node's checkServerIdentity). */
  namesHost: boolean;
  /** Why not, in node's words; null when it does. */
  mismatch: string | null;
}

/** The capabilities of the SSLRequest that fetches the certificate: a 4.1 client asking for TLS. */
const FETCH_CAPABILITIES = CapabilityFlags.CLIENT_PROTOCOL_41 | CapabilityFlags.CLIENT_SSL;

/**
 * Reads the real server's certificate (greeting, SSLRequest, TLS handshake, no login) and checks it
 * for `host`, the address clients reach the proxy at: a client that verifies the name checks it
 * against that address, not the server's. Null when the server offers no TLS.
 */
export async function checkUpstreamCertificate(
  upstream: { host: string; port: number },
  host: string,
  timeoutMs = 10_000,
): Promise<UpstreamCertificate | null> {
  const socket = connect(upstream.port, upstream.host);
  try {
    return await new Promise<UpstreamCertificate | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
      socket.once("error", reject);
      socket.once("close", () => reject(new Error("the server closed the connection")));
      const frames = new PacketFramer();
      const onData = (chunk: Buffer) => {
        const [greeting] = frames.push(chunk, { limit: 1 });
        if (!greeting) return;
        socket.removeListener("data", onData);
        const offered = decodeHandshakeV10(greeting.payload).capabilityFlags & CapabilityFlags.CLIENT_SSL;
        if (!offered) {
          clearTimeout(timer);
          resolve(null);
          return;
        }
        socket.write(encodePacket(sslRequest(), greeting.sequenceId + 1));
        const tls = tlsConnect({ socket, rejectUnauthorized: false });
        tls.once("error", reject);
        tls.once("secureConnect", () => {
          clearTimeout(timer);
          const mismatch = checkServerIdentity(host, tls.getPeerCertificate());
          tls.destroy();
          resolve({ namesHost: mismatch === undefined, mismatch: mismatch?.message ?? null });
        });
      };
      socket.on("data", onData);
    });
  } finally {
    socket.destroy();
  }
}

function sslRequest(): Buffer {
  return encodeSslRequest({
    form: "41",
    capabilityFlags: FETCH_CAPABILITIES,
    maxPacketSize: MAX_PACKET_LENGTH,
    characterSet: CharacterSet.utf8mb4_general_ci,
    reserved: Buffer.alloc(0),
    trailing: Buffer.alloc(0),
  });
}
