// Types for the vendored web-streams-polyfill. Its classes implement the Streams standard, so they
// take Node's declarations of the same standard. The module exports one function, createStreams,
// which evaluates the module's body in the current context (see 13-streams.ts: on first use); the
// classes are types here, values only on the object createStreams returns.
import type * as Web from 'node:stream/web';

export type {
  ByteLengthQueuingStrategy, CountQueuingStrategy, ReadableByteStreamController, ReadableStream, ReadableStreamBYOBReader,
  ReadableStreamBYOBRequest, ReadableStreamDefaultController, ReadableStreamDefaultReader, TransformStream,
  TransformStreamDefaultController, WritableStream, WritableStreamDefaultController, WritableStreamDefaultWriter,
  Transformer, UnderlyingByteSource, UnderlyingSource,
} from 'node:stream/web';

/** What createStreams returns: the classes, and the platform's helpers (islet additions at the end of the .mjs). */
export interface Streams {
  readonly ByteLengthQueuingStrategy: typeof Web.ByteLengthQueuingStrategy;
  readonly CountQueuingStrategy: typeof Web.CountQueuingStrategy;
  readonly ReadableByteStreamController: typeof Web.ReadableByteStreamController;
  readonly ReadableStream: typeof Web.ReadableStream;
  readonly ReadableStreamBYOBReader: typeof Web.ReadableStreamBYOBReader;
  readonly ReadableStreamBYOBRequest: typeof Web.ReadableStreamBYOBRequest;
  readonly ReadableStreamDefaultController: typeof Web.ReadableStreamDefaultController;
  readonly ReadableStreamDefaultReader: typeof Web.ReadableStreamDefaultReader;
  readonly TransformStream: typeof Web.TransformStream;
  readonly TransformStreamDefaultController: typeof Web.TransformStreamDefaultController;
  readonly WritableStream: typeof Web.WritableStream;
  readonly WritableStreamDefaultController: typeof Web.WritableStreamDefaultController;
  readonly WritableStreamDefaultWriter: typeof Web.WritableStreamDefaultWriter;
  /** Whether `value` is a ReadableStream (brand check). */
  isReadableStream(value: unknown): value is Web.ReadableStream;
  /** Whether a ReadableStream has been read from or canceled. */
  isStreamDisturbed(stream: Web.ReadableStream): boolean;
  /** Whether a ReadableStream is locked to a reader. */
  isStreamLocked(stream: Web.ReadableStream): boolean;
  /** A default reader for `stream` (throws a TypeError when it is locked). */
  acquireReader<R>(stream: Web.ReadableStream<R>): Web.ReadableStreamDefaultReader<R>;
  /** Reads a chunk with a read request of the caller's steps (no promise); a step may run before this returns. */
  readChunk<R>(reader: Web.ReadableStreamDefaultReader<R>, chunkSteps: (chunk: R) => void, closeSteps: () => void, errorSteps: (error: unknown) => void): void;
  /** Tees a stream: its two branches. */
  teeStream<R>(stream: Web.ReadableStream<R>): [Web.ReadableStream<R>, Web.ReadableStream<R>];
  /** The built-in methods, uncurried when the classes were made. */
  byteControllerEnqueue(controller: Web.ReadableByteStreamController, chunk: ArrayBufferView): void;
  byteControllerClose(controller: Web.ReadableByteStreamController): void;
  byteControllerError(controller: Web.ReadableByteStreamController, error?: unknown): void;
  transformControllerEnqueue<T>(controller: Web.TransformStreamDefaultController<T>, chunk: T): void;
  streamGetReader<R>(stream: Web.ReadableStream<R>): Web.ReadableStreamDefaultReader<R>;
  readerRead<R>(reader: Web.ReadableStreamDefaultReader<R>): Promise<Web.ReadableStreamReadResult<R>>;
  readerCancel(reader: Web.ReadableStreamDefaultReader<unknown>, reason?: unknown): Promise<void>;
}

/** Evaluates the Streams module in the current context. */
export declare function createStreams(): Streams;
