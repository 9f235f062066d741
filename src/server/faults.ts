import type { FaultAction, FaultPoint, Faults } from "../options/faults";

/** The faults in force for a server, read by the session at each protocol point. */
export class FaultPlan {
  static readonly NONE = new FaultPlan({});

  /** `faults` as the options schema has checked them. */
  constructor(readonly faults: Faults) {}

  /** The action to take at `point`, or null to carry on normally. */
  at(point: FaultPoint): FaultAction | null {
    return this.faults.breakAt?.point === point ? this.faults.breakAt.action : null;
  }

  get delayMs(): number {
    return this.faults.delayMs ?? 0;
  }

  get greetingWrites(): number {
    return this.faults.greetingWrites ?? 1;
  }

  get refuseLoginWith(): Faults["refuseLoginWith"] {
    return this.faults.refuseLoginWith;
  }
}
