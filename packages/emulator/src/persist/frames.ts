import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { crc32 } from "node:zlib";

/**
 * The state files are sequences of frames: a 4-byte length, a 4-byte CRC-32 of the payload,
 * then the payload (JSON text). A write cut short by a crash leaves a frame whose length runs
 * past the end of the file or whose CRC does not match, so a reader knows where good data ends.
 */
const HEADER_BYTES = 8;

export function frame(value: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(value), "utf8");
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  payload.copy(out, HEADER_BYTES);
  return out;
}

export interface FrameScan {
  /** Bytes of whole, intact frames from the start of the file. */
  goodBytes: number;
  /** Why reading stopped before the end of the file (a torn or corrupt frame), if it did. */
  problem: string | null;
}

/** Reads a file's frames in order, handing each parsed payload to `each`; stops at the first bad one. */
export function readFrames(path: string, each: (value: unknown) => void): FrameScan {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    let offset = 0;
    while (offset < size) {
      if (size - offset < HEADER_BYTES) return { goodBytes: offset, problem: `a torn frame at byte ${offset}` };
      readSync(fd, header, 0, HEADER_BYTES, offset);
      const length = header.readUInt32LE(0);
      if (length > size - offset - HEADER_BYTES)
        return { goodBytes: offset, problem: `a torn frame at byte ${offset} (${length} bytes announced)` };
      const payload = Buffer.allocUnsafe(length);
      readSync(fd, payload, 0, length, offset + HEADER_BYTES);
      if (crc32(payload) !== header.readUInt32LE(4))
        return { goodBytes: offset, problem: `a frame at byte ${offset} fails its checksum` };
      let value: unknown;
      try {
        value = JSON.parse(payload.toString("utf8"));
      } catch {
        return { goodBytes: offset, problem: `a frame at byte ${offset} is not JSON` };
      }
      each(value);
      offset += HEADER_BYTES + length;
    }
    return { goodBytes: offset, problem: null };
  } finally {
    closeSync(fd);
  }
}
