export { applyOp, applyOps, emptyState, fromPersisted, type MutableState, toPersisted } from './apply-op';
export { FileStore, type FileStoreOptions, type FileStoreStats } from './file-store';
export { MemoryStore, releaseSharedMemoryStore, sharedMemoryStore } from './memory-store';
export type * from './types';
export { parsePersistedState, parseStoreOp, parseStoreOps, StoreFormatError } from './validate';
