// 15-dom.js: DOMException (WebIDL), with the legacy codes and constants.
// Other runtime files throw through internal.domException(name, message).

const { webIDLClass } = internal;

// name -> legacy code (WebIDL "DOMException names" table); others have 0.
const LEGACY = [
  ['IndexSizeError', 1, 'INDEX_SIZE_ERR'],
  ['DOMStringSizeError', 2, 'DOMSTRING_SIZE_ERR'],
  ['HierarchyRequestError', 3, 'HIERARCHY_REQUEST_ERR'],
  ['WrongDocumentError', 4, 'WRONG_DOCUMENT_ERR'],
  ['InvalidCharacterError', 5, 'INVALID_CHARACTER_ERR'],
  ['NoDataAllowedError', 6, 'NO_DATA_ALLOWED_ERR'],
  ['NoModificationAllowedError', 7, 'NO_MODIFICATION_ALLOWED_ERR'],
  ['NotFoundError', 8, 'NOT_FOUND_ERR'],
  ['NotSupportedError', 9, 'NOT_SUPPORTED_ERR'],
  ['InUseAttributeError', 10, 'INUSE_ATTRIBUTE_ERR'],
  ['InvalidStateError', 11, 'INVALID_STATE_ERR'],
  ['SyntaxError', 12, 'SYNTAX_ERR'],
  ['InvalidModificationError', 13, 'INVALID_MODIFICATION_ERR'],
  ['NamespaceError', 14, 'NAMESPACE_ERR'],
  ['InvalidAccessError', 15, 'INVALID_ACCESS_ERR'],
  ['ValidationError', 16, 'VALIDATION_ERR'],
  ['TypeMismatchError', 17, 'TYPE_MISMATCH_ERR'],
  ['SecurityError', 18, 'SECURITY_ERR'],
  ['NetworkError', 19, 'NETWORK_ERR'],
  ['AbortError', 20, 'ABORT_ERR'],
  ['URLMismatchError', 21, 'URL_MISMATCH_ERR'],
  ['QuotaExceededError', 22, 'QUOTA_EXCEEDED_ERR'],
  ['TimeoutError', 23, 'TIMEOUT_ERR'],
  ['InvalidNodeTypeError', 24, 'INVALID_NODE_TYPE_ERR'],
  ['DataCloneError', 25, 'DATA_CLONE_ERR'],
];
// The names with a legacy code, in the order of their codes (1, 2, ...):
// an array searched, not a Map, which every isolate made from the snapshot
// would rehash.
const CODE_NAMES = LEGACY.map(([name]) => name);

function legacyCode(name) {
  for (let i = 0; i < CODE_NAMES.length; i++) if (CODE_NAMES[i] === name) return i + 1;
  return 0;
}

// Brand: a DOMException's state lives in a private field; the prototype
// chain is Error's, so `e instanceof Error` and `e.stack` work as in V8.
class DOMException extends Error {
  #name;
  #message;

  constructor(message, options) {
    message = message === undefined ? '' : `${message}`;
    let name = 'Error';
    let cause;
    let hasCause = false;
    if (options !== undefined && options !== null && typeof options === 'object') {
      // A dictionary {name, cause} (as in Node and workerd) or the name.
      if (options.name !== undefined) name = `${options.name}`;
      if ('cause' in options) { hasCause = true; cause = options.cause; }
    } else if (options !== undefined) {
      name = `${options}`;
    }
    super(message, hasCause ? { cause } : undefined);
    // Error's own "message" data property is not part of DOMException.
    delete this.message;
    this.#name = name;
    this.#message = message;
  }

  get name() { return this.#name; }
  get message() { return this.#message; }
  get code() { return legacyCode(this.#name); }

  static {
      }
}

webIDLClass(DOMException, 'DOMException');
Object.defineProperty(DOMException, 'length', { value: 0 });
for (const [, code, constant] of LEGACY) {
  Object.defineProperty(DOMException, constant, { value: code, enumerable: true });
  Object.defineProperty(DOMException.prototype, constant, { value: code, enumerable: true });
}

internal.domException = (name, message) => new DOMException(message, name);

Object.defineProperty(globalThis, 'DOMException', {
  value: DOMException, writable: true, configurable: true, enumerable: false,
});
