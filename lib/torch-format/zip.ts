// Reading the entries of a zip archive as torch.save writes it (entries stored, not compressed).
import { inflateRawSync } from 'node:zlib';

const EOCD = 0x06054b50;
const ZIP64_EOCD_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

export interface ZipEntry {
  name: string;
  data(): Buffer;
}

function findEndOfCentralDirectory(file: Buffer, path: string): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the end.
  for (let i = file.length - 22; i >= Math.max(0, file.length - 22 - 0xffff); i--) {
    if (file.readUInt32LE(i) === EOCD) return i;
  }
  throw new Error(`${path}: not a zip archive (no end of central directory)`);
}

/**
 * The entries of `file`, by name; a zip64 archive (over 4 GiB) is supported. A file that is
 * empty, cut short or not a zip archive gives an Error naming the path and the problem.
 */
export function readZip(file: Buffer, path: string): Map<string, ZipEntry> {
  if (file.length === 0) throw new Error(`${path}: the file is empty (0 bytes), not a torch.save archive`);
  if (file.length < 22) throw new Error(`${path}: not a zip archive (${file.length} bytes, too short)`);
  try {
    return readEntries(file, path);
  } catch (error) {
    // Offsets that point past the end: the file was cut short or corrupted.
    if (error instanceof RangeError)
      throw new Error(`${path}: truncated or corrupt zip archive (${file.length} bytes)`);
    throw error;
  }
}

function readEntries(file: Buffer, path: string): Map<string, ZipEntry> {
  const eocd = findEndOfCentralDirectory(file, path);
  let count = file.readUInt16LE(eocd + 10);
  let offset = file.readUInt32LE(eocd + 16);
  const locator = eocd - 20;
  if (locator >= 0 && file.readUInt32LE(locator) === ZIP64_EOCD_LOCATOR) {
    const zip64 = Number(file.readBigUInt64LE(locator + 8));
    if (file.readUInt32LE(zip64) !== ZIP64_EOCD) throw new Error(`${path}: broken zip64 end of central directory`);
    count = Number(file.readBigUInt64LE(zip64 + 32));
    offset = Number(file.readBigUInt64LE(zip64 + 48));
  }
  const entries = new Map<string, ZipEntry>();
  for (let i = 0; i < count; i++) {
    if (file.readUInt32LE(offset) !== CENTRAL_HEADER) throw new Error(`${path}: broken zip central directory`);
    const method = file.readUInt16LE(offset + 10);
    let compressedSize = file.readUInt32LE(offset + 20);
    let localOffset = file.readUInt32LE(offset + 42);
    const nameLength = file.readUInt16LE(offset + 28);
    const extraLength = file.readUInt16LE(offset + 30);
    const commentLength = file.readUInt16LE(offset + 32);
    const name = file.toString('utf8', offset + 46, offset + 46 + nameLength);
    // zip64 extra field: sizes and offset that overflowed 32 bits, in this order.
    let extra = offset + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = file.readUInt16LE(extra);
      const size = file.readUInt16LE(extra + 2);
      if (id === 0x0001) {
        let field = extra + 4;
        if (file.readUInt32LE(offset + 24) === 0xffffffff) field += 8; // uncompressed size
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(file.readBigUInt64LE(field));
          field += 8;
        }
        if (localOffset === 0xffffffff) localOffset = Number(file.readBigUInt64LE(field));
      }
      extra += 4 + size;
    }
    offset = extraEnd + commentLength;
    const local = localOffset;
    entries.set(name, {
      name,
      data: () => {
        if (local + 30 > file.length)
          throw new Error(`${path}: truncated or corrupt zip archive (${file.length} bytes)`);
        if (file.readUInt32LE(local) !== LOCAL_HEADER) throw new Error(`${path}: broken zip entry ${name}`);
        const start = local + 30 + file.readUInt16LE(local + 26) + file.readUInt16LE(local + 28);
        if (start + compressedSize > file.length) throw new Error(`${path}: truncated zip entry ${name}`);
        const raw = file.subarray(start, start + compressedSize);
        if (method === 0) return raw;
        if (method === 8) return inflateRawSync(raw);
        throw new Error(`${path}: zip entry ${name} uses compression method ${method}`);
      },
    });
  }
  return entries;
}
