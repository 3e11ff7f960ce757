// node/inspect.js: util.inspect, util.format and util.formatWithOptions,
// written to print what Node's do for the values a function deals with:
// primitives, plain and class objects, arrays (sparse too), typed arrays,
// ArrayBuffers, Map/Set and their iterators, Date, RegExp, errors with
// their stack, functions and classes, boxed primitives, promises (V8 says
// their state), proxies (their target, no trap runs), getters, symbols,
// circular references (`<ref *1>` and `[Circular *1]`), `depth`,
// `maxArrayLength`, `maxStringLength`, `breakLength`, `compact` (Node's
// layout: short entries on one line, long arrays in columns), `sorted`,
// `showHidden`, `numericSeparator`, and `inspect.custom`. No colors.

'use strict';

const { typeOf, valueDetails } = binding;

const customSymbol = Symbol.for('nodejs.util.inspect.custom');

const defaults = {
  showHidden: false,
  depth: 2,
  colors: false,
  customInspect: true,
  showProxy: false,
  maxArrayLength: 100,
  maxStringLength: 10000,
  breakLength: 80,
  compact: 3,
  sorted: false,
  getters: false,
  numericSeparator: false,
};

const { hasOwnProperty, propertyIsEnumerable } = Object.prototype;
const hasOwn = (o, k) => Reflect.apply(hasOwnProperty, o, [k]);
const isEnumerable = (o, k) => Reflect.apply(propertyIsEnumerable, o, [k]);
const FunctionToString = Function.prototype.toString;
const ErrorToString = Error.prototype.toString;
const DateGetTime = Date.prototype.getTime;
const DateToISOString = Date.prototype.toISOString;
const DateToString = Date.prototype.toString;
const RegExpToString = RegExp.prototype.toString;
const SymbolToString = Symbol.prototype.toString;
const MapEntries = Map.prototype.entries;
const MapSize = Object.getOwnPropertyDescriptor(Map.prototype, 'size').get;
const SetValues = Set.prototype.values;
const SetSize = Object.getOwnPropertyDescriptor(Set.prototype, 'size').get;
const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
const TypedArrayLength = Object.getOwnPropertyDescriptor(TypedArrayProto, 'length').get;
const ArrayBufferByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;

function inspect(value, opts) {
  const ctx = {
    ...defaults,
    budget: {},
    indentationLvl: 0,
    seen: [],
    currentDepth: 0,
    circular: undefined,
    userOptions: undefined,
  };
  if (arguments.length > 2) {
    // the legacy form: inspect(value, showHidden, depth, colors)
    if (arguments[2] !== undefined) ctx.depth = arguments[2];
    if (arguments.length > 3 && arguments[3] !== undefined) ctx.colors = arguments[3];
  }
  if (typeof opts === 'boolean') {
    ctx.showHidden = opts;
  } else if (opts !== null && typeof opts === 'object') {
    ctx.userOptions = opts;
    for (const key of Object.keys(opts)) {
      if (hasOwn(defaults, key) || key === 'stylize') ctx[key] = opts[key];
    }
  }
  if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
  if (ctx.maxStringLength === null) ctx.maxStringLength = Infinity;
  if (ctx.depth === null) ctx.depth = Infinity;
  return formatValue(ctx, value, 0);
}

inspect.custom = customSymbol;
Object.defineProperty(inspect, 'defaultOptions', {
  get() { return defaults; },
  set(options) {
    if (options === null || typeof options !== 'object') {
      throw require('errors').error('ERR_INVALID_ARG_TYPE', 'options', 'Object', options);
    }
    Object.assign(defaults, options);
  },
});
inspect.colors = { __proto__: null };
inspect.styles = { __proto__: null };

// ---------------------------------------------------------------- primitives

// the escapes Node uses in quoted strings
const ESCAPES = [];
for (let c = 0; c < 0xa0; c++) {
  if (c < 0x20 || c >= 0x7f) ESCAPES[c] = `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
}
Object.assign(ESCAPES, { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 39: "\\'", 92: '\\\\' });
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\x00-\x1f\x27\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// eslint-disable-next-line no-control-regex
const ESCAPE_ALL = /[\x00-\x1f\x27\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escapeChar(ch) {
  const c = ch.charCodeAt(0);
  return c < ESCAPES.length ? ESCAPES[c] : `\\u${c.toString(16)}`;
}

// a string in quotes: single ones unless it holds some and no double
// quotes (then double), or both and no backtick (then backticks)
function quote(str) {
  let q = "'";
  if (str.includes("'")) {
    if (!str.includes('"')) q = '"';
    else if (!str.includes('`') && !str.includes('${')) q = '`';
  }
  if (str.length < 5000 && !NEEDS_ESCAPE.test(str)) return `${q}${str}${q}`;
  const escaped = str.replace(ESCAPE_ALL, (ch) => (ch === "'" && q !== "'" ? ch : escapeChar(ch)));
  return `${q}${escaped}${q}`;
}

// 1234567 -> 1_234_567
function separate(digits) {
  let out = '';
  let i = digits.length;
  const start = digits[0] === '-' ? 1 : 0;
  for (; i >= start + 4; i -= 3) out = `_${digits.slice(i - 3, i)}${out}`;
  return i === digits.length ? digits : `${digits.slice(0, i)}${out}`;
}

function formatNumber(n, separators) {
  if (Object.is(n, -0)) return '-0';
  if (!separators) return `${n}`;
  const s = `${n}`;
  if (!Number.isFinite(n) || s.includes('e')) return s;
  const [int, frac] = s.split('.');
  if (frac === undefined) return separate(int);
  let f = '';
  let i = 0;
  for (; i < frac.length - 3; i += 3) f += `${frac.slice(i, i + 3)}_`;
  return `${separate(int)}.${f}${frac.slice(i)}`;
}

function formatBigInt(n, separators) {
  return `${separators ? separate(`${n}`) : n}n`;
}

function formatPrimitive(ctx, value) {
  switch (typeof value) {
    case 'string': {
      let trailer = '';
      if (value.length > ctx.maxStringLength) {
        const rest = value.length - ctx.maxStringLength;
        value = value.slice(0, ctx.maxStringLength);
        trailer = `... ${rest} more character${rest > 1 ? 's' : ''}`;
      }
      // long strings in an object read better one line a line
      if (ctx.compact !== true && value.length > 16 && value.length > ctx.breakLength - ctx.indentationLvl - 4) {
        return value.split(/(?<=\n)/).map(quote).join(` +\n${' '.repeat(ctx.indentationLvl + 2)}`) + trailer;
      }
      return quote(value) + trailer;
    }
    case 'number':
      return formatNumber(value, ctx.numericSeparator);
    case 'bigint':
      return formatBigInt(value, ctx.numericSeparator);
    case 'symbol':
      return Reflect.apply(SymbolToString, value, []);
    default:
      return `${value}`;
  }
}

// ---------------------------------------------------------------- objects

function formatValue(ctx, value, recurseTimes, typedArray) {
  if (typeof value !== 'object' && typeof value !== 'function') return formatPrimitive(ctx, value);
  if (value === null) return 'null';

  // a Proxy shows as its target, and none of its traps run
  const original = value;
  if (typeOf(value) === 'Proxy') {
    let target = value;
    while (typeOf(target) === 'Proxy') {
      const parts = valueDetails(target);
      if (parts[1] === null) return '<Revoked Proxy>';
      target = parts[0];
    }
    if (ctx.showProxy) {
      const [t, h] = valueDetails(value);
      ctx.indentationLvl += 2;
      const out = [formatValue(ctx, t, recurseTimes + 1), formatValue(ctx, h, recurseTimes + 1)];
      ctx.indentationLvl -= 2;
      return reduceToSingleString(ctx, out, '', ['Proxy [', ']'], 1, recurseTimes);
    }
    value = target;
  }

  if (ctx.customInspect) {
    const custom = value[customSymbol];
    if (typeof custom === 'function' && custom !== inspect) {
      const ctor = value.constructor;
      // not a class's prototype, whose method it is
      if (!(ctor && ctor.prototype === value)) {
        const depth = ctx.depth - recurseTimes;
        const options = { ...pickOptions(ctx), ...ctx.userOptions };
        const ret = Reflect.apply(custom, original, [depth, options, inspect]);
        if (ret !== original) {
          if (typeof ret !== 'string') return formatValue(ctx, ret, recurseTimes);
          return ret.replaceAll('\n', `\n${' '.repeat(ctx.indentationLvl)}`);
        }
      }
    }
  }

  if (ctx.seen.includes(value)) {
    if (ctx.circular === undefined) ctx.circular = new Map();
    let index = ctx.circular.get(value);
    if (index === undefined) {
      index = ctx.circular.size + 1;
      ctx.circular.set(value, index);
    }
    return `[Circular *${index}]`;
  }

  return formatRaw(ctx, value, recurseTimes, typedArray);
}

function pickOptions(ctx) {
  const out = {};
  for (const key of Object.keys(defaults)) out[key] = ctx[key];
  out.stylize = (s) => s;
  return out;
}

// the name of the nearest constructor up the prototype chain, or null
function constructorName(obj) {
  let o = obj;
  while (o !== null && o !== undefined) {
    const d = Object.getOwnPropertyDescriptor(o, 'constructor');
    if (d !== undefined && typeof d.value === 'function' && d.value.name !== '') {
      try {
        if (obj instanceof d.value) return String(d.value.name);
      } catch { /* a hostile Symbol.hasInstance */ }
    }
    o = Object.getPrototypeOf(o);
  }
  return null;
}

function prefixOf(ctor, tag, fallback, size = '') {
  if (ctor === null) {
    if (tag !== '' && fallback !== tag) return `[${fallback}${size}: null prototype] [${tag}] `;
    return `[${fallback}${size}: null prototype] `;
  }
  if (tag !== '' && ctor !== tag) return `${ctor}${size} [${tag}] `;
  return `${ctor}${size} `;
}

function ownKeys(value, showHidden) {
  const symbols = Object.getOwnPropertySymbols(value);
  if (showHidden) return [...Object.getOwnPropertyNames(value), ...symbols];
  return [...Object.keys(value), ...symbols.filter((s) => isEnumerable(value, s))];
}

const isIndex = (key) => typeof key === 'string' && /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;

function formatRaw(ctx, value, recurseTimes, typedArray) {
  const kind = typeOf(value);
  const ctor = constructorName(value);
  let tag = value[Symbol.toStringTag];
  // an own enumerable tag is listed with the keys already
  if (typeof tag !== 'string' || (tag !== '' && (ctx.showHidden ? hasOwn : isEnumerable)(value, Symbol.toStringTag))) {
    tag = '';
  }
  let keys;
  let base = '';
  let braces;
  let formatter = () => [];
  let extras = 0;          // 1: array-like (keys without names, grouped)

  if (Array.isArray(value)) {
    const prefix = ctor !== 'Array' || tag !== '' ? prefixOf(ctor, tag, 'Array', `(${value.length})`) : '';
    keys = ownKeys(value, ctx.showHidden).filter((k) => !isIndex(k));
    braces = [`${prefix}[`, ']'];
    if (value.length === 0 && keys.length === 0) return `${braces[0]}]`;
    extras = 1;
    formatter = formatArray;
  } else if (kind === 'Set' || kind === 'Map') {
    const size = Reflect.apply(kind === 'Set' ? SetSize : MapSize, value, []);
    const prefix = prefixOf(ctor, tag, kind, `(${size})`);
    keys = ownKeys(value, ctx.showHidden);
    if (size === 0 && keys.length === 0) return `${prefix}{}`;
    braces = [`${prefix}{`, '}'];
    formatter = kind === 'Set' ? formatSet : formatMap;
  } else if (kind.endsWith('Array') && kind !== '') {
    const size = Reflect.apply(TypedArrayLength, value, []);
    keys = ownKeys(value, ctx.showHidden).filter((k) => !isIndex(k));
    const prefix = prefixOf(ctor, tag, kind, `(${size})`);
    braces = [`${prefix}[`, ']'];
    if (size === 0 && keys.length === 0 && !ctx.showHidden) return `${braces[0]}]`;
    formatter = formatTypedArray;
    extras = 1;
  } else if (kind === 'MapIterator' || kind === 'SetIterator') {
    keys = ownKeys(value, ctx.showHidden);
    const what = kind === 'MapIterator' ? 'Map' : 'Set';
    // an iterator of [key, value] pairs shows as its entries
    braces = [`[${valueDetails(value)[1] ? `${what} Entries` : tag || `${what} Iterator`}] {`, '}'];
    formatter = formatIterator;
  } else {
    keys = ownKeys(value, ctx.showHidden);
    braces = ['{', '}'];
    if (ctor === 'Object') {
      if (kind === 'ArgumentsObject') braces[0] = '[Arguments] {';
      else if (tag !== '') braces[0] = `${prefixOf(ctor, tag, 'Object')}{`;
      if (keys.length === 0) return `${braces[0]}}`;
    } else if (typeof value === 'function') {
      base = functionBase(value, ctor, tag, kind);
      if (keys.length === 0) return base;
    } else if (kind === 'RegExp') {
      base = Reflect.apply(RegExpToString, value, []);
      const prefix = prefixOf(ctor, tag, 'RegExp');
      if (prefix !== 'RegExp ') base = `${prefix}${base}`;
      if (keys.length === 0 || recurseTimes > ctx.depth) return base;
    } else if (kind === 'Date') {
      const t = Reflect.apply(DateGetTime, value, []);
      base = Number.isNaN(t) ? Reflect.apply(DateToString, value, []) : Reflect.apply(DateToISOString, value, []);
      const prefix = prefixOf(ctor, tag, 'Date');
      if (prefix !== 'Date ') base = `${prefix}${base}`;
      if (keys.length === 0) return base;
    } else if (kind === 'NativeError' || value instanceof Error) {
      base = formatError(value, ctor, tag, ctx, keys);
      if (keys.length === 0) return base;
    } else if (kind === 'ArrayBuffer' || kind === 'SharedArrayBuffer') {
      const prefix = prefixOf(ctor, tag, kind);
      if (typedArray === undefined) {
        formatter = formatArrayBuffer;
      } else if (keys.length === 0) {
        return `${prefix}{ byteLength: ${formatNumber(Reflect.apply(ArrayBufferByteLength, value, []), false)} }`;
      }
      braces[0] = `${prefix}{`;
      keys.unshift('byteLength');
    } else if (kind === 'DataView') {
      braces[0] = `${prefixOf(ctor, tag, 'DataView')}{`;
      keys.unshift('byteLength', 'byteOffset', 'buffer');
    } else if (kind === 'Promise') {
      braces[0] = `${prefixOf(ctor, tag, 'Promise')}{`;
      formatter = formatPromise;
    } else if (kind === 'WeakSet' || kind === 'WeakMap') {
      braces[0] = `${prefixOf(ctor, tag, kind)}{`;
      formatter = () => ['<items unknown>'];
    } else if (kind === 'ModuleNamespaceObject') {
      braces[0] = `${prefixOf(ctor, tag, 'Module')}{`;
    } else if (kind.endsWith('Object') && kind !== 'GeneratorObject' && kind !== 'ArgumentsObject') {
      base = boxedBase(ctx, value, kind, ctor, tag, keys);
      if (keys.length === 0) return base;
    } else {
      braces[0] = `${prefixOf(ctor, tag, 'Object')}{`;
      if (keys.length === 0) return `${braces[0]}}`;
    }
  }

  if (recurseTimes > ctx.depth) {
    const name = prefixOf(ctor, tag, 'Object').slice(0, -1);
    return ctor === null ? name : `[${name}]`;
  }

  recurseTimes += 1;
  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  const indentation = ctx.indentationLvl;
  let output;
  try {
    output = formatter(ctx, value, recurseTimes);
    for (const key of keys) output.push(formatProperty(ctx, value, recurseTimes, key, false));
  } catch (err) {
    // too deep for the stack: this value is cut short, as Node cuts it
    if (!(err instanceof RangeError) || err.message !== 'Maximum call stack size exceeded') throw err;
    ctx.indentationLvl = indentation;
    return `[${prefixOf(ctor, tag, 'Object').slice(0, -1)}: Inspection interrupted prematurely. Maximum call stack size exceeded.]`;
  } finally {
    ctx.seen.pop();
  }

  if (ctx.circular !== undefined) {
    const index = ctx.circular.get(value);
    if (index !== undefined) {
      const ref = `<ref *${index}>`;
      if (ctx.compact !== true) base = base === '' ? ref : `${ref} ${base}`;
      else braces[0] = `${ref} ${braces[0]}`;
    }
  }

  if (ctx.sorted) {
    const cmp = ctx.sorted === true ? undefined : ctx.sorted;
    if (extras === 0) {
      output.sort(cmp);
    } else if (keys.length > 1) {
      const named = output.slice(output.length - keys.length).sort(cmp);
      output.splice(output.length - keys.length, keys.length, ...named);
    }
  }

  return reduceToSingleString(ctx, output, base, braces, extras, recurseTimes, value);
}

function functionBase(value, ctor, tag, kind) {
  let text = '';
  try { text = Reflect.apply(FunctionToString, value, []); } catch { /* not ours to read */ }
  if (text.startsWith('class') && text.endsWith('}')) {
    const name = (hasOwn(value, 'name') && value.name) || '(anonymous)';
    let base = `class ${name}`;
    if (ctor !== 'Function' && ctor !== null) base += ` [${ctor}]`;
    if (tag !== '' && ctor !== tag) base += ` [${tag}]`;
    if (ctor !== null) {
      const parent = Object.getPrototypeOf(value);
      if (parent && parent.name) base += ` extends ${parent.name}`;
    } else {
      base += ' extends [null prototype]';
    }
    return `[${base}]`;
  }
  let type = 'Function';
  if (kind === 'GeneratorFunction') type = 'GeneratorFunction';
  else if (kind === 'AsyncFunction') type = 'AsyncFunction';
  else if (kind === 'AsyncGeneratorFunction') type = 'AsyncGeneratorFunction';
  let base = `[${type}`;
  if (ctor === null) base += ' (null prototype)';
  base += value.name === '' ? ' (anonymous)' : `: ${value.name}`;
  base += ']';
  if (ctor !== type && ctor !== null) base += ` ${ctor}`;
  if (tag !== '' && ctor !== tag) base += ` [${tag}]`;
  return base;
}

function boxedBase(ctx, value, kind, ctor, tag, keys) {
  const [prim] = valueDetails(value);
  const type = { NumberObject: 'Number', StringObject: 'String', BooleanObject: 'Boolean',
    BigIntObject: 'BigInt', SymbolObject: 'Symbol' }[kind];
  let shown;
  if (kind === 'StringObject') {
    // the characters are own keys of a String object: not listed twice
    const n = prim.length;
    for (let i = keys.length - 1; i >= 0; i--) {
      if (isIndex(keys[i]) && Number(keys[i]) < n) keys.splice(i, 1);
    }
    if (ctx.showHidden) {
      const at = keys.indexOf('length');
      if (at !== -1) keys.splice(at, 1);
    }
    shown = quote(prim);
  } else {
    shown = formatPrimitive({ ...ctx, compact: true }, prim);
  }
  let base = `[${type}`;
  if (type !== ctor) base += ctor === null ? ' (null prototype)' : ` (${ctor})`;
  base += `: ${shown}]`;
  if (tag !== '' && tag !== ctor) base += ` [${tag}]`;
  return base;
}

function formatError(err, ctor, tag, ctx, keys) {
  const name = err.name != null ? String(err.name) : 'Error';
  let stack;
  try {
    stack = err.stack ? String(err.stack) : Reflect.apply(ErrorToString, err, []);
  } catch {
    stack = '[Error]';
  }
  // what the stack says already is not listed again
  if (!ctx.showHidden && keys.length !== 0) {
    for (const key of ['name', 'message', 'stack']) {
      const at = keys.indexOf(key);
      if (at !== -1 && stack.includes(err[key])) keys.splice(at, 1);
    }
  }
  if ('cause' in err && !keys.includes('cause')) keys.push('cause');
  if (Array.isArray(err.errors) && !keys.includes('errors')) keys.push('errors');

  // a subclass whose stack names its parent: the subclass is named
  let len = name.length;
  if (ctor === null || (name.endsWith('Error') && stack.startsWith(name)
      && (stack.length === len || stack[len] === ':' || stack[len] === '\n'))) {
    let fallback = 'Error';
    if (ctor === null) {
      const m = /^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n\s+at)/.exec(stack) || /^([a-z_A-Z0-9-]*Error)$/.exec(stack);
      fallback = (m && m[1]) || '';
      len = fallback.length;
      fallback = fallback || 'Error';
    }
    const prefix = prefixOf(ctor, tag, fallback).slice(0, -1);
    if (name !== prefix) {
      if (prefix.includes(name)) stack = len === 0 ? `${prefix}: ${stack}` : `${prefix}${stack.slice(len)}`;
      else stack = `${prefix} [${name}]${stack.slice(len)}`;
    }
  }

  let pos = (err.message && stack.indexOf(err.message)) || -1;
  if (pos !== -1) pos += err.message.length;
  if (stack.indexOf('\n    at', pos) === -1) stack = `[${stack}]`;
  if (ctx.indentationLvl !== 0) stack = stack.replaceAll('\n', `\n${' '.repeat(ctx.indentationLvl)}`);
  return stack;
}

// `key: value`, or only the value for an array's element
function formatProperty(ctx, value, recurseTimes, key, element) {
  let desc = Object.getOwnPropertyDescriptor(value, key);
  if (desc === undefined) desc = { value: value[key], enumerable: true };
  let str;
  if (desc.value !== undefined || !('get' in desc || 'set' in desc)) {
    const diff = ctx.compact !== true ? 2 : 3;
    ctx.indentationLvl += diff;
    str = formatValue(ctx, desc.value, recurseTimes);
    ctx.indentationLvl -= diff;
  } else if (desc.get !== undefined) {
    const label = desc.set !== undefined ? 'Getter/Setter' : 'Getter';
    if (ctx.getters && (ctx.getters === true || (ctx.getters === 'get' && desc.set === undefined)
        || (ctx.getters === 'set' && desc.set !== undefined))) {
      try {
        const v = Reflect.apply(desc.get, value, []);
        ctx.indentationLvl += 2;
        if (v === null) str = `[${label}: null]`;
        else if (typeof v === 'object') str = `[${label}] ${formatValue(ctx, v, recurseTimes)}`;
        else str = `[${label}: ${formatPrimitive(ctx, v)}]`;
        ctx.indentationLvl -= 2;
      } catch (e) {
        str = `[${label}: <Inspection threw (${e && e.message})>]`;
      }
    } else {
      str = `[${label}]`;
    }
  } else if (desc.set !== undefined) {
    str = '[Setter]';
  } else {
    str = 'undefined';
  }
  if (element) return str;
  let name;
  if (typeof key === 'symbol') {
    name = `[${Reflect.apply(SymbolToString, key, []).replace(ESCAPE_ALL, escapeChar)}]`;
  } else if (/^[a-zA-Z_][a-zA-Z_0-9]*$/.test(key)) {
    name = key;
  } else {
    name = quote(key);
  }
  if (desc.enumerable === false) name = `[${name}]`;
  return `${name}: ${str}`;
}

function moreItems(n) {
  return `... ${n} more item${n > 1 ? 's' : ''}`;
}

function formatArray(ctx, value, recurseTimes) {
  const length = value.length;
  const max = Math.min(Math.max(0, ctx.maxArrayLength), length);
  const output = [];
  let i = 0;
  while (i < length && output.length < max) {
    if (hasOwn(value, i)) {
      output.push(formatProperty(ctx, value, recurseTimes, i, true));
      i++;
      continue;
    }
    // a hole: up to the next element there is (from the keys: the array
    // may be long and sparse)
    let next = length;
    for (const k of Object.keys(value)) {
      if (!isIndex(k)) continue;
      const n = Number(k);
      if (n > i && n < next) next = n;
    }
    const empty = next - i;
    output.push(`<${empty} empty item${empty > 1 ? 's' : ''}>`);
    i = next;
  }
  const rest = length - i;
  if (rest > 0) output.push(moreItems(rest));
  return output;
}

function formatTypedArray(ctx, value, recurseTimes) {
  const length = Reflect.apply(TypedArrayLength, value, []);
  const max = Math.min(Math.max(0, ctx.maxArrayLength), length);
  const output = [];
  for (let i = 0; i < max; i++) {
    const v = value[i];
    output.push(typeof v === 'bigint' ? formatBigInt(v, ctx.numericSeparator) : formatNumber(v, ctx.numericSeparator));
  }
  if (length > max) output.push(moreItems(length - max));
  if (ctx.showHidden) {
    ctx.indentationLvl += 2;
    for (const key of ['BYTES_PER_ELEMENT', 'length', 'byteLength', 'byteOffset', 'buffer']) {
      output.push(`[${key}]: ${formatValue(ctx, value[key], recurseTimes, true)}`);
    }
    ctx.indentationLvl -= 2;
  }
  return output;
}

function formatArrayBuffer(ctx, value) {
  const bytes = new Uint8Array(value);
  const max = Math.min(ctx.maxArrayLength, bytes.length);
  let hex = '';
  for (let i = 0; i < max; i++) hex += `${i ? ' ' : ''}${bytes[i].toString(16).padStart(2, '0')}`;
  const rest = bytes.length - max;
  if (rest > 0) hex += ` ... ${rest} more byte${rest > 1 ? 's' : ''}`;
  return [`[Uint8Contents]: <${hex}>`];
}

// a Set's values or a Map's `key => value` entries, maxArrayLength of them
function formatEntries(ctx, size, entries, entry) {
  const output = [];
  const max = Math.max(0, ctx.maxArrayLength);
  let n = 0;
  ctx.indentationLvl += 2;
  for (const e of entries) {
    if (n++ >= max) break;
    output.push(entry(e));
  }
  ctx.indentationLvl -= 2;
  if (size > max) output.push(moreItems(size - max));
  return output;
}

function formatSet(ctx, value, recurseTimes) {
  return formatEntries(ctx, Reflect.apply(SetSize, value, []), Reflect.apply(SetValues, value, []),
    (v) => formatValue(ctx, v, recurseTimes));
}

function formatMap(ctx, value, recurseTimes) {
  return formatEntries(ctx, Reflect.apply(MapSize, value, []), Reflect.apply(MapEntries, value, []),
    ([k, v]) => `${formatValue(ctx, k, recurseTimes)} => ${formatValue(ctx, v, recurseTimes)}`);
}

function formatIterator(ctx, value, recurseTimes) {
  const [entries, pairs] = valueDetails(value);
  const output = [];
  const count = pairs ? entries.length / 2 : entries.length;
  const max = Math.min(Math.max(0, ctx.maxArrayLength), count);
  ctx.indentationLvl += 2;
  for (let i = 0; i < max; i++) {
    if (pairs) {
      const pair = [formatValue(ctx, entries[2 * i], recurseTimes), formatValue(ctx, entries[2 * i + 1], recurseTimes)];
      output.push(reduceToSingleString(ctx, pair, '', ['[', ']'], 1, recurseTimes));
    } else {
      output.push(formatValue(ctx, entries[i], recurseTimes));
    }
  }
  ctx.indentationLvl -= 2;
  if (count > max) output.push(moreItems(count - max));
  return output;
}

function formatPromise(ctx, value, recurseTimes) {
  const [state, result] = valueDetails(value);
  if (state === 0) return ['<pending>'];
  ctx.indentationLvl += 2;
  const str = formatValue(ctx, result, recurseTimes);
  ctx.indentationLvl -= 2;
  return [state === 2 ? `<rejected> ${str}` : str];
}

// ---------------------------------------------------------------- layout

// Long arrays of short entries are set in columns, as Node sets them: about
// as many columns as make a square of entries 2.5 times as high as wide,
// within the line, at most 15 (or 4 times `compact`); numbers are aligned
// right, others left.
function groupArrayElements(ctx, output, value) {
  let total = 0;
  let maxLength = 0;
  let count = output.length;
  if (ctx.maxArrayLength < output.length) count--;  // "... more items" stays apart
  const sep = 2;
  const lengths = [];
  for (let i = 0; i < count; i++) {
    const len = output[i].length;
    lengths.push(len);
    total += len + sep;
    if (len > maxLength) maxLength = len;
  }
  const widest = maxLength + sep;
  if (widest * 3 + ctx.indentationLvl >= ctx.breakLength || (total / widest <= 5 && maxLength > 6)) return output;
  const bias = Math.sqrt(widest - total / output.length);
  const biased = Math.max(widest - 3 - bias, 1);
  const columns = Math.min(
    Math.round(Math.sqrt(2.5 * biased * count) / biased),
    Math.floor((ctx.breakLength - ctx.indentationLvl) / widest),
    ctx.compact * 4,
    15,
  );
  if (columns <= 1) return output;
  const widths = [];
  for (let c = 0; c < columns; c++) {
    let w = 0;
    for (let j = c; j < output.length; j += columns) if (lengths[j] > w) w = lengths[j];
    widths.push(w + sep);
  }
  let numbers = true;
  if (value !== undefined) {
    for (let i = 0; i < output.length; i++) {
      if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') { numbers = false; break; }
    }
  }
  const rows = [];
  for (let i = 0; i < count; i += columns) {
    const end = Math.min(i + columns, count);
    let row = '';
    let j = i;
    for (; j < end - 1; j++) {
      const cell = `${output[j]}, `;
      row += numbers ? cell.padStart(widths[j - i], ' ') : cell.padEnd(widths[j - i], ' ');
    }
    row += numbers ? output[j].padStart(widths[j - i] - sep, ' ') : output[j];
    rows.push(row);
  }
  if (ctx.maxArrayLength < output.length) rows.push(output[count]);
  return rows;
}

// output joined by separator as a rope (+=), not flattened as
// Array.prototype.join would: a deep value's text is a part of each of its
// parents', and copying it at each level would take the square of the time
function join(output, separator) {
  let str = '';
  if (output.length === 0) return str;
  for (let i = 0; i < output.length - 1; i++) {
    str += output[i];
    str += separator;
  }
  return str + output[output.length - 1];
}

function fitsOnOneLine(ctx, output, start, base) {
  let total = output.length + start;
  if (total + output.length > ctx.breakLength) return false;
  for (const entry of output) {
    total += entry.length;
    if (total > ctx.breakLength) return false;
  }
  return base === '' || !base.includes('\n');
}

function reduceToSingleString(ctx, output, base, braces, extras, recurseTimes, value) {
  if (ctx.compact !== true) {
    if (typeof ctx.compact === 'number' && ctx.compact >= 1) {
      const entries = output.length;
      if (extras === 1 && entries > 6) output = groupArrayElements(ctx, output, value);
      // an object with little nesting inside, on one line if it fits
      if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
        const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
        if (fitsOnOneLine(ctx, output, start, base)) {
          const joined = join(output, ', ');
          if (!joined.includes('\n')) return `${base ? `${base} ` : ''}${braces[0]} ${joined} ${braces[1]}`;
        }
      }
    }
    const indent = `\n${' '.repeat(ctx.indentationLvl)}`;
    return `${base ? `${base} ` : ''}${braces[0]}${indent}  ${join(output, `,${indent}  `)}${indent}${braces[1]}`;
  }
  // compact: true: one line while it fits, else lines of breakLength
  if (fitsOnOneLine(ctx, output, 0, base)) {
    return `${braces[0]}${base ? ` ${base}` : ''} ${join(output, ', ')} ${braces[1]}`;
  }
  const indent = `\n${' '.repeat(ctx.indentationLvl)}`;
  const ln = base === '' && braces[0].length === 1 ? ' ' : `${base ? ` ${base}` : ''}\n${' '.repeat(ctx.indentationLvl)}  `;
  return `${braces[0]}${ln}${join(output, `,${indent}  `)} ${braces[1]}`;
}

// ---------------------------------------------------------------- format

// own or inherited toString that is not a built-in class's
const BUILT_INS = new Set(['Object', 'Error', 'Array', 'Date', 'RegExp', 'Function', 'Map', 'Set', 'Promise',
  'Number', 'String', 'Boolean', 'Symbol', 'BigInt', 'WeakMap', 'WeakSet', 'ArrayBuffer', 'DataView',
  'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError',
  'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array',
  'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Uint8ClampedArray', 'SharedArrayBuffer']);

function builtInToString(value) {
  while (typeOf(value) === 'Proxy') {
    const parts = valueDetails(value);
    if (parts[1] === null) return true;
    value = parts[0];
  }
  if (typeof value.toString !== 'function') return true;
  if (hasOwn(value, 'toString')) return false;
  let p = value;
  do {
    p = Object.getPrototypeOf(p);
  } while (p !== null && !hasOwn(p, 'toString'));
  if (p === null) return true;
  const d = Object.getOwnPropertyDescriptor(p, 'constructor');
  return d !== undefined && typeof d.value === 'function' && BUILT_INS.has(d.value.name);
}

function stringify(value) {
  try {
    return JSON.stringify(value);
  } catch (e) {
    if (e instanceof RangeError || !/circular/i.test(e && e.message)) throw e;
    return '[Circular]';
  }
}

function formatWithOptions(options, ...args) {
  if (options === null || typeof options !== 'object') {
    throw require('errors').error('ERR_INVALID_ARG_TYPE', 'inspectOptions', 'Object', options);
  }
  return formatArgs(options, args);
}

function format(...args) {
  return formatArgs(undefined, args);
}

function formatArgs(options, args) {
  const first = args[0];
  let a = 0;
  let str = '';
  let join = '';
  if (typeof first === 'string') {
    if (args.length === 1) return first;
    let last = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first.charCodeAt(i) !== 37) continue;   // '%'
      const next = first[++i];
      if (a + 1 === args.length) {
        if (next === '%') {
          str += first.slice(last, i);
          last = i + 1;
        }
        continue;
      }
      let piece;
      switch (next) {
        case 's': {
          const v = args[++a];
          if (typeof v === 'number') piece = formatNumber(v, false);
          else if (typeof v === 'bigint') piece = formatBigInt(v, false);
          else if (typeof v !== 'object' || v === null || !builtInToString(v)) piece = String(v);
          else piece = inspect(v, { ...options, depth: 0, colors: false, compact: 3 });
          break;
        }
        case 'j':
          piece = stringify(args[++a]);
          break;
        case 'd': {
          const v = args[++a];
          if (typeof v === 'bigint') piece = formatBigInt(v, false);
          else if (typeof v === 'symbol') piece = 'NaN';
          else piece = formatNumber(Number(v), false);
          break;
        }
        case 'O':
          piece = inspect(args[++a], options);
          break;
        case 'o':
          piece = inspect(args[++a], { ...options, showHidden: true, showProxy: true, depth: 4 });
          break;
        case 'i': {
          const v = args[++a];
          if (typeof v === 'bigint') piece = formatBigInt(v, false);
          else if (typeof v === 'symbol') piece = 'NaN';
          else piece = formatNumber(Number.parseInt(v), false);
          break;
        }
        case 'f': {
          const v = args[++a];
          piece = typeof v === 'symbol' ? 'NaN' : formatNumber(Number.parseFloat(v), false);
          break;
        }
        case 'c':
          a++;
          piece = '';
          break;
        case '%':
          str += first.slice(last, i);
          last = i + 1;
          continue;
        default:
          continue;
      }
      if (last !== i - 1) str += first.slice(last, i - 1);
      str += piece;
      last = i + 1;
    }
    if (last !== 0) {
      a++;
      join = ' ';
      if (last < first.length) str += first.slice(last);
    }
  }
  for (; a < args.length; a++) {
    const v = args[a];
    str += join + (typeof v === 'string' ? v : inspect(v, options));
    join = ' ';
  }
  return str;
}

module.exports = { inspect, format, formatWithOptions, separate };
