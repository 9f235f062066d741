export { answerQuery, MAX_PARSED_QUERY_LENGTH } from "./answer-query";
export { LikePattern, likeMatches } from "./like-pattern";
export type { QueryAnswer, QueryContext, ResultColumn, ResultValue } from "./query-answer";
export { type ErrorAnswer, QueryErrorCode } from "./query-errors";
export { asn1TimePrint, listStatusVariables, type StatusVariable } from "./status-variables";
export {
  findSystemVariable,
  listSystemVariables,
  type SystemVariable,
  showVariableValue,
  type VariableKind,
  type VariableScope,
} from "./system-variables";
