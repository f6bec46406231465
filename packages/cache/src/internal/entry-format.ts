import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * On-disk layout of one entry: a fixed 48-byte header, then the msgpack payload.
 *
 * | offset | size | field                                              |
 * |--------|------|----------------------------------------------------|
 * | 0      | 4    | magic `CRYC`                                       |
 * | 4      | 2    | format version (u16 LE), {@link FORMAT_VERSION}    |
 * | 6      | 1    | checksum algorithm (1 = sha256, 2 = crc32)         |
 * | 7      | 1    | alignment hint of the output's elements (0: none)  |
 * | 8      | 8    | payload length in bytes (u64 LE)                   |
 * | 16     | 32   | checksum of the payload (crc32: 4 bytes, then 0s)  |
 * | 48     | n    | payload                                            |
 *
 * 48 is a multiple of 8, so the payload of a freshly read file is 8-byte aligned. The alignment
 * hint (byte 7) is 1 + the offset modulo 8 of a typed-array output's elements in the payload, which
 * end it (see `encodeEntry`): the reader places the payload so that they are 8-byte aligned and
 * hands them out without a copy. Builds that predate it wrote 0 there and read the byte as
 * reserved; it is outside the checksum, so a damaged hint only costs that copy.
 */
export const FORMAT_VERSION = 1;
export const HEADER_SIZE = 48;
const MAGIC = 0x43595243; // 'CRYC' read as u32 LE
const SHA256 = 1;
const CRC32 = 2;

// The checksum only has to catch torn and damaged files, not tampering: crc32 does that at
// about 3.5x sha256's speed (1.1 ms against 3.9 ms for a 1M-float entry), which is most of what
// a cache hit costs. zlib.crc32 arrived in Node 20.15; older builds write sha256. Both are read.
type Crc32 = (data: Uint8Array) => number;
let zlibCrc32: Crc32 | null | undefined;

/** zlib's crc32 (null before Node 20.15), loaded on first use: node:zlib pulls in Node's streams. */
function crc32Of(): Crc32 | null {
  if (zlibCrc32 === undefined) {
    zlibCrc32 = (createRequire(import.meta.url)('node:zlib') as { crc32?: Crc32 }).crc32 ?? null;
  }
  return zlibCrc32;
}

function checksum(algorithm: number, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(32);
  const crc32 = algorithm === CRC32 ? crc32Of() : null;
  if (crc32) out.writeUInt32LE(crc32(payload) >>> 0, 0);
  else createHash('sha256').update(payload).digest().copy(out, 0);
  return out;
}

/** Why a file on disk is not a usable entry. */
export type CorruptionReason =
  | 'truncated'
  | 'not-an-entry'
  | 'old-format'
  | 'newer-format'
  | 'length-mismatch'
  | 'checksum-mismatch'
  | 'undecodable';

export interface Corruption {
  readonly reason: CorruptionReason;
  readonly detail: string;
}

export function encodeHeader(payload: Uint8Array, alignment = 0): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt16LE(FORMAT_VERSION, 4);
  const algorithm = crc32Of() ? CRC32 : SHA256;
  header.writeUInt8(algorithm, 6);
  header.writeUInt8(alignment >= 1 && alignment <= 8 ? alignment : 0, 7);
  header.writeBigUInt64LE(BigInt(payload.byteLength), 8);
  checksum(algorithm, payload).copy(header, 16);
  return header;
}

/**
 * Checks everything the header alone can tell: magic, version, algorithm and that the file
 * holds exactly the payload length the header announces. Needs the first {@link HEADER_SIZE}
 * bytes (fewer when the file is shorter) and the file size.
 */
export function checkHeader(head: Buffer, fileSize: number): Corruption | undefined {
  if (fileSize < HEADER_SIZE) {
    return {
      reason: 'truncated',
      detail: `${fileSize} bytes, shorter than the ${HEADER_SIZE}-byte header`,
    };
  }
  if (head.readUInt32LE(0) !== MAGIC) {
    return { reason: 'not-an-entry', detail: 'the file does not start with the CRYC magic' };
  }
  const version = head.readUInt16LE(4);
  if (version < FORMAT_VERSION) {
    return {
      reason: 'old-format',
      detail: `format version ${version}, this build reads ${FORMAT_VERSION}`,
    };
  }
  if (version > FORMAT_VERSION) {
    return {
      reason: 'newer-format',
      detail: `format version ${version}, this build reads ${FORMAT_VERSION}`,
    };
  }
  const algorithm = head.readUInt8(6);
  if (algorithm !== SHA256 && !(algorithm === CRC32 && crc32Of())) {
    return { reason: 'not-an-entry', detail: `unknown checksum algorithm ${head.readUInt8(6)}` };
  }
  const declared = head.readBigUInt64LE(8);
  const actual = BigInt(fileSize - HEADER_SIZE);
  if (declared > actual) {
    return { reason: 'truncated', detail: `payload has ${actual} of ${declared} bytes` };
  }
  if (declared < actual) {
    return {
      reason: 'length-mismatch',
      detail: `${actual - declared} bytes after the ${declared}-byte payload`,
    };
  }
  return undefined;
}

/**
 * Where to place a file's bytes in a buffer (0–7 bytes past an 8-byte boundary) so that the
 * output elements its header's alignment hint (byte 7) describes are 8-byte aligned.
 */
export function placementOf(head: Uint8Array): number {
  const hint = head.byteLength > 7 ? (head[7] as number) : 0;
  return hint >= 1 && hint <= 8 ? (8 - ((HEADER_SIZE + hint - 1) % 8)) % 8 : 0;
}

/** Verifies a whole file and returns its payload as a view (no copy), or what is wrong. */
export function verifyEntry(file: Buffer): { payload: Buffer } | Corruption {
  const problem = checkHeader(file, file.byteLength);
  if (problem) return problem;
  const payload = file.subarray(HEADER_SIZE);
  const algorithm = file.readUInt8(6);
  if (!checksum(algorithm, payload).equals(file.subarray(16, 48))) {
    return {
      reason: 'checksum-mismatch',
      detail: `the payload does not match its ${algorithm === CRC32 ? 'crc32' : 'sha256'}`,
    };
  }
  return { payload };
}
