/*
 * LOAD DATA LOCAL, as a rogue server (or a man in the middle) uses it: the request for a client's
 * file that nothing in the protocol ties to a statement the client sent (MySQL manual, "Security
 * Considerations for LOAD DATA LOCAL").
 */

/**
 * MySQL's answer to a LOAD DATA that loaded nothing (ER_LOAD_INFO, sql/sql_load.cc). An OK is what
 * every client expects after the empty packet (PyMySQL reads anything else as "Commands Out of
 * Sync"); a client that refused reports its own error anyway, and one that sent the file reports
 * its query done, as a victim of the real attack would see it.
 */
export const LOAD_INFO = "Records: 0  Deleted: 0  Skipped: 0  Warnings: 0";

/**
 * `LOAD DATA [LOW_PRIORITY | CONCURRENT] LOCAL INFILE 'name'` (MySQL manual, "LOAD DATA
 * Statement"), the name in single or double quotes; backslash escapes are not undone, so a name
 * that needs one is never taken for the one requested (the finding then stands).
 */
const LOAD_DATA_LOCAL =
  /^\s*LOAD\s+DATA\s+(?:(?:LOW_PRIORITY|CONCURRENT)\s+)?LOCAL\s+INFILE\s+(['"])([^'"\\]*)\1/i;

/** Whether the client's own query is a LOAD DATA LOCAL INFILE for `path`: then it asked for the request. */
export function queryAsksForFile(sql: string, path: string): boolean {
  const match = LOAD_DATA_LOCAL.exec(sql);
  return match !== null && match[2] === path;
}
