/** Thrown by {@link getCertificateSet} for a name that is not in the catalogue. The message lists the valid names. */
export class UnknownCertificateSetError extends Error {
  /** The name that was asked for. */
  readonly requestedName: string;
  /** Every valid catalogue name. */
  readonly validNames: readonly string[];

  constructor(requestedName: string, validNames: readonly string[]) {
    super(`Unknown certificate set "${requestedName}". Valid names: ${validNames.join(", ")}`);
    this.name = "UnknownCertificateSetError";
    this.requestedName = requestedName;
    this.validNames = validNames;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
