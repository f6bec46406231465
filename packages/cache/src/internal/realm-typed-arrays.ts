import { addExtension } from 'msgpackr';

// msgpackr recognises typed arrays with `instanceof` against the TypedArray and ArrayBuffer of
// the realm it was loaded in. Some hosts mix realms: jest's node environment hands test code the
// host's Uint8Array and ArrayBuffer but its own Float64Array & co., so msgpackr would silently
// write a Float64Array as a plain object. When this module's realm differs from the one
// Uint8Array comes from, teach msgpackr this realm's classes too — with msgpackr's own wire
// format (extension 0x74: one type-code byte, then the bytes), so files stay interchangeable.
// Reading, big typed arrays can be views into the file's bytes (`withTypedArrayViews`).

const TYPED_ARRAY_EXT = 0x74;
const ARRAY_BUFFER_CODE = 16;
const DATA_VIEW_CODE = 17;
// msgpackr's order: the index is the type code.
const CLASSES = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];
const CODES = new Map(CLASSES.map((c, i) => [c.name, i]));

type TypedArrayClass = abstract new (...args: never[]) => ArrayBufferView;

function withCode(code: number, bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(bytes.byteLength + 1);
  out[0] = code;
  out.set(bytes, 1);
  return out;
}

/** Typed arrays at least this large may be handed out as views into the bytes read. */
const VIEW_MIN_BYTES = 64 * 1024;
let views = false;

/**
 * Runs `decode` letting big typed arrays come back as views into the bytes being decoded instead
 * of copies. Only for bytes that nothing else uses or reuses (a file read into its own buffer).
 */
export function withTypedArrayViews<T>(decode: () => T): T {
  views = true;
  try {
    return decode();
  } finally {
    views = false;
  }
}

function unpack(data: Uint8Array): unknown {
  const code = data[0] as number;
  const Class = CLASSES[code];
  if (views && Class && data.byteLength - 1 >= VIEW_MIN_BYTES) {
    // No copy when the elements are aligned in the buffer (the writer places them so, and the
    // reader reads the file at the offset that aligns them): the array shares the read buffer.
    const size = Class.BYTES_PER_ELEMENT;
    const offset = data.byteOffset + 1;
    const length = data.byteLength - 1;
    if (offset % size === 0 && length % size === 0)
      return new Class(data.buffer as ArrayBuffer, offset, length / size);
  }
  // A fresh copy: aligned for the element size and independent of the file buffer.
  const buffer = new Uint8Array(data.subarray(1)).buffer;
  if (code === ARRAY_BUFFER_CODE) return buffer;
  if (code === DATA_VIEW_CODE) return new DataView(buffer);
  if (!Class) throw new Error(`unknown typed array code ${code}`);
  return new Class(buffer);
}

const localTypedArray = Object.getPrototypeOf(Float64Array.prototype)
  .constructor as TypedArrayClass;
const hostTypedArray = Object.getPrototypeOf(Uint8Array.prototype).constructor as TypedArrayClass;
const localArrayBuffer = new Float64Array(0).buffer.constructor as new () => ArrayBuffer;

// The reading side of extension 0x74 is always this module's (views, and this realm's classes);
// the writing side stays msgpackr's, unless the realms differ (below).
addExtension({ type: TYPED_ARRAY_EXT, unpack } as Parameters<typeof addExtension>[0]);

if (localTypedArray !== hostTypedArray) {
  addExtension({
    Class: localTypedArray,
    type: TYPED_ARRAY_EXT,
    pack: (view: ArrayBufferView) =>
      withCode(
        CODES.get(view.constructor.name) ?? 1,
        new Uint8Array(view.buffer, view.byteOffset, view.byteLength),
      ),
    unpack,
  });
}
if (localArrayBuffer !== ArrayBuffer) {
  addExtension({
    Class: localArrayBuffer,
    type: TYPED_ARRAY_EXT,
    pack: (buffer: ArrayBuffer) => withCode(ARRAY_BUFFER_CODE, new Uint8Array(buffer)),
    unpack,
  });
}
