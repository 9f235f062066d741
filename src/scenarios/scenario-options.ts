import type { Account } from "../auth/accounts";
import type { MockServerOptions, TlsOptions } from "../server/options";
import { MYSQL_57_YASSL_CIPHERS, mysql57CipherString } from "../tls/mysql-ciphers";
import { compareTlsVersions, type TlsVersion } from "../tls/tls-versions";
import { ScenarioError } from "./load-scenario";
import type { Scenario } from "./scenario-schema";

/** Named cipher lists a scenario may ask for instead of an OpenSSL string. */
const CIPHER_PROFILES: Record<string, () => string> = {
  "mysql-5.7-openssl": () => mysql57CipherString(),
  "mysql-5.7-yassl": () => mysql57CipherString(MYSQL_57_YASSL_CIPHERS),
};

/** The range the versions span; the schema has checked they leave no gap. */
function versionRange(versions: TlsVersion[]): { minVersion: TlsVersion; maxVersion: TlsVersion } {
  const sorted = [...versions].sort(compareTlsVersions);
  return { minVersion: sorted[0]!, maxVersion: sorted[sorted.length - 1]! };
}

/**
 * The one place a scenario becomes server options. Extra accounts (from the CLI's --user, say)
 * are added; an extra account with a user the scenario already has replaces it.
 */
export function scenarioToOptions(scenario: Scenario, extraAccounts: Account[] = []): MockServerOptions {
  // The keys renamed or mapped on the way; every other key of `server` is an option of the same name.
  const { version, unixSocket, versionComment, tls: tlsSpec, rsaKeys, ...sameName } = scenario.server ?? {};
  if (/^5\.7\./.test(version ?? "5.7.41") && tlsSpec && tlsSpec.versions?.includes("TLSv1.3")) {
    // vio/viosslfactories.c forces SSL_OP_NO_TLSv1_3 in every 5.7 release (facts sheet §0.1).
    throw new ScenarioError(
      scenario.source,
      "server.tls.versions",
      "no MySQL 5.7 release negotiates TLSv1.3; use an 8.0 version",
    );
  }
  let tls: TlsOptions | false = false;
  if (tlsSpec !== false) {
    const spec = tlsSpec ?? {};
    tls = {
      ...(spec.versions ? versionRange(spec.versions) : {}),
      ...(spec.ciphers ? { ciphers: CIPHER_PROFILES[spec.ciphers]?.() ?? spec.ciphers } : {}),
      ...(spec.certificates ? { certificates: spec.certificates } : {}),
      ...(spec.clientCertificates ? { clientCertificates: spec.clientCertificates } : {}),
    };
  }
  const extraUsers = new Set(extraAccounts.map((a) => a.user));
  // The caller's accounts first: tools that suggest a login pick the first account.
  const accounts = [...extraAccounts, ...(scenario.accounts ?? []).filter((a) => !extraUsers.has(a.user))];
  return {
    ...sameName,
    tls,
    ...(version ? { serverVersion: version } : {}),
    ...(unixSocket ? { socketPath: true as const } : {}),
    ...(versionComment ? { versionComment } : {}),
    ...(rsaKeys === false ? { rsaKeys: false as const } : {}),
    ...(accounts.length > 0 ? { accounts } : {}),
  };
}
