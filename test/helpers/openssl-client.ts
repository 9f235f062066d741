import { type ProcessResult, runProcess } from "./processes";

/**
 * Runs `openssl s_client -starttls mysql`: it reads the greeting, sends its fixed SSLRequest and
 * performs a TLS handshake, then quits on end of input.
 */
export function runOpensslStartTls(port: number, extraArgs: string[] = []): Promise<ProcessResult> {
  return runProcess(
    "openssl",
    ["s_client", "-starttls", "mysql", "-connect", `127.0.0.1:${port}`, ...extraArgs],
    {
      input: "",
    },
  );
}
