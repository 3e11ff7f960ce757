// node/types.js: node:util/types (util.types). V8 says what a value is
// (binding.typeOf): JS alone cannot tell a Proxy, a boxed primitive or a
// native error from an object that only looks like one.

'use strict';

const { typeOf } = binding;

const TYPED = [
  'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'Int8Array', 'Int16Array',
  'Int32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];
const BOXED = ['NumberObject', 'StringObject', 'BooleanObject', 'BigIntObject', 'SymbolObject'];

const is = (kind) => (value) => typeOf(value) === kind;
const isOneOf = (kinds) => (value) => kinds.includes(typeOf(value));

const types = {
  isExternal: () => false,
  isDate: is('Date'),
  isArgumentsObject: is('ArgumentsObject'),
  isBigIntObject: is('BigIntObject'),
  isBooleanObject: is('BooleanObject'),
  isNumberObject: is('NumberObject'),
  isStringObject: is('StringObject'),
  isSymbolObject: is('SymbolObject'),
  isNativeError: is('NativeError'),
  isRegExp: is('RegExp'),
  isAsyncFunction: isOneOf(['AsyncFunction', 'AsyncGeneratorFunction']),
  isGeneratorFunction: isOneOf(['GeneratorFunction', 'AsyncGeneratorFunction']),
  isGeneratorObject: is('GeneratorObject'),
  isPromise: is('Promise'),
  isMap: is('Map'),
  isSet: is('Set'),
  isMapIterator: is('MapIterator'),
  isSetIterator: is('SetIterator'),
  isWeakMap: is('WeakMap'),
  isWeakSet: is('WeakSet'),
  isArrayBuffer: is('ArrayBuffer'),
  isDataView: is('DataView'),
  isSharedArrayBuffer: is('SharedArrayBuffer'),
  isProxy: is('Proxy'),
  isModuleNamespaceObject: is('ModuleNamespaceObject'),
  isAnyArrayBuffer: isOneOf(['ArrayBuffer', 'SharedArrayBuffer']),
  isBoxedPrimitive: isOneOf(BOXED),
  isArrayBufferView: isOneOf([...TYPED, 'DataView']),
  isTypedArray: isOneOf(TYPED),
};
for (const name of TYPED) types[`is${name}`] = is(name);

module.exports = types;
