/** Operators: the console's accounts (admin, support) and their sessions. */
export { type OperatorRow, OperatorsRepository } from './operators.repository.js';
export { OperatorsService, type OperatorsServiceOptions, toOperator } from './operators.service.js';
export {
  type Operator,
  type OperatorAccess,
  OPERATOR_PASSWORD_MAX,
  OPERATOR_PASSWORD_MIN,
  OPERATOR_ROLES,
  type OperatorRole,
  type OperatorSession,
  roleAllows,
} from './operators.types.js';
