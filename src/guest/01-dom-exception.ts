/** DOMException (WebIDL §2.8.1): https://webidl.spec.whatwg.org/#idl-DOMException */
import { ObjectDefineProperty, ObjectFreeze, StringCtor, ErrorCtor } from './00-primordials.ts';

/** Legacy error code names and their numbers, from the WebIDL error names table. */
const LEGACY_CODES: Readonly<Record<string, number>> = ObjectFreeze({
  IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
  NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11,
  SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15,
  TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20, URLMismatchError: 21,
  QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
});

/** A DOMException: an Error with a name from the WebIDL table and its legacy code. */
export class DOMException extends ErrorCtor {
  readonly #name: string;
  readonly #message: string;

  constructor(message: unknown = '', options: unknown = 'Error') {
    const msg = StringCtor(message);
    let name = 'Error';
    let cause: unknown;
    let hasCause = false;
    if (typeof options === 'object' && options !== null) {
      const o = options as { name?: unknown; cause?: unknown };
      if (o.name !== undefined) name = StringCtor(o.name);
      if ('cause' in o) { hasCause = true; cause = o.cause; }
    } else if (options !== undefined) {
      name = StringCtor(options);
    }
    super(msg);
    this.#name = name;
    this.#message = msg;
    if (hasCause) ObjectDefineProperty(this, 'cause', { value: cause, writable: true, configurable: true, enumerable: false });
  }

  override get name(): string { return this.#name; }
  override get message(): string { return this.#message; }
  get code(): number { return LEGACY_CODES[this.#name] ?? 0; }
}

for (const [name, code] of [
  ['INDEX_SIZE_ERR', 1], ['DOMSTRING_SIZE_ERR', 2], ['HIERARCHY_REQUEST_ERR', 3], ['WRONG_DOCUMENT_ERR', 4],
  ['INVALID_CHARACTER_ERR', 5], ['NO_DATA_ALLOWED_ERR', 6], ['NO_MODIFICATION_ALLOWED_ERR', 7], ['NOT_FOUND_ERR', 8],
  ['NOT_SUPPORTED_ERR', 9], ['INUSE_ATTRIBUTE_ERR', 10], ['INVALID_STATE_ERR', 11], ['SYNTAX_ERR', 12],
  ['INVALID_MODIFICATION_ERR', 13], ['NAMESPACE_ERR', 14], ['INVALID_ACCESS_ERR', 15], ['VALIDATION_ERR', 16],
  ['TYPE_MISMATCH_ERR', 17], ['SECURITY_ERR', 18], ['NETWORK_ERR', 19], ['ABORT_ERR', 20], ['URL_MISMATCH_ERR', 21],
  ['QUOTA_EXCEEDED_ERR', 22], ['TIMEOUT_ERR', 23], ['INVALID_NODE_TYPE_ERR', 24], ['DATA_CLONE_ERR', 25],
] as const) {
  ObjectDefineProperty(DOMException, name, { value: code, enumerable: true });
  ObjectDefineProperty(DOMException.prototype, name, { value: code, enumerable: true });
}
ObjectDefineProperty(DOMException.prototype, Symbol.toStringTag, { value: 'DOMException', configurable: true });
