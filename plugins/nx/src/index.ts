import { createNodes } from './plugin/create-nodes';

export { createNodes, inferProject } from './plugin/create-nodes';
export { createDependencies } from './plugin/create-dependencies';
/** Nx 21–22 read `createNodesV2`; the signature is the same. */
export const createNodesV2 = createNodes;
export const name = '@cairn/nx';
export { GITIGNORE_ENTRIES } from './generators/init/generator';
export { preTasksExecution } from './plugin/data-check';
