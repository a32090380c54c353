/** The audit log of operator actions. */
export { AuditRepository, type AuditRow } from './audit.repository.js';
export { auditJson, AuditService } from './audit.service.js';
export type { ActorKind, AuditEntry, AuditFilter, AuditInput } from './audit.types.js';
