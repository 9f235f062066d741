import { dirname, isAbsolute, relative } from "node:path";
import type { Command } from "commander";
import pc from "picocolors";
import { stringify } from "yaml";
import { DEFAULT_SERVER_VERSION } from "../options/server-options";
import { compareServerFamilies, serverFamily } from "../protocol/server-version";
import { BUILTIN_SCENARIO_DIR, builtinScenarioNames, loadScenario } from "../scenarios/load-scenario";
import { scenarioToOptions } from "../scenarios/scenario-options";
import {
  CLIENT_OUTCOMES,
  type Expectation,
  type Scenario,
  type ScenarioOrigin,
  SSL_MODES,
  type SslMode,
} from "../scenarios/scenario-schema";
import { escapeControlCharacters as safe } from "./format-event";
import { terminalWidth, twoColumns } from "./terminal-width";

const MODE_WIDTH = Math.max(...SSL_MODES.map((mode) => mode.length)) + 2;
const OUTCOME_WIDTH = Math.max(...CLIENT_OUTCOMES.map((outcome) => outcome.length)) + 2;

/** A built-in by its name; any other file by a path a user can open from here. */
function describeOrigin(origin: ScenarioOrigin): string {
  if (origin.source === "(object)" || dirname(origin.source) === BUILTIN_SCENARIO_DIR)
    return safe(origin.name);
  const fromHere = relative(process.cwd(), origin.source);
  return safe(fromHere.startsWith("..") || isAbsolute(fromHere) ? origin.source : fromHere);
}

/** YAML for people: the yaml package escapes C0 controls in strings but not C1, DEL or bidi overrides. */
function safeYaml(text: string): string {
  return text.split("\n").map(safe).join("\n");
}

function expectationLine(mode: SslMode, expectation: Expectation, origin: string, why: boolean): string {
  const because = why && expectation.why ? pc.dim(`  — ${safe(expectation.why)}`) : "";
  return `${mode.padEnd(MODE_WIDTH)}${expectation.outcome.padEnd(OUTCOME_WIDTH)}${pc.cyan(origin)}${because}\n`;
}

/** The expectations, each with the scenario that declared it, then those the chain did not inherit. */
function expectationsText(scenario: Scenario): string {
  let text = "\n# what a correct client does, and which scenario says so\n";
  for (const mode of SSL_MODES) {
    const expectation = scenario.expect[mode];
    if (!expectation) {
      text += `${mode.padEnd(MODE_WIDTH)}${pc.dim("(no expectation)")}\n`;
      continue;
    }
    const own = expectation.from.source === scenario.source;
    text += expectationLine(
      mode,
      expectation,
      own ? "own" : `inherited from ${describeOrigin(expectation.from)}`,
      true,
    );
  }
  const dropped = scenario.droppedExpectations;
  if (dropped) {
    const by = dropped.by.source === scenario.source ? "this scenario" : describeOrigin(dropped.by);
    text +=
      `\n# dropped, not inherited from ${describeOrigin(dropped.parent)}: ${by} changes ` +
      `${safe(dropped.changedKeys.join(", "))}, which can change what a correct client does\n`;
    for (const mode of SSL_MODES) {
      const expectation = dropped.expectations[mode];
      if (expectation) {
        text += pc.dim(
          expectationLine(mode, expectation, `declared in ${describeOrigin(expectation.from)}`, false),
        );
      }
    }
  }
  return text;
}

/** One expectation as `--json` prints it: the outcome, why (or null), and the scenario that declared it. */
interface ExpectationJson {
  outcome: string;
  why: string | null;
  from: string;
}

function expectationsJson(expect: Scenario["expect"]): Partial<Record<SslMode, ExpectationJson>> {
  const out: Partial<Record<SslMode, ExpectationJson>> = {};
  for (const mode of SSL_MODES) {
    const expectation = expect[mode];
    if (expectation) {
      out[mode] = { outcome: expectation.outcome, why: expectation.why ?? null, from: expectation.from.name };
    }
  }
  return out;
}

/** The server family a scenario plays (`MySQL 5.7`, `MariaDB 10.11`, …), from its greeting's version. */
function familyOf(scenario: Scenario): string {
  return serverFamily(scenario.server?.version ?? DEFAULT_SERVER_VERSION);
}

/**
 * `scenarios`: the built-ins grouped by the server family they play, MySQL's first, each group a
 * heading and two columns (name, description) fitted to `width`.
 */
export function scenarioListText(width: number | null): string {
  const entries = builtinScenarioNames().map((name) => {
    const scenario = loadScenario(name);
    return { name: safe(name), description: safe(scenario.description), family: familyOf(scenario) };
  });
  const families = [...new Set(entries.map((entry) => entry.family))].sort(compareServerFamilies);
  const nameWidth = Math.max(...entries.map((entry) => entry.name.length));
  return families
    .map((family) => {
      const rows = entries
        .filter((entry) => entry.family === family)
        .map((entry) => [`  ${entry.name.padEnd(nameWidth)}`, entry.description] as const);
      return `${pc.bold(family)}\n${twoColumns(rows, width, pc.bold)}`;
    })
    .join("\n");
}

/**
 * `scenarios --json`: one object per built-in, sorted by name. Documented in the README; its
 * fields are added to, never renamed.
 */
export function scenarioListJson(): Array<{
  name: string;
  /** The server family it plays, as `scenarios` groups them: `MySQL 5.7`, `MySQL 8.4 LTS`, `MariaDB 10.11`, … */
  family: string;
  description: string;
  file: string;
  references: string[];
  expect: Partial<Record<SslMode, ExpectationJson>>;
}> {
  return builtinScenarioNames().map((name) => {
    const scenario = loadScenario(name);
    return {
      name,
      family: familyOf(scenario),
      description: scenario.description,
      file: scenario.source,
      references: scenario.references ?? [],
      expect: expectationsJson(scenario.expect),
    };
  });
}

/**
 * `scenarios show NAME --json`: the scenario with `extends` applied, as the library loads it
 * (`definition` is what the server is given), each expectation with the scenario that declared it,
 * what the chain did not inherit, and the warnings.
 */
export function scenarioShowJson(scenario: Scenario): unknown {
  const { name, source, expect, droppedExpectations: dropped, notes, ...definition } = scenario;
  return {
    name,
    source,
    definition,
    expect: expectationsJson(expect),
    dropped: dropped
      ? {
          by: dropped.by.name,
          parent: dropped.parent.name,
          changedKeys: dropped.changedKeys,
          expect: expectationsJson(dropped.expectations),
        }
      : null,
    notes,
  };
}

/** `value` as one JSON document on stdout. */
function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Adds `scenarios` (list the built-ins) and `scenarios show NAME|FILE`. */
export function scenariosCommand(program: Command): void {
  const scenarios = program
    .command("scenarios")
    .description("list the built-in scenarios, one line each, grouped by the server family they play")
    .option("--json", "print a JSON array instead: name, family, description, file, references, expect")
    .action((flags: { json?: boolean }) => {
      if (flags.json) {
        printJson(scenarioListJson());
        return;
      }
      process.stdout.write(scenarioListText(terminalWidth()));
    });

  scenarios
    .command("show")
    .description(
      "print a scenario with extends applied, what a correct client must do in each ssl-mode and which scenario says so, and the expectations it did not inherit",
    )
    .argument("<scenario>", "built-in name or scenario file")
    .option("--json", "print a JSON object instead: name, source, definition, expect, dropped, notes")
    .action((reference: string, flags: { json?: boolean }) => {
      const scenario = loadScenario(reference);
      if (flags.json) {
        scenarioToOptions(scenario);
        printJson(scenarioShowJson(scenario));
        return;
      }
      const { name, source, expect: _expect, droppedExpectations: _dropped, notes, ...definition } = scenario;
      process.stdout.write(`# ${safe(name)} (${safe(source)})\n${safeYaml(stringify(definition))}`);
      process.stdout.write(expectationsText(scenario));
      for (const note of notes)
        process.stderr.write(`mysql-tls-mock: ${pc.yellow(note.level)}: ${safe(note.message)}\n`);
      // Resolving options checks the scenario can be served (e.g. TLS version ranges).
      scenarioToOptions(scenario);
    });
}
