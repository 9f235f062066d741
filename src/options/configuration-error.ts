/**
 * A server option that cannot work; thrown by `startMockServer` (and `resolveOptions`) before
 * anything listens. The message reads `invalid option <option>: <problem>`.
 */
export class ServerConfigurationError extends Error {
  constructor(
    /** The option at fault, as a dotted path (e.g. `tls.minVersion`, `accounts[0].password`). */
    readonly option: string,
    /** What is wrong with it, without the option's name. */
    readonly problem: string,
  ) {
    super(`invalid option ${option}: ${problem}`);
    this.name = "ServerConfigurationError";
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
