import type { QueryAnswer, QueryContext, ResultColumn } from "./query-answer";
import { parseShowFilter, type ShowRow } from "./show-filter";
import { listStatusVariables } from "./status-variables";
import { listSystemVariables, showVariableValue } from "./system-variables";
import type { TokenCursor } from "./token-cursor";

/** A parsed `SHOW [GLOBAL|SESSION|LOCAL] STATUS|VARIABLES [LIKE …|WHERE …]`. */
export interface ShowStatement {
  what: "STATUS" | "VARIABLES";
  scope: "GLOBAL" | "SESSION";
  filter: (row: ShowRow) => boolean;
}

const SHOW_COLUMNS: ResultColumn[] = [
  { name: "Variable_name", type: "string" },
  { name: "Value", type: "string" },
];

/**
 * Parses a SHOW statement whose leading `SHOW` the cursor has already consumed. Returns undefined
 * for any other SHOW (or trailing text) so the caller can leave it unhandled.
 */
export function parseShow(cursor: TokenCursor): ShowStatement | undefined {
  // LOCAL is MySQL's synonym for SESSION, which is also the default.
  const scope = cursor.acceptKeyword("GLOBAL", "SESSION", "LOCAL") === "GLOBAL" ? "GLOBAL" : "SESSION";
  const what = cursor.acceptKeyword("STATUS", "VARIABLES");
  if (what !== "STATUS" && what !== "VARIABLES") return undefined;
  const filter = parseShowFilter(cursor);
  if (!filter || !cursor.atEnd()) return undefined;
  return { what, scope, filter };
}

/**
 * Lists the rows a SHOW statement selects: `SHOW GLOBAL …` leaves out session-only variables;
 * `SHOW SESSION …` lists every variable, the global-only ones with their global value.
 */
export function answerShow(statement: ShowStatement, context: QueryContext): QueryAnswer {
  const rows: ShowRow[] =
    statement.what === "STATUS"
      ? listStatusVariables(context)
          .filter((v) => statement.scope === "SESSION" || v.scope !== "session")
          .map((v) => ({ name: v.name, value: v.value }))
      : listSystemVariables(context)
          .filter((v) => statement.scope === "SESSION" || v.scope !== "session")
          .map((v) => ({ name: v.name, value: showVariableValue(v) }));
  return {
    kind: "resultset",
    columns: SHOW_COLUMNS.map((c) => ({ ...c })),
    rows: rows.filter(statement.filter).map((row) => [row.name, row.value]),
  };
}
