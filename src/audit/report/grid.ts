import type { SslMode } from "../../scenarios/scenario-schema";
import type { AuditCell, AuditReport } from "../audit-report";

/** One position of the grid: a scenario in a mode, and the run there if there was one. */
export interface GridPosition {
  mode: SslMode;
  cell: AuditCell | undefined;
}

/** One row of the grid: a scenario and its runs, in the grid's column order. */
export interface GridRow {
  name: string;
  description: string;
  positions: GridPosition[];
}

/** The report laid out as every format shows it: scenarios down, modes across. */
export interface AuditGrid {
  modes: SslMode[];
  rows: GridRow[];
  /**
   * Positions with no cell: the scenario says nothing about the mode. (A run the template cannot
   * make still has a cell, with status `not-run`.)
   */
  missing: number;
}

/**
 * Lays the report out in its own order: rows are its scenarios, columns its modes. Every cell names
 * a scenario and a mode the report lists, as `runAudit` makes them (the renderers only ever see its
 * reports).
 */
export function auditGrid(report: AuditReport): AuditGrid {
  const modes = [...report.modes];
  const byKey = new Map<string, AuditCell>();
  for (const cell of report.cells) {
    const key = cellKey(cell.scenario, cell.mode);
    if (!byKey.has(key)) byKey.set(key, cell);
  }
  let missing = 0;
  const rows = report.scenarios.map((scenario) => ({
    name: scenario.name,
    description: scenario.description,
    positions: modes.map((mode) => {
      const cell = byKey.get(cellKey(scenario.name, mode));
      if (!cell) missing++;
      return { mode, cell };
    }),
  }));
  return { modes, rows, missing };
}

function cellKey(scenario: string, mode: string): string {
  return JSON.stringify([scenario, mode]);
}
