/**
 * The Streams standard (https://streams.spec.whatwg.org/) from web-streams-polyfill, a port of the
 * spec's reference implementation, plus TextEncoderStream and TextDecoderStream
 * (https://encoding.spec.whatwg.org/#interface-textencoderstream) built on TransformStream.
 */
import {
  ByteLengthQueuingStrategy, CountQueuingStrategy, ReadableByteStreamController, ReadableStream, ReadableStreamBYOBReader,
  ReadableStreamBYOBRequest, ReadableStreamDefaultController, ReadableStreamDefaultReader, TransformStream,
  TransformStreamDefaultController, WritableStream, WritableStreamDefaultController, WritableStreamDefaultWriter,
} from './vendor/web-streams-polyfill.mjs';
import { ObjectDefineProperty, StringCtor } from './00-primordials.ts';
import { TextDecoder, utf8Encode } from './06-encoding.ts';

/** https://encoding.spec.whatwg.org/#interface-textencoderstream */
export class TextEncoderStream {
  readonly #transform: TransformStream<string, Uint8Array>;
  constructor() {
    let pendingHigh = '';
    this.#transform = new TransformStream<string, Uint8Array>({
      transform(chunk, controller) {
        let s = pendingHigh + StringCtor(chunk);
        pendingHigh = '';
        const last = s.charCodeAt(s.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) { pendingHigh = s.slice(-1); s = s.slice(0, -1); }
        if (s.length > 0) controller.enqueue(utf8Encode(s));
      },
      flush(controller) {
        if (pendingHigh !== '') controller.enqueue(new Uint8Array([0xef, 0xbf, 0xbd]));
      },
    });
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
      transform(chunk, controller) {
        const text = decoder.decode(chunk, { stream: true });
        if (text !== '') controller.enqueue(text);
      },
      flush(controller) {
        const text = decoder.decode();
        if (text !== '') controller.enqueue(text);
      },
    });
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
