export { Session } from "./session";
export type { SessionContext } from "./ports";
export type { SessionState } from "./state";
