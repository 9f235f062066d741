import { asn1TimePrint, compareBytewise, listStatusVariables } from "../../src/sql/status-variables";
import { plaintextContext, tlsContext, tlsDisabledContext } from "./fixtures";

const status = (context = tlsContext()) =>
  new Map(listStatusVariables(context).map((v) => [v.name, v.value]));

describe("status variables", () => {
  it("lists variables in MySQL's bytewise order, Ssl_accept_renegotiates before Ssl_accepts", () => {
    const names = listStatusVariables(tlsContext()).map((v) => v.name);
    expect(names).toEqual([...names].sort(compareBytewise));
    expect(names.indexOf("Ssl_accept_renegotiates")).toBeLessThan(names.indexOf("Ssl_accepts"));
    expect(names.indexOf("Ssl_session_cache_timeouts")).toBeLessThan(names.indexOf("Ssl_sessions_reused"));
  });

  it("reports the negotiated version, cipher and cipher list of a TLS session", () => {
    const values = status();
    expect(values.get("Ssl_version")).toBe("TLSv1.2");
    expect(values.get("Ssl_cipher")).toBe("ECDHE-RSA-AES128-GCM-SHA256");
    expect(values.get("Ssl_cipher_list")).toBe("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384");
    expect(values.get("Ssl_verify_mode")).toBe("5");
    expect(values.get("Ssl_verify_depth")).toBe("18446744073709551615");
    expect(values.get("Ssl_default_timeout")).toBe("7200");
    expect(values.get("Ssl_sessions_reused")).toBe("0");
  });

  it("reports empty strings and zeros for the session on a plaintext connection", () => {
    const values = status(plaintextContext());
    expect(values.get("Ssl_version")).toBe("");
    expect(values.get("Ssl_cipher")).toBe("");
    expect(values.get("Ssl_cipher_list")).toBe("");
    expect(values.get("Ssl_verify_mode")).toBe("0");
    expect(values.get("Ssl_default_timeout")).toBe("0");
  });

  it("keeps the server certificate's validity on a plaintext session, as 5.7 does", () => {
    const values = status(plaintextContext());
    expect(values.get("Ssl_server_not_after")).toBe("Feb  9 23:12:30 2031 GMT");
    expect(values.get("Ssl_server_not_before")).toBe("Feb 11 23:12:30 2021 GMT");
    expect(values.get("Ssl_ctx_verify_mode")).toBe("5");
  });

  it("shows no certificate dates and an idle TLS context when the server has no TLS", () => {
    const values = status(tlsDisabledContext());
    expect(values.get("Ssl_server_not_after")).toBe("");
    expect(values.get("Ssl_ctx_verify_depth")).toBe("0");
    expect(values.get("Ssl_session_cache_mode")).toBe("NONE");
  });

  it("derives Connections from the connection id and keeps counters consistent with COM_STATISTICS", () => {
    const values = status(tlsContext({ connectionId: 12 }));
    expect(values.get("Connections")).toBe("12");
    expect(values.get("Uptime")).toBe("1");
    expect(values.get("Threads_connected")).toBe("1");
  });

  it("lets context.statusVariables override values case-insensitively and add new rows in order", () => {
    const variables = listStatusVariables(
      tlsContext({ statusVariables: { ssl_version: "TLSv1.1", Uptime: 3600, Zz_custom: null } }),
    );
    const values = new Map(variables.map((v) => [v.name, v.value]));
    expect(values.get("Ssl_version")).toBe("TLSv1.1");
    expect(values.has("ssl_version")).toBe(false);
    expect(values.get("Uptime")).toBe("3600");
    expect(variables.at(-1)).toEqual({ name: "Zz_custom", scope: "both", value: "" });
  });
});

describe("asn1TimePrint", () => {
  it("pads a single-digit day with a space, as ASN1_TIME_print does", () => {
    expect(asn1TimePrint(new Date("2031-02-09T23:12:30Z"))).toBe("Feb  9 23:12:30 2031 GMT");
    expect(asn1TimePrint(new Date("2024-12-25T01:02:03Z"))).toBe("Dec 25 01:02:03 2024 GMT");
  });

  it("prints nothing for a missing or invalid date", () => {
    expect(asn1TimePrint(undefined)).toBe("");
    expect(asn1TimePrint(new Date("not a date"))).toBe("");
  });
});
