/**
 * The Streams standard (https://streams.spec.whatwg.org/) from web-streams-polyfill, a port of the
 * spec's reference implementation (vendored and hardened against guests that patch built-ins:
 * vendor/web-streams-polyfill.mjs), plus TextEncoderStream and TextDecoderStream
 * (https://encoding.spec.whatwg.org/#interface-textencoderstream) built on TransformStream.
 *
 * The Streams module is evaluated on first use in each context, not when the prelude loads: most
 * requests never touch a stream (a GET answered with a string or JSON), and a context without
 * one is ~280 KB smaller and ~0.6 ms faster to make. The stream globals are accessors until then
 * (see 90-boot.ts); the platform's modules reach the classes through streams().
 */
import { createStreams, type ReadableStream, type Streams, type Transformer, type TransformStream, type TransformStreamDefaultController, type WritableStream } from './vendor/web-streams-polyfill.mjs';
import { ObjectDefineProperty, StringCtor, StringPrototypeCharCodeAt, StringPrototypeSlice, uncurry } from './00-primordials.ts';
import { TextDecoder, utf8Encode } from './06-encoding.ts';

let made: Streams | undefined;

/** The Streams classes and helpers of this context, made on first use. */
export function streams(): Streams {
  if (made === undefined) made = createStreams();
  return made;
}

/** Whether `value` is a ReadableStream (none exists before the classes are made). */
export function isReadableStream(value: unknown): value is ReadableStream {
  return made !== undefined && made.isReadableStream(value);
}

const TextDecoderPrototypeDecode = uncurry(TextDecoder.prototype.decode);
const STREAM = { __proto__: null, stream: true } as { stream: boolean };

/** https://encoding.spec.whatwg.org/#interface-textencoderstream */
export class TextEncoderStream {
  readonly #transform: TransformStream<string, Uint8Array>;
  constructor() {
    let pendingHigh = '';
    const { TransformStream, transformControllerEnqueue: enqueue } = streams();
    this.#transform = new TransformStream<string, Uint8Array>({
      __proto__: null,
      transform(chunk: string, controller: TransformStreamDefaultController<Uint8Array>) {
        let s = pendingHigh + StringCtor(chunk);
        pendingHigh = '';
        const last = StringPrototypeCharCodeAt(s, s.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) { pendingHigh = StringPrototypeSlice(s, -1); s = StringPrototypeSlice(s, 0, -1); }
        if (s.length > 0) enqueue(controller, utf8Encode(s));
      },
      flush(controller: TransformStreamDefaultController<Uint8Array>) {
        if (pendingHigh !== '') enqueue(controller, utf8Encode('\uFFFD'));
      },
    } as Transformer<string, Uint8Array>);
  }
  get encoding(): string { return 'utf-8'; }
  get readable(): ReadableStream<Uint8Array> { return this.#transform.readable; }
  get writable(): WritableStream<string> { return this.#transform.writable; }
}
ObjectDefineProperty(TextEncoderStream.prototype, Symbol.toStringTag, { value: 'TextEncoderStream', configurable: true });

/** https://encoding.spec.whatwg.org/#interface-textdecoderstream */
export class TextDecoderStream {
  readonly #decoder: TextDecoder;
  readonly #transform: TransformStream<ArrayBuffer | ArrayBufferView, string>;
  constructor(label: string = 'utf-8', options?: { fatal?: boolean; ignoreBOM?: boolean }) {
    const decoder = new TextDecoder(label, options);
    this.#decoder = decoder;
    const { TransformStream, transformControllerEnqueue: enqueue } = streams();
    this.#transform = new TransformStream<ArrayBuffer | ArrayBufferView, string>({
      __proto__: null,
      transform(chunk: ArrayBuffer | ArrayBufferView, controller: TransformStreamDefaultController<string>) {
        const text = TextDecoderPrototypeDecode(decoder, chunk, STREAM);
        if (text !== '') enqueue(controller, text);
      },
      flush(controller: TransformStreamDefaultController<string>) {
        const text = TextDecoderPrototypeDecode(decoder);
        if (text !== '') enqueue(controller, text);
      },
    } as Transformer<ArrayBuffer | ArrayBufferView, string>);
  }
  get encoding(): string { return this.#decoder.encoding; }
  get fatal(): boolean { return this.#decoder.fatal; }
  get ignoreBOM(): boolean { return this.#decoder.ignoreBOM; }
  get readable(): ReadableStream<string> { return this.#transform.readable; }
  get writable(): WritableStream<ArrayBuffer | ArrayBufferView> { return this.#transform.writable; }
}
ObjectDefineProperty(TextDecoderStream.prototype, Symbol.toStringTag, { value: 'TextDecoderStream', configurable: true });

/** The global names of the Streams module's classes (installed as accessors that make them on first use). */
export const STREAM_GLOBAL_NAMES = [
  'ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'ReadableStreamBYOBRequest',
  'ReadableStreamDefaultController', 'ReadableByteStreamController', 'WritableStream', 'WritableStreamDefaultWriter',
  'WritableStreamDefaultController', 'TransformStream', 'TransformStreamDefaultController', 'ByteLengthQueuingStrategy',
  'CountQueuingStrategy',
] as const;
