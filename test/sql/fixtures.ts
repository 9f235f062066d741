import type { QueryContext } from "../../src/sql";

/** A session of `app` over TLSv1.2 against a 5.7.41 server whose certificate expires in 2031. */
export function tlsContext(overrides: Partial<QueryContext> = {}): QueryContext {
  return {
    serverVersion: "5.7.41",
    versionComment: "MySQL Community Server (GPL)",
    connectionId: 7,
    user: "app",
    clientHost: "localhost",
    accountHost: "%",
    database: null,
    tls: {
      version: "TLSv1.2",
      cipher: "ECDHE-RSA-AES128-GCM-SHA256",
      cipherList: ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384"],
    },
    serverCertificate: {
      notBefore: new Date("2021-02-11T23:12:30Z"),
      notAfter: new Date("2031-02-09T23:12:30Z"),
    },
    tlsOffered: true,
    ...overrides,
  };
}

/** The same server, but the client did not switch to TLS. */
export function plaintextContext(overrides: Partial<QueryContext> = {}): QueryContext {
  return tlsContext({ tls: null, ...overrides });
}

/** A server started without TLS: no certificate, TLS not offered. */
export function tlsDisabledContext(overrides: Partial<QueryContext> = {}): QueryContext {
  return tlsContext({ tls: null, tlsOffered: false, serverCertificate: null, ...overrides });
}
