// node/errors.js: Node's errors with a `code` (ERR_INVALID_ARG_TYPE, ...)
// and the argument checks the node: modules share, with Node's messages.
// Not a module a function can import: the others require('errors').
//
// An error is the built-in class's own instance (`instanceof TypeError`),
// with an own enumerable `code`, a stack whose first line reads
// `TypeError [CODE]: message` and a toString() that says the same, as
// Node's do.

'use strict';

// inspect and errors need each other: each asks for the other when used
const inspect = (value, options) => require('inspect').inspect(value, options);
// 1234567 -> 1_234_567, as Node shows large numbers in messages
const separated = (digits) => require('inspect').separate(digits);

const makers = {
  __proto__: null,
  ERR_AMBIGUOUS_ARGUMENT: [TypeError, (name, reason) => `The "${name}" argument is ambiguous. ${reason}`],
  ERR_BUFFER_OUT_OF_BOUNDS: [RangeError, (name) => (name
    ? `"${name}" is outside of buffer bounds`
    : 'Attempt to access memory outside buffer bounds')],
  ERR_FALSY_VALUE_REJECTION: [Error, () => 'Promise was rejected with falsy value'],
  ERR_INVALID_ARG_TYPE: [TypeError, invalidArgType],
  ERR_INVALID_ARG_VALUE: [TypeError, (name, value, reason = 'is invalid') => {
    let shown = inspect(value);
    if (shown.length > 128) shown = `${shown.slice(0, 128)}...`;
    return `The ${name.includes('.') ? 'property' : 'argument'} '${name}' ${reason}. Received ${shown}`;
  }],
  ERR_INVALID_BUFFER_SIZE: [RangeError, (size) => `Buffer size must be a multiple of ${size}`],
  ERR_INVALID_RETURN_VALUE: [TypeError, (input, name, value) => (
    `Expected ${input} to be returned from the "${name}" function but got ${received(value)}.`)],
  ERR_INVALID_THIS: [TypeError, (type) => `Value of "this" must be of type ${type}`],
  ERR_MISSING_ARGS: [TypeError, (...names) => {
    const quoted = names.map((n) => `"${n}"`);
    const list = quoted.length <= 2 ? quoted.join(' and ')
      : `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
    return `The ${list} argument${names.length > 1 ? 's' : ''} must be specified`;
  }],
  ERR_OUT_OF_RANGE: [RangeError, outOfRange],
  ERR_STRING_TOO_LONG: [Error, () => 'Cannot create a string longer than 0x1fffffe8 characters'],
  ERR_UNHANDLED_ERROR: [Error, (shown) => (shown === undefined ? 'Unhandled error.' : `Unhandled error. (${shown})`)],
  ERR_UNKNOWN_ENCODING: [TypeError, (enc) => `Unknown encoding: ${enc}`],
};

function codeToString() {
  return `${this.name} [${this.code}]: ${this.message}`;
}

// error(code, ...args): the error Node throws for that code
function error(code, ...args) {
  const [Base, message] = makers[code];
  const e = new Base(message(...args));
  // the stack begins where the error is thrown from, not here
  if (typeof Error.captureStackTrace === 'function') Error.captureStackTrace(e, error);
  // The stack's first line is made the first time it is read, from the
  // name then: `TypeError [CODE]: ...` as in Node.
  Object.defineProperty(e, 'name', { value: `${e.name} [${code}]`, configurable: true, writable: true });
  void e.stack;
  delete e.name;
  e.code = code;
  Object.defineProperty(e, 'toString', { value: codeToString, configurable: true, writable: true });
  return e;
}

// A process warning, written as Node writes it (without the process id):
// through console.warn, so a function that replaced it sees it, to
// error_log otherwise.
function warn(message, type = 'Warning', code = undefined) {
  const c = globalThis.console;
  if (c !== null && typeof c === 'object' && typeof c.warn === 'function') {
    c.warn(`${code !== undefined ? `[${code}] ` : ''}${type}: ${message}`);
  }
}

// Node's AbortError, for APIs that take a signal
class AbortError extends Error {
  constructor(message = 'The operation was aborted', options = undefined) {
    super(message, options);
    this.code = 'ABORT_ERR';
    this.name = 'AbortError';
  }
}

function outOfRange(name, range, input, whole = false) {
  let shown;
  if (Number.isInteger(input) && Math.abs(input) > 2 ** 32) {
    shown = separated(String(input));
  } else if (typeof input === 'bigint') {
    shown = String(input);
    if (input > 2n ** 32n || input < -(2n ** 32n)) shown = separated(shown);
    shown += 'n';
  } else {
    shown = inspect(input);
  }
  return `${whole ? name : `The value of "${name}" is out of range.`} It must be ${range}. Received ${shown}`;
}

// the names said "of type x": 'Function' and 'Object' too, in lower case
const PRIMITIVES = ['string', 'function', 'number', 'object', 'Function', 'Object', 'boolean', 'bigint', 'symbol'];

// "one of type a, b, or c" and the like
function listed(words, one) {
  if (words.length > 2) return `${one}${words.slice(0, -1).join(', ')}, or ${words[words.length - 1]}`;
  return `${one}${words.join(' or ')}`;
}

// what the value is, as the end of an ERR_INVALID_ARG_TYPE message says it
function received(value) {
  if (value === null || value === undefined) return `${value}`;
  if (typeof value === 'function' && value.name) return `function ${value.name}`;
  if (typeof value === 'object') {
    const ctor = value.constructor;
    if (ctor && ctor.name) return `an instance of ${ctor.name}`;
    return inspect(value, { depth: -1 });
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `type ${typeof value} (${shown})`;
}

function invalidArgType(name, expected, value) {
  if (!Array.isArray(expected)) expected = [expected];
  let msg = name.endsWith(' argument') ? `The ${name} `
    : `The "${name}" ${name.includes('.') ? 'property' : 'argument'} `;
  msg += 'must be ';
  const types = [];
  const instances = [];
  const other = [];
  for (const e of expected) {
    if (PRIMITIVES.includes(e)) types.push(e.toLowerCase());
    else if (/^[A-Z][a-zA-Z0-9]*$/.test(e)) instances.push(e);
    else other.push(e);
  }
  // with classes named, a plain object is "an instance of Object"
  if (instances.length > 0 && types.includes('object')) {
    types.splice(types.indexOf('object'), 1);
    instances.push('Object');
  }
  const parts = [];
  if (types.length > 0) parts.push(listed(types, types.length > 1 ? 'one of type ' : 'of type '));
  if (instances.length > 0) parts.push(listed(instances, 'an instance of '));
  if (other.length > 0) {
    if (other.length > 1) parts.push(listed(other, 'one of '));
    else parts.push(`${other[0].toLowerCase() !== other[0] ? 'an ' : ''}${other[0]}`);
  }
  return `${msg}${parts.join(' or ')}. Received ${received(value)}`;
}

// ---------------------------------------------------------------- checks

function validateFunction(value, name) {
  if (typeof value !== 'function') throw error('ERR_INVALID_ARG_TYPE', name, 'Function', value);
}

function validateString(value, name) {
  if (typeof value !== 'string') throw error('ERR_INVALID_ARG_TYPE', name, 'string', value);
}

function validateBoolean(value, name) {
  if (typeof value !== 'boolean') throw error('ERR_INVALID_ARG_TYPE', name, 'boolean', value);
}

function validateObject(value, name, nullable = false) {
  if ((value === null && !nullable) || (value !== null && (typeof value !== 'object' || Array.isArray(value)))) {
    throw error('ERR_INVALID_ARG_TYPE', name, 'Object', value);
  }
}

function validateNumber(value, name, min = undefined, max) {
  if (typeof value !== 'number') throw error('ERR_INVALID_ARG_TYPE', name, 'number', value);
  if ((min != null && value < min) || (max != null && value > max)
      || ((min != null || max != null) && Number.isNaN(value))) {
    const range = min != null && max != null ? `>= ${min} && <= ${max}`
      : min != null ? `>= ${min}` : `<= ${max}`;
    throw error('ERR_OUT_OF_RANGE', name, range, value);
  }
}

function validateInteger(value, name, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  if (typeof value !== 'number') throw error('ERR_INVALID_ARG_TYPE', name, 'number', value);
  if (!Number.isInteger(value)) throw error('ERR_OUT_OF_RANGE', name, 'an integer', value);
  if (value < min || value > max) throw error('ERR_OUT_OF_RANGE', name, `>= ${min} && <= ${max}`, value);
}

function validateAbortSignal(signal, name) {
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || !('aborted' in signal))) {
    throw error('ERR_INVALID_ARG_TYPE', name, 'AbortSignal', signal);
  }
}

module.exports = {
  error, warn, AbortError, received,
  validateFunction, validateString, validateBoolean, validateObject, validateNumber,
  validateInteger, validateAbortSignal,
};
