import type { AuditCell } from "../audit-report";
import { connectionFacts, exitText, formatDuration, observedText } from "./cell-text";

/**
 * Everything a report knows about one run as plain text: what the JUnit failure body and a CI log
 * show, where no markup is rendered.
 */
export function cellDetailText(cell: AuditCell): string {
  const lines = [
    `${cell.scenario} × ${cell.mode}: ${cell.detail}`,
    "",
    `expected: ${cell.expected}${cell.why ? ` (${cell.why})` : ""}`,
    `observed: ${observedText(cell)}`,
    `verdict: ${cell.verdict ?? "none"}`,
    `command: ${cell.command}`,
    `exit code: ${exitText(cell)}, took ${formatDuration(cell.durationMs)}`,
  ];
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
