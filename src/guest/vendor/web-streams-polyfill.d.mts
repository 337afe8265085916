// Types for the vendored web-streams-polyfill. Its classes implement the Streams standard, so they
// take Node's declarations of the same standard.
import type { ReadableStream as Readable, ReadableStreamDefaultReader as DefaultReader } from 'node:stream/web';

export {
  ByteLengthQueuingStrategy, CountQueuingStrategy, ReadableByteStreamController, ReadableStream, ReadableStreamBYOBReader,
  ReadableStreamBYOBRequest, ReadableStreamDefaultController, ReadableStreamDefaultReader, TransformStream,
  TransformStreamDefaultController, WritableStream, WritableStreamDefaultController, WritableStreamDefaultWriter,
} from 'node:stream/web';
export type { Transformer, UnderlyingByteSource, UnderlyingSource } from 'node:stream/web';

// islet additions (the end of the .mjs): for the platform's own consumers of streams.
/** Whether `value` is a ReadableStream (brand check). */
export declare function isReadableStream(value: unknown): value is Readable;
/** Whether a ReadableStream has been read from or canceled. */
export declare function isStreamDisturbed(stream: Readable): boolean;
/** Whether a ReadableStream is locked to a reader. */
export declare function isStreamLocked(stream: Readable): boolean;
/** A default reader for `stream` (throws a TypeError when it is locked). */
export declare function acquireReader<R>(stream: Readable<R>): DefaultReader<R>;
/** Reads a chunk with a read request of the caller's steps (no promise); a step may run before this returns. */
export declare function readChunk<R>(reader: DefaultReader<R>, chunkSteps: (chunk: R) => void, closeSteps: () => void, errorSteps: (error: unknown) => void): void;
/** Tees a stream: its two branches. */
export declare function teeStream<R>(stream: Readable<R>): [Readable<R>, Readable<R>];
