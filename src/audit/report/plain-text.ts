import type { AuditCell } from "../audit-report";
import { type CellFactLabel, cellFacts, connectionFacts } from "./cell-text";

/**
 * Everything a report knows about one run as plain text: what the JUnit failure body and a CI log
 * show, where no markup is rendered.
 */
export function cellDetailText(cell: AuditCell): string {
  const facts = new Map<CellFactLabel, string>(cellFacts(cell));
  const why = facts.get("Why");
  const exit = facts.get("Exit code");
  const lines = [
    `${cell.scenario} × ${cell.mode}: ${facts.get("What happened")}`,
    "",
    `expected: ${facts.get("Expected")}${why ? ` (${why})` : ""}`,
    `observed: ${facts.get("Observed")}`,
    `verdict: ${facts.get("Verdict")}`,
    `severity: ${facts.get("Severity")}`,
    `client: ${facts.get("Client")}`,
    `command: ${cell.command}`,
    ...(exit === undefined ? [] : [`exit code: ${exit}, took ${facts.get("Took")}`]),
  ];
  if (cell.status === "not-run") return lines.join("\n");
  if (cell.connections.length === 0) lines.push("connections: none reached the server");
  for (const connection of cell.connections) {
    // The first fact is the id, already in the line that opens the connection.
    const facts = connectionFacts(connection).slice(1);
    lines.push(`connection #${connection.id}:`, ...facts.map(([label, value]) => `  ${label}: ${value}`));
  }
  lines.push(
    cell.stderrTail ? `stderr (last lines):\n${cell.stderrTail.replace(/\n$/, "")}` : "stderr: empty",
  );
  return lines.join("\n");
}
