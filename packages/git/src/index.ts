export type { GitErrorCode } from './errors';
export { findRepository, openRepository, headCommit, type Repository } from './repository';
export { gitHead, mergeBase, readFileAtRef, resolveCommit } from './at-ref';
export { listRefs, TreeWalker, type RefRoot, type TreeBlob } from './refs';
export {
  commitFiles,
  firstParentLog,
  gitUser,
  listTags,
  listTreeAtCommit,
  readTextAtCommit,
  type CommitAuthor,
  type RefCommit,
  type TagInfo,
} from './objects';
export { checkoutCommitInto } from './checkout';
export {
  compareAndSwapRef,
  deleteRefIf,
  listRefsSnapshot,
  listRefsUnder,
  readRecordCommit,
  readRef,
  writeLooseObject,
  writeRecordCommit,
  type RefSnapshot,
} from './records';
export { syncRefs } from './remote-refs';
export { committedTreeId, worktreeChanges } from './worktree';
