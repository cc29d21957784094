export type { GitErrorCode } from './errors';
export { findRepository, openRepository, headCommit, type Repository } from './repository';
export { gitHead, mergeBase, readFileAtRef, resolveCommit } from './at-ref';
export { listRefs, TreeWalker, type RefRoot, type TreeBlob } from './refs';
export {
  commitFiles,
  compareAndSwapRef,
  firstParentLog,
  gitUser,
  listTags,
  listTreeAtCommit,
  readRef,
  readTextAtCommit,
  type CommitAuthor,
  type RefCommit,
  type TagInfo,
} from './objects';
