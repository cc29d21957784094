export {
  writeFileAtomic,
  writeJsonAtomic,
  createAtomicWriteStream,
  type AtomicWriteStream,
} from './atomic-write';
export { withLock, LockTimeoutError } from './lock';
export { ensureDirectory } from './directories';
