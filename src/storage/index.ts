export { chunkRows, type DialectCapabilities, type PackedColumn } from './capabilities.js';
export { type MigrationOutcome, migrateToLatest, type OpenOptions, openStorage, type Storage } from './database.js';
export type * from './schema.js';
export { type ChangedEntity, ChangeReader, type ChangeRow, changeChannel, notifyChange, recordChange } from './change-log.js';
