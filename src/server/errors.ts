/** A server option that cannot work; thrown by `startMockServer` before anything listens. */
export class ServerConfigurationError extends Error {
  constructor(
    /** The option at fault, as a dotted path (e.g. `tls.minVersion`). */
    readonly option: string,
    message: string,
  ) {
    super(`invalid option ${option}: ${message}`);
    this.name = "ServerConfigurationError";
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
