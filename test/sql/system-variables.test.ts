import {
  findSystemVariable,
  listSystemVariables,
  showVariableValue,
  variableColumnType,
} from "../../src/sql/system-variables";
import { tlsContext, tlsDisabledContext } from "./fixtures";

const value = (name: string, context = tlsContext()) => findSystemVariable(name, context)?.value;

describe("system variables", () => {
  it("has 5.7.41's defaults for what connectors read after login", () => {
    expect(value("max_allowed_packet")).toBe(4194304);
    expect(value("net_buffer_length")).toBe(16384);
    expect(value("wait_timeout")).toBe(28800);
    expect(value("interactive_timeout")).toBe(28800);
    expect(value("net_write_timeout")).toBe(60);
    expect(value("connect_timeout")).toBe(10);
    expect(value("auto_increment_increment")).toBe(1);
    expect(value("character_set_server")).toBe("latin1");
    expect(value("collation_server")).toBe("latin1_swedish_ci");
    expect(value("character_set_client")).toBe("utf8");
    expect(value("collation_connection")).toBe("utf8_general_ci");
    expect(value("init_connect")).toBe("");
    expect(value("license")).toBe("GPL");
    expect(value("lower_case_table_names")).toBe(0);
    expect(value("query_cache_size")).toBe(1048576);
    expect(value("query_cache_type")).toBe("OFF");
    expect(value("sql_mode")).toBe(
      "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION",
    );
    expect(value("system_time_zone")).toBe("UTC");
    expect(value("time_zone")).toBe("SYSTEM");
    expect(value("tx_isolation")).toBe("REPEATABLE-READ");
    expect(value("transaction_isolation")).toBe("REPEATABLE-READ");
    expect(value("tx_read_only")).toBe(0);
    expect(value("autocommit")).toBe(1);
    expect(value("performance_schema")).toBe(1);
    expect(value("default_authentication_plugin")).toBe("mysql_native_password");
    expect(value("tls_version")).toBe("TLSv1,TLSv1.1,TLSv1.2");
    expect(value("require_secure_transport")).toBe(0);
    expect(value("version_compile_os")).toBe("Linux");
    expect(value("version_compile_machine")).toBe("x86_64");
    expect(value("sql_select_limit")).toBe(18446744073709551615n);
  });

  it("takes the version, comment and connection id from the session", () => {
    const context = tlsContext({
      serverVersion: "5.7.41-log",
      versionComment: "Source distribution",
      connectionId: 42,
    });
    expect(value("version", context)).toBe("5.7.41-log");
    expect(value("version_comment", context)).toBe("Source distribution");
    expect(value("innodb_version", context)).toBe("5.7.41");
    expect(value("pseudo_thread_id", context)).toBe(42);
  });

  it("reports have_ssl and have_openssl YES and the autodiscovered file names when TLS is offered", () => {
    expect(value("have_ssl")).toBe("YES");
    expect(value("have_openssl")).toBe("YES");
    expect([value("ssl_ca"), value("ssl_cert"), value("ssl_key")]).toEqual([
      "ca.pem",
      "server-cert.pem",
      "server-key.pem",
    ]);
  });

  it("reports have_ssl DISABLED and unset (NULL) ssl files when TLS is not offered", () => {
    const context = tlsDisabledContext();
    expect(value("have_ssl", context)).toBe("DISABLED");
    expect(value("have_openssl", context)).toBe("DISABLED");
    expect(value("ssl_ca", context)).toBeNull();
  });

  it("finds names case-insensitively and knows nothing of Object.prototype", () => {
    expect(findSystemVariable("MAX_Allowed_Packet", tlsContext())?.name).toBe("max_allowed_packet");
    expect(findSystemVariable("constructor", tlsContext())).toBeUndefined();
    expect(findSystemVariable("__proto__", tlsContext())).toBeUndefined();
  });

  it("lets context.systemVariables override a built-in while keeping its type", () => {
    const context = tlsContext({
      systemVariables: {
        require_secure_transport: "ON",
        MAX_ALLOWED_PACKET: "67108864",
        tls_version: "TLSv1.2",
      },
    });
    expect(findSystemVariable("require_secure_transport", context)).toMatchObject({
      kind: "boolean",
      value: 1,
    });
    expect(findSystemVariable("max_allowed_packet", context)).toMatchObject({
      kind: "unsigned",
      value: 67108864,
    });
    expect(value("tls_version", context)).toBe("TLSv1.2");
  });

  it("adds variables named in context.systemVariables, typed by their value", () => {
    const context = tlsContext({ systemVariables: { my_flag: 3, my_text: "x", my_null: null } });
    expect(findSystemVariable("my_flag", context)).toMatchObject({
      kind: "unsigned",
      value: 3,
      scope: "both",
    });
    expect(findSystemVariable("my_text", context)).toMatchObject({ kind: "string", value: "x" });
    expect(findSystemVariable("my_null", context)).toMatchObject({ kind: "string", value: null });
  });

  it("lists every variable sorted by name, additions included", () => {
    const names = listSystemVariables(tlsContext({ systemVariables: { aaa_custom: 1 } })).map((v) => v.name);
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe("aaa_custom");
    expect(names).toContain("have_ssl");
  });

  it("shows booleans as ON/OFF and NULL as an empty string, as SHOW VARIABLES does", () => {
    const context = tlsDisabledContext();
    expect(showVariableValue(findSystemVariable("autocommit", context)!)).toBe("ON");
    expect(showVariableValue(findSystemVariable("require_secure_transport", context)!)).toBe("OFF");
    expect(showVariableValue(findSystemVariable("ssl_ca", context)!)).toBe("");
    expect(showVariableValue(findSystemVariable("max_allowed_packet", context)!)).toBe("4194304");
  });

  it("types ulong variables as unsigned integers and booleans as signed ones", () => {
    const context = tlsContext();
    expect(variableColumnType(findSystemVariable("max_allowed_packet", context)!)).toEqual({
      type: "integer",
      unsigned: true,
    });
    expect(variableColumnType(findSystemVariable("autocommit", context)!)).toEqual({ type: "integer" });
    expect(variableColumnType(findSystemVariable("version", context)!)).toEqual({ type: "string" });
  });
});
