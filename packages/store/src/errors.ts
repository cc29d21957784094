import { cairnError, InputError, pathError, type CairnError, type ErrorCode } from '@cairn/errors';

/**
 * A Cairn config file (`.cairn/config.json`, or a project's dataset.json /
 * model.json read by the pipeline) is not JSON or breaks its schema: one
 * code and one data shape for every config file.
 */
export class ConfigInvalidError extends InputError<{ file: string; pointer: string }> {
  constructor(file: string, pointer: string, problem: string, hint?: string) {
    super('CONFIG_INVALID', `${file}: ${pointer || '(root)'} ${problem}`, { data: { file, pointer }, hint });
  }
}

/** The codes the store reports (the registry in @cairn/errors holds them all). */
export type StoreCode = Extract<
  ErrorCode,
  `STORE_${string}` | `POINTER_${string}` | `CHECKOUT_${string}` | `GC_${string}` | 'CONFIG_INVALID'
>;

export function storeError(
  code: StoreCode,
  message: string,
  options: { data?: Record<string, unknown>; hint?: string; cause?: unknown } = {},
): CairnError {
  return cairnError(code, message, options);
}

/** Maps a Node file-system error on `path` to a CairnError naming the path. */
export function fsError(error: unknown, path: string, action: string): Error {
  const common = pathError(error, path, { action });
  if (common) return common;
  return error instanceof Error ? error : new Error(String(error));
}

export function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
