import type { Command } from 'commander';
import { register as registerTask } from './task';
import { register as registerHash } from './hash';
import { register as registerMetrics } from './metrics';
import { register as registerDrift } from './drift';
import { register as registerServe } from './serve';
import { register as registerMonitor } from './monitor';
import { register as registerInit } from './init';
import { register as registerAdd } from './add';
import { register as registerStatus } from './status';
import { register as registerCheckout } from './checkout';
import { register as registerGc } from './gc';
import { register as registerVerify } from './verify';
import { register as registerValidate } from './validate';
import { register as registerAnonymize } from './anonymize';
import { register as registerCacheServer } from './cache-server';
import { register as registerRemote } from './remote';
import { register as registerPush } from './push';
import { register as registerPull } from './pull';
import { register as registerCompare } from './compare';
import { register as registerModel } from './model';
import { register as registerAudit } from './audit';
import { register as registerSynth } from './synth';
import { register as registerReproduce } from './reproduce';
import { register as registerImportDvc } from './import-dvc';
import { register as registerExp } from './exp';
import { register as registerReport } from './report';

/**
 * Each command lives in its own module exporting `register(program)`.
 * Add one import and one line below per command module.
 */
export function registerCommands(program: Command): void {
  registerTask(program);
  registerHash(program);
  registerMetrics(program);
  registerDrift(program);
  registerServe(program);
  registerMonitor(program);
  registerInit(program);
  registerAdd(program);
  registerStatus(program);
  registerCheckout(program);
  registerGc(program);
  registerVerify(program);
  registerValidate(program);
  registerAnonymize(program);
  registerCacheServer(program);
  registerRemote(program);
  registerPush(program);
  registerPull(program);
  registerCompare(program);
  registerModel(program);
  registerAudit(program);
  registerSynth(program);
  registerReproduce(program);
  registerImportDvc(program);
  registerExp(program);
  registerReport(program);
}
