import type { Account } from "../auth/accounts";
import type { CertificateSetName } from "../certs";
import type { MockServerOptions, TlsOptions } from "../server/options";
import { MYSQL_57_YASSL_CIPHERS, mysql57CipherString } from "../tls/mysql-ciphers";
import { compareTlsVersions, TLS_VERSIONS, type TlsVersion } from "../tls/tls-versions";
import { ScenarioError } from "./load-scenario";
import type { Scenario } from "./scenario-schema";

/** Named cipher lists a scenario may ask for instead of an OpenSSL string. */
const CIPHER_PROFILES: Record<string, () => string> = {
  "mysql-5.7-openssl": () => mysql57CipherString(),
  "mysql-5.7-yassl": () => mysql57CipherString(MYSQL_57_YASSL_CIPHERS),
};

function versionRange(
  scenario: Scenario,
  versions: TlsVersion[],
): { minVersion: TlsVersion; maxVersion: TlsVersion } {
  const sorted = [...versions].sort(compareTlsVersions);
  const first = TLS_VERSIONS.indexOf(sorted[0]!);
  if (sorted.some((v, i) => TLS_VERSIONS.indexOf(v) !== first + i)) {
    throw new ScenarioError(
      scenario.source,
      "server.tls.versions",
      "the versions must form a range without gaps (node:tls serves a range)",
    );
  }
  return { minVersion: sorted[0]!, maxVersion: sorted[sorted.length - 1]! };
}

/**
 * The one place a scenario becomes server options. Extra accounts (from the CLI's --user, say)
 * are added; an extra account with a user the scenario already has replaces it.
 */
export function scenarioToOptions(scenario: Scenario, extraAccounts: Account[] = []): MockServerOptions {
  const server = scenario.server ?? {};
  if (/^5\.7\./.test(server.version ?? "5.7.41") && server.tls && server.tls.versions?.includes("TLSv1.3")) {
    // vio/viosslfactories.c forces SSL_OP_NO_TLSv1_3 in every 5.7 release (facts sheet §0.1).
    throw new ScenarioError(
      scenario.source,
      "server.tls.versions",
      "no MySQL 5.7 release negotiates TLSv1.3; use an 8.0 version",
    );
  }
  let tls: TlsOptions | false = false;
  if (server.tls !== false) {
    const spec = server.tls ?? {};
    tls = {
      ...(spec.versions ? versionRange(scenario, spec.versions) : {}),
      ...(spec.ciphers ? { ciphers: CIPHER_PROFILES[spec.ciphers]?.() ?? spec.ciphers } : {}),
      ...(spec.certificates ? { certificates: spec.certificates as CertificateSetName } : {}),
      ...(spec.clientCertificates ? { clientCertificates: spec.clientCertificates } : {}),
    };
  }
  const extraUsers = new Set(extraAccounts.map((a) => a.user));
  // The caller's accounts first: tools that suggest a login pick the first account.
  const accounts = [...extraAccounts, ...(scenario.accounts ?? []).filter((a) => !extraUsers.has(a.user))];
  return {
    tls,
    ...(server.version ? { serverVersion: server.version } : {}),
    ...(server.unixSocket ? { socketPath: true as const } : {}),
    ...(server.versionComment ? { versionComment: server.versionComment } : {}),
    ...(server.capabilityFlags !== undefined ? { capabilityFlags: server.capabilityFlags } : {}),
    ...(server.characterSet !== undefined ? { characterSet: server.characterSet } : {}),
    ...(server.authPluginDataLengthByte !== undefined
      ? { authPluginDataLengthByte: server.authPluginDataLengthByte }
      : {}),
    ...(server.zeroConfigFingerprint ? { zeroConfigFingerprint: server.zeroConfigFingerprint } : {}),
    ...(server.mariadbCapabilities !== undefined ? { mariadbCapabilities: server.mariadbCapabilities } : {}),
    ...(server.requireSecureTransport !== undefined
      ? { requireSecureTransport: server.requireSecureTransport }
      : {}),
    ...(server.systemVariables ? { systemVariables: server.systemVariables } : {}),
    ...(server.faults ? { faults: server.faults } : {}),
    ...(server.defaultAuthPlugin ? { defaultAuthPlugin: server.defaultAuthPlugin } : {}),
    ...(server.rsaKeys === false ? { rsaKeys: false as const } : {}),
    ...(server.cachingSha2CacheWarm !== undefined
      ? { cachingSha2CacheWarm: server.cachingSha2CacheWarm }
      : {}),
    ...(accounts.length > 0 ? { accounts } : {}),
  };
}
