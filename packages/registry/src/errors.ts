import { cairnError, type CairnError, type ErrorCode } from '@cairn/errors';

/** The codes the registry reports (the registry of codes in @cairn/errors holds them all). */
export type RegistryErrorCode = Extract<
  ErrorCode,
  `REGISTRY_${string}` | `AUDIT_${string}` | `PACKAGE_${string}`
>;

export function registryError(
  code: RegistryErrorCode,
  message: string,
  data: Record<string, unknown>,
  hint?: string,
): CairnError {
  return cairnError(code, message, { data, hint });
}
