import { auditGrid } from "../../../src/audit/report/grid";
import { sampleCells, sampleReport } from "./sample-report";

describe("auditGrid", () => {
  it("lays out the report's scenarios as rows and its modes as columns, in the report's order", () => {
    const grid = auditGrid(sampleReport);
    expect(grid.modes).toEqual(["PREFERRED", "VERIFY_CA"]);
    expect(grid.rows.map((row) => row.name)).toEqual([
      "mysql-5.7.41-autocert",
      "strip-backronym",
      "tls-handshake-broken",
      "mysql-8.0-socket-only",
    ]);
    expect(grid.rows[1]!.positions).toEqual([
      { mode: "PREFERRED", cell: sampleCells.passPlaintext },
      { mode: "VERIFY_CA", cell: sampleCells.deviation },
    ]);
  });

  it("leaves a scenario's position empty when it has no run in that mode, and counts it", () => {
    const grid = auditGrid(sampleReport);
    expect(grid.rows[2]!.positions[1]).toEqual({ mode: "VERIFY_CA", cell: undefined });
    expect(grid.missing).toBe(1);
  });

  it("keeps a run that was not made in its place, not as an empty position", () => {
    const grid = auditGrid(sampleReport);
    expect(grid.rows[3]!.positions.map(({ cell }) => cell)).toEqual([
      sampleCells.notRunPreferred,
      sampleCells.notRunVerifyCa,
    ]);
  });
});
