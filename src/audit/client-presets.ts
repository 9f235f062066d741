import type { SslMode } from "../scenarios/scenario-schema";

/**
 * Clients the audit knows by name, so `--client mariadb-cli` needs no template. A preset is a
 * template per ssl-mode, because a client's flags for a mode are not always a `{mode}` away.
 */
export type ClientPreset = (mode: SslMode, overSocket: boolean) => string;

/**
 * Debian's `mariadb` 10.11 client. It has no --ssl-mode: `--ssl` is on by default (PREFERRED
 * behaviour), so the closest spelling of REQUIRED is `--ssl`, and only `--ssl-verify-server-cert`
 * makes TLS mandatory and checks the host (see docs/discoveries.md for how it deviates).
 */
export function mariadbCliSslFlags(mode: SslMode, caFile: string): string[] {
  switch (mode) {
    case "DISABLED":
      return ["--skip-ssl"];
    case "PREFERRED":
      return [];
    case "REQUIRED":
      return ["--ssl"];
    case "VERIFY_CA":
      return ["--ssl", `--ssl-ca=${caFile}`];
    case "VERIFY_IDENTITY":
      return [`--ssl-ca=${caFile}`, "--ssl-verify-server-cert"];
  }
}

const mariadbCli: ClientPreset = (mode, overSocket) =>
  [
    "mariadb --no-defaults",
    overSocket ? "--protocol=SOCKET --socket={socket}" : "--protocol=TCP -h {host} -P {port}",
    "-u {user} -p{password} --connect-timeout=10 --batch",
    ...mariadbCliSslFlags(mode, "{ca}"),
    "-e 'SELECT 1'",
  ].join(" ");

/** The presets by the name `--client` takes. */
export const CLIENT_PRESETS: Readonly<Record<string, ClientPreset>> = {
  "mariadb-cli": mariadbCli,
};
