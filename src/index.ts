/**
 * mysql-tls-mock: a scriptable fake MySQL server for testing how MySQL clients behave around TLS.
 *
 * @packageDocumentation
 */

export type { Account } from "./auth/accounts";
export type {
  ConnectionOutcome,
  ConnectionRecord,
  PacketRecord,
  Phase,
  TlsRecord,
} from "./record/connection-record";
export type { MockServerEvent, MockServerEventType } from "./record/events";
export { type Verdict, type VerdictKind, verdictOf } from "./record/verdict";
export { type Finding, findingsOf, SEVERITIES, type Severity, severityIn } from "./record/findings";
export { type ConnectionFacts, type CertificateRefusal, factsOf } from "./record/facts";
export { judgeRun, observedOutcome, type RunJudgement } from "./record/judgement";
export type { CertificateAssessment, CertificateFlaw } from "./certs/assess-certificate";
export { ServerConfigurationError } from "./options/configuration-error";
export {
  ConnectionRecordDroppedError,
  type MockServer,
  ServerStoppedError,
  type StartOptions,
  startMockServer,
} from "./mock-server";
export { AUDITED_ATTACKS, attackScenarios } from "./audit/proxy-attacks";
export type { UpstreamTarget } from "./audit/audit-target";
export { type MockProxy, type StartProxyOptions, startMockProxy } from "./mock-proxy";
export type { MockProxyOptions, ProxyAttack } from "./options/proxy-options";
export { SinkOverrunWarning, type SinkWarning, SinkWriteError } from "./record/append-sink";
export { CLIENT_SSL_WITHOUT_TLS, type ClientSslWithoutTls } from "./options/client-ssl-without-tls";
export {
  FAULT_ACTIONS,
  FAULT_POINTS,
  type FaultAction,
  type FaultPoint,
  type Faults,
} from "./options/faults";
export type { MockServerOptions } from "./options/server-options";
export type { TlsOptions } from "./options/tls-options";
export type { ClientHelloSummary } from "./tls/client-hello";
export type { TlsFailure, TlsFailureCause } from "./tls/tls-failure";
export type { TlsVersion } from "./tls/tls-versions";
export { builtinScenarioNames, loadScenario, ScenarioError } from "./scenarios/load-scenario";
export {
  type ClientOutcome,
  type DroppedExpectations,
  type Expectation,
  type Scenario,
  type ScenarioFile,
  type ScenarioNote,
  type ScenarioOrigin,
  SSL_MODES,
  type SslMode,
  scenarioJsonSchema,
} from "./scenarios/scenario-schema";
export { AuditInterrupted, type AuditOptions, runAudit } from "./audit/run-audit";
export type { AuditCell, AuditConnection, AuditReport, AuditStatus } from "./audit/audit-report";
export type { ClientPreset } from "./audit/client-presets";
export {
  type CertificateSet,
  type CertificateSetName,
  CertificateWriteError,
  getCertificateSet,
  listCertificateSets,
  writeCertificateSet,
} from "./certs";
