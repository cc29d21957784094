import { CODES, FAMILIES, type ErrorCodeInfo, type ErrorFamily } from './codes';

const FAMILY_CLASS: Record<ErrorFamily, string> = {
  usage: 'UsageError',
  input: 'InputError',
  check: 'CheckError',
  model: 'ModelError',
  store: 'StoreError',
  remote: 'RemoteError',
  system: 'SystemError',
  internal: 'InternalError',
};

function cell(text: string | number | undefined): string {
  return text === undefined ? '' : String(text).replace(/\|/g, '\\|');
}

/**
 * `docs/errors.md`, rendered from the registry: `npm run docs:errors` writes
 * it, and a spec fails when the committed file differs.
 */
export function renderErrorReference(): string {
  const lines = [
    '# Error codes',
    '',
    '<!-- Generated from packages/errors/src/codes.ts by `npm run docs:errors`; do not edit. -->',
    '',
    'Every failure a user can cause is a `CairnError` with a stable `code`, structured `data` and',
    'often a `hint`. Commands print `error[CODE]: message` (with `--json`, `{"error": {code, message,',
    "data, hint}}`) and exit with the status of the code's family. Branch on the code, never on",
    'the message. Anything else that escapes a command is a bug: it is printed with its stack and',
    'the command exits 70.',
    '',
    '## Families',
    '',
    '| Family | Class | Exit status | Meaning |',
    '| --- | --- | --- | --- |',
    ...Object.entries(FAMILIES).map(
      ([family, info]) =>
        `| ${family} | \`${FAMILY_CLASS[family as ErrorFamily]}\` | ${info.exitCode} | ${cell(info.summary)} |`,
    ),
    '',
    'Exit status 0 is success; a command that checks something and finds a problem without',
    'throwing (for example `cairn status --check` or `cairn verify`) also exits 1.',
    '',
    '## Codes',
    '',
    '| Code | Family | Exit status | Meaning | Hint |',
    '| --- | --- | --- | --- | --- |',
    ...Object.entries(CODES).map(([code, entry]) => {
      const info: ErrorCodeInfo = entry;
      const exit = info.exitCode ?? FAMILIES[info.family].exitCode;
      return `| \`${code}\` | ${info.family} | ${exit} | ${cell(info.summary)} | ${cell(info.hint)} |`;
    }),
    '',
  ];
  return lines.join('\n');
}
