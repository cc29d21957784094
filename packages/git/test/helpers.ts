/** The real git CLI (the oracle of these specs) and a file writer, shared with the other packages' specs. */
export {
  gitIn as gitCli,
  writeWorkspaceFile as write,
} from '../../../tools/test-support/src/points-workspace';
