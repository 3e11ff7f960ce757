// node/util.js: node:util. promisify (with util.promisify.custom),
// callbackify, inspect, format, formatWithOptions, inherits, deprecate,
// isDeepStrictEqual, types, TextEncoder, TextDecoder, debuglog (never
// enabled: there is no NODE_DEBUG), aborted, stripVTControlCharacters,
// toUSVString and the legacy is* checks.

'use strict';

const { inspect, format, formatWithOptions } = require('inspect');
const { isDeepStrictEqual } = require('compare');
const types = require('types');
const { error, warn, validateFunction, validateAbortSignal } = require('errors');

const customPromisify = Symbol.for('nodejs.util.promisify.custom');

function promisify(original) {
  validateFunction(original, 'original');
  if (original[customPromisify]) {
    const fn = original[customPromisify];
    validateFunction(fn, 'util.promisify.custom');
    return Object.defineProperty(fn, customPromisify, {
      value: fn, enumerable: false, writable: false, configurable: true,
    });
  }
  function fn(...args) {
    return new Promise((resolve, reject) => {
      args.push((err, ...values) => {
        if (err) reject(err);
        else resolve(values[0]);
      });
      Reflect.apply(original, this, args);
    });
  }
  Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
  Object.defineProperty(fn, customPromisify, {
    value: fn, enumerable: false, writable: false, configurable: true,
  });
  return Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original));
}
promisify.custom = customPromisify;

function callbackify(original) {
  validateFunction(original, 'original');
  function callbackified(...args) {
    const last = args.pop();
    validateFunction(last, 'last argument');
    const cb = (...values) => Reflect.apply(last, this, values);
    // the callback runs on its own, outside the promise's reactions
    Reflect.apply(original, this, args).then(
      (value) => queueMicrotask(() => cb(null, value)),
      (reason) => {
        let e = reason;
        if (!reason) {
          e = error('ERR_FALSY_VALUE_REJECTION');
          e.reason = reason;
        }
        queueMicrotask(() => cb(e));
      },
    );
  }
  const descriptors = Object.getOwnPropertyDescriptors(original);
  if (descriptors.length && typeof descriptors.length.value === 'number') descriptors.length.value++;
  if (descriptors.name && typeof descriptors.name.value === 'string') descriptors.name.value += 'Callbackified';
  Object.defineProperties(callbackified, descriptors);
  return callbackified;
}

function inherits(ctor, superCtor) {
  if (ctor === undefined || ctor === null) throw error('ERR_INVALID_ARG_TYPE', 'ctor', 'Function', ctor);
  if (superCtor === undefined || superCtor === null) throw error('ERR_INVALID_ARG_TYPE', 'superCtor', 'Function', superCtor);
  if (superCtor.prototype === undefined) {
    throw error('ERR_INVALID_ARG_TYPE', 'superCtor.prototype', 'Object', superCtor.prototype);
  }
  Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

// codes already warned about, for the isolate's life
const deprecations = new Set();

function deprecate(fn, msg, code) {
  let warned = false;
  function deprecated(...args) {
    if (!warned) {
      warned = true;
      if (code === undefined || !deprecations.has(code)) {
        if (code !== undefined) deprecations.add(code);
        warn(msg, 'DeprecationWarning', code);
      }
    }
    if (new.target) return Reflect.construct(fn, args, new.target);
    return Reflect.apply(fn, this, args);
  }
  Object.setPrototypeOf(deprecated, fn);
  if (fn.prototype) deprecated.prototype = fn.prototype;
  return deprecated;
}

function debuglog() {
  const log = () => {};
  log.enabled = false;
  return log;
}

function aborted(signal, resource) {
  if (signal === undefined || signal === null || typeof signal !== 'object' || !('aborted' in signal)) {
    return Promise.reject(error('ERR_INVALID_ARG_TYPE', 'signal', 'AbortSignal', signal));
  }
  if (resource === null || (typeof resource !== 'object' && typeof resource !== 'function')) {
    return Promise.reject(error('ERR_INVALID_ARG_TYPE', 'resource', 'object', resource));
  }
  validateAbortSignal(signal, 'signal');
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

// eslint-disable-next-line no-control-regex
const ANSI = /[\u001B\u009B][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g;

function stripVTControlCharacters(str) {
  if (typeof str !== 'string') throw error('ERR_INVALID_ARG_TYPE', 'str', 'string', str);
  return str.replace(ANSI, '');
}

function toUSVString(str) {
  return `${str}`.toWellFormed ? `${str}`.toWellFormed()
    : `${str}`.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

const isPrimitive = (v) => v === null || (typeof v !== 'object' && typeof v !== 'function');

module.exports = {
  callbackify,
  debug: debuglog,
  debuglog,
  deprecate,
  format,
  formatWithOptions,
  inherits,
  inspect,
  isArray: Array.isArray,
  isBoolean: (v) => typeof v === 'boolean',
  isBuffer: (v) => require('buffer').Buffer.isBuffer(v),
  isNull: (v) => v === null,
  isNullOrUndefined: (v) => v === null || v === undefined,
  isNumber: (v) => typeof v === 'number',
  isString: (v) => typeof v === 'string',
  isSymbol: (v) => typeof v === 'symbol',
  isUndefined: (v) => v === undefined,
  isRegExp: types.isRegExp,
  isObject: (v) => v !== null && typeof v === 'object',
  isDate: types.isDate,
  isError: (v) => types.isNativeError(v) || v instanceof Error,
  isFunction: (v) => typeof v === 'function',
  isPrimitive,
  isDeepStrictEqual,
  promisify,
  stripVTControlCharacters,
  toUSVString,
  types,
  aborted,
  TextDecoder: binding.TextDecoder,
  TextEncoder: binding.TextEncoder,
};
