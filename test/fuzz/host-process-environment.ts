import type { EnvironmentContext, JestEnvironmentConfig } from "@jest/environment";
import NodeEnvironment from "jest-environment-node";

/**
 * jest's node environment, plus the real `process` as `globalThis.__fuzzHostProcess`. A test file
 * otherwise sees a copy of `process` whose 'uncaughtException' and 'unhandledRejection' never
 * fire, so the pre-auth property could not tell which run let an exception escape.
 */
export default class HostProcessEnvironment extends NodeEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    (this.global as unknown as { __fuzzHostProcess: NodeJS.Process }).__fuzzHostProcess = process;
  }
}
