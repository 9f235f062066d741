import type { SslMode } from "../record/findings";
import type { Scenario } from "../scenarios/scenario-schema";

/**
 * The matchers' signatures on `expect(…)`, for a `jest.Matchers` (or `expect`'s `Matchers`)
 * augmentation. The subject is a {@link ConnectionsSubject}: a record, an array of records, a
 * `MockServer` or a `useMockServer()` fixture. With several connections the positive form passes
 * if ANY matches and `.not` if NONE does; with none, the positive form fails ("the client never
 * connected") and `.not` passes. Synchronous: `await server.settled()` before asserting.
 */
export interface MysqlTlsMockMatchers<R> {
  /** A connection sent an SSLRequest. */
  toHaveSentSslRequest(): R;
  /** A connection completed a TLS handshake (with `version`, e.g. `"TLSv1.2"`, when given). */
  toHaveNegotiatedTls(version?: string): R;
  /** A ClientHello offered exactly these versions, in any order (supported_versions, else legacy_version). */
  toHaveOfferedTlsVersions(versions: readonly string[]): R;
  /** A client rejected the server certificate (with this alert, e.g. `"unknown_ca"`, when given). */
  toHaveRejectedCertificate(alert?: string): R;
  /** A client logged in in plaintext after a greeting without TLS. */
  toHaveFallenBackToPlaintext(): R;
  /** A password-bearing response crossed without TLS. */
  toHaveExposedCredentials(): R;
  /** A connection logged in (as `user` when given). */
  toHaveAuthenticated(user?: string): R;
  /**
   * The connections, judged as one client run in `mode`, are what a correct client does against
   * `scenario` (a loaded scenario, a built-in name or a path): its expected outcome, nothing at
   * `high` or worse.
   */
  toHaveBehavedAsExpected(scenario: Scenario | string, mode: SslMode): R;
}
