/**
 * The Streams standard (https://streams.spec.whatwg.org/) from web-streams-polyfill, a port of the
 * spec's reference implementation (vendored and hardened against guests that patch built-ins:
 * vendor/web-streams-polyfill.mjs), plus TextEncoderStream and TextDecoderStream
 * (https://encoding.spec.whatwg.org/#interface-textencoderstream) built on TransformStream.
 */
import {
  ByteLengthQueuingStrategy, CountQueuingStrategy, ReadableByteStreamController, ReadableStream, ReadableStreamBYOBReader,
  ReadableStreamBYOBRequest, ReadableStreamDefaultController, ReadableStreamDefaultReader, TransformStream,
  TransformStreamDefaultController, WritableStream, WritableStreamDefaultController, WritableStreamDefaultWriter, type Transformer,
} from './vendor/web-streams-polyfill.mjs';
import { ObjectDefineProperty, StringCtor, StringPrototypeCharCodeAt, StringPrototypeSlice, uncurry } from './00-primordials.ts';
import { TextDecoder, utf8Encode } from './06-encoding.ts';

type Enqueue<T> = (controller: TransformStreamDefaultController<T>, chunk: T) => void;
const ControllerEnqueue = uncurry(TransformStreamDefaultController.prototype.enqueue) as Enqueue<unknown>;
const TextDecoderPrototypeDecode = uncurry(TextDecoder.prototype.decode);
const STREAM = { __proto__: null, stream: true } as { stream: boolean };

/** https://encoding.spec.whatwg.org/#interface-textencoderstream */
export class TextEncoderStream {
  readonly #transform: TransformStream<string, Uint8Array>;
  constructor() {
    let pendingHigh = '';
    this.#transform = new TransformStream<string, Uint8Array>({
      __proto__: null,
      transform(chunk: string, controller: TransformStreamDefaultController<Uint8Array>) {
        let s = pendingHigh + StringCtor(chunk);
        pendingHigh = '';
        const last = StringPrototypeCharCodeAt(s, s.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) { pendingHigh = StringPrototypeSlice(s, -1); s = StringPrototypeSlice(s, 0, -1); }
        if (s.length > 0) ControllerEnqueue(controller, utf8Encode(s));
      },
      flush(controller: TransformStreamDefaultController<Uint8Array>) {
        if (pendingHigh !== '') ControllerEnqueue(controller, utf8Encode('\uFFFD'));
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
    this.#transform = new TransformStream<ArrayBuffer | ArrayBufferView, string>({
      __proto__: null,
      transform(chunk: ArrayBuffer | ArrayBufferView, controller: TransformStreamDefaultController<string>) {
        const text = TextDecoderPrototypeDecode(decoder, chunk, STREAM);
        if (text !== '') ControllerEnqueue(controller, text);
      },
      flush(controller: TransformStreamDefaultController<string>) {
        const text = TextDecoderPrototypeDecode(decoder);
        if (text !== '') ControllerEnqueue(controller, text);
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

/** The stream classes, by global name. */
export const streamGlobals = {
  ReadableStream, ReadableStreamDefaultReader, ReadableStreamBYOBReader, ReadableStreamBYOBRequest,
  ReadableStreamDefaultController, ReadableByteStreamController, WritableStream, WritableStreamDefaultWriter,
  WritableStreamDefaultController, TransformStream, TransformStreamDefaultController, ByteLengthQueuingStrategy,
  CountQueuingStrategy, TextEncoderStream, TextDecoderStream,
};
