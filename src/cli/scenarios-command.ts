import type { Command } from "commander";
import pc from "picocolors";
import { stringify } from "yaml";
import { builtinScenarioNames, loadScenario } from "../scenarios/load-scenario";
import { scenarioToOptions } from "../scenarios/scenario-options";
import { SSL_MODES } from "../scenarios/scenario-schema";

/** Adds `scenarios` (list the built-ins) and `scenarios show NAME|FILE`. */
export function scenariosCommand(program: Command): void {
  const scenarios = program
    .command("scenarios")
    .description("list the built-in scenarios, one line each")
    .action(() => {
      const names = builtinScenarioNames();
      const width = Math.max(...names.map((n) => n.length));
      for (const name of names) {
        process.stdout.write(`${pc.bold(name.padEnd(width))}  ${loadScenario(name).description}\n`);
      }
    });

  scenarios
    .command("show")
    .description("print a scenario with extends applied, and what a correct client must do in each ssl-mode")
    .argument("<scenario>", "built-in name or scenario file")
    .action((reference: string) => {
      const scenario = loadScenario(reference);
      const { name, source, expect, ...definition } = scenario;
      process.stdout.write(`# ${name} (${source})\n${stringify(definition)}`);
      process.stdout.write("\n# what a correct client does\n");
      for (const mode of SSL_MODES) {
        const expectation = expect[mode];
        if (!expectation) continue;
        process.stdout.write(
          `${mode.padEnd(16)} ${expectation.outcome}${expectation.why ? pc.dim(`  — ${expectation.why}`) : ""}\n`,
        );
      }
      // Resolving options checks the scenario can be served (e.g. TLS version ranges).
      scenarioToOptions(scenario);
    });
}
