export { buildProgram, main } from './main';
export { createProgress, printJson, type Progress } from './output';
