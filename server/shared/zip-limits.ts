import { inflateRawSync } from 'node:zlib';

/**
 * What an XLSX (a zip archive) may expand to before anything parses it. A zip's own size fields can lie, so each
 * entry is really inflated here with zlib's `maxOutputLength`: a 100 KB file that would inflate to gigabytes stops
 * at the limit, with that much memory at most, and is refused without exceljs ever seeing it.
 */
export const MAX_XLSX_EXPANDED_BYTES = 50 * 1024 * 1024;

export type ZipProblem = 'tooLarge' | 'corrupt';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** null when the archive inflates within `limit` bytes in all; otherwise why not. */
export function checkZipExpansion(buffer: Buffer, limit = MAX_XLSX_EXPANDED_BYTES): ZipProblem | null {
  const end = findEndOfCentralDirectory(buffer);
  if (end < 0) return 'corrupt';
  const entries = buffer.readUInt16LE(end + 10);
  let offset = buffer.readUInt32LE(end + 16);
  let budget = limit;
  for (let i = 0; i < entries; i++) {
    if (offset + 46 > buffer.length || buffer.readUInt32LE(offset) !== CENTRAL) return 'corrupt';
    const method = buffer.readUInt16LE(offset + 10);
    const compressedSize = buffer.readUInt32LE(offset + 20);
    const declaredSize = buffer.readUInt32LE(offset + 24);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    const local = buffer.readUInt32LE(offset + 42);
    offset += 46 + nameLength + extraLength + commentLength;
    // zip64 sizes (0xFFFFFFFF) mean an entry over 4 GB: far past any limit
    if (declaredSize === 0xffffffff || compressedSize === 0xffffffff) return 'tooLarge';
    if (local + 30 > buffer.length || buffer.readUInt32LE(local) !== LOCAL) return 'corrupt';
    const dataStart = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const data = buffer.subarray(dataStart, dataStart + compressedSize);
    let expanded: number;
    if (method === 0) expanded = data.length;
    else if (method === 8) {
      try {
        expanded = inflateRawSync(data, { maxOutputLength: Math.max(1, budget) }).length;
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) return 'tooLarge';
        return 'corrupt';
      }
    } else return 'corrupt';
    budget -= expanded;
    if (budget < 0) return 'tooLarge';
  }
  return null;
}

function findEndOfCentralDirectory(buffer: Buffer): number {
  // the record is 22 bytes plus a comment of at most 65,535
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 0xffff); i--) {
    if (buffer.readUInt32LE(i) === EOCD) return i;
  }
  return -1;
}
