import { isObjectId } from '@cairn/store/layout';

/**
 * A pack carries many small objects in one HTTP body, so a push of 10,000
 * files pays for a few requests instead of 10,000. Each record is
 *
 *   "<object id> <size in decimal>\n" followed by exactly <size> bytes
 *
 * and records follow each other until the body ends. Nothing in a pack is
 * trusted: every header is checked against the object-id pattern (so no id
 * can name a path) and every body must hash to its id before it is stored.
 */
export interface PackRecord {
  id: string;
  body: Buffer;
}

/** Objects up to this size travel in packs (both ways); larger ones stream one per request. */
export const PACK_OBJECT_BYTES = 1024 * 1024;

/** Longest header: 64 hex + ".dir" + space + up to 15 digits + newline. */
const MAX_HEADER_BYTES = 64 + 4 + 1 + 15 + 1;
const SIZE = /^(0|[1-9][0-9]{0,14})$/;

export function packHeader(id: string, size: number): Buffer {
  return Buffer.from(`${id} ${size}\n`, 'latin1');
}

/** Why a pack was refused; `index` is the record at fault (0-based). */
export class PackFormatError extends Error {
  constructor(
    message: string,
    readonly index: number,
    readonly tooLarge = false,
  ) {
    super(message);
    this.name = 'PackFormatError';
  }
}

/**
 * Reads records from a byte stream, holding at most one object (≤
 * `maxObjectBytes`) in memory. Throws PackFormatError for a malformed or
 * oversized header, a body cut short, or more than `maxObjects` records.
 */
export async function* readPack(
  source: AsyncIterable<Buffer>,
  limits: { maxObjectBytes: number; maxObjects: number },
): AsyncGenerator<PackRecord> {
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  let record: { id: string; size: number; parts: Buffer[]; have: number } | undefined;
  const take = function* (): Generator<PackRecord> {
    for (;;) {
      if (!record) {
        if (pending.length === 0) return;
        const newline = pending.subarray(0, MAX_HEADER_BYTES).indexOf(0x0a);
        if (newline < 0) {
          if (pending.length >= MAX_HEADER_BYTES)
            throw new PackFormatError(`record ${index}: header is not "<object id> <size>\\n"`, index);
          return;
        }
        const [id = '', sizeText = '', ...rest] = pending.toString('latin1', 0, newline).split(' ');
        if (rest.length > 0 || !isObjectId(id) || !SIZE.test(sizeText))
          throw new PackFormatError(`record ${index}: header is not "<object id> <size>\\n"`, index);
        const size = Number(sizeText);
        if (size > limits.maxObjectBytes)
          throw new PackFormatError(
            `record ${index}: object of ${size} bytes exceeds the pack limit of ${limits.maxObjectBytes} per object`,
            index,
            true,
          );
        if (index >= limits.maxObjects)
          throw new PackFormatError(`pack holds more than ${limits.maxObjects} objects`, index, true);
        record = { id, size, parts: [], have: 0 };
        pending = pending.subarray(newline + 1);
      }
      const want = record.size - record.have;
      const part = pending.subarray(0, want);
      record.parts.push(part);
      record.have += part.length;
      pending = pending.subarray(part.length);
      if (record.have < record.size) return;
      yield { id: record.id, body: Buffer.concat(record.parts, record.size) };
      record = undefined;
      index += 1;
    }
  };
  for await (const chunk of source) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    yield* take();
  }
  if (record || pending.length > 0) {
    throw new PackFormatError(
      `record ${index}: pack ends in the middle of ${record ? `object ${record.id}` : 'a header'}`,
      index,
    );
  }
}
