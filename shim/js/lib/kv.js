// js/lib/kv.js: `KvNamespace`, the env.NAME of a js_function_kv binding, as
// Cloudflare Workers KV's binding: get(key, type | {type, cacheTtl}),
// getWithMetadata(), put(key, value, {expiration, expirationTtl,
// metadata}), delete(key), list({prefix, limit, cursor}). Each call is one
// natives.kv() (shim/kv.cc), which checks its arguments again and runs the
// operation on the host's store (nginx: ngx_http_jsfn_kv.c) at once; the
// methods still return promises, and every error is a rejection, as
// workerd's.
//
// A library (js/README.md, "Libraries"): compiled in an isolate by the
// first request with a KV binding (js/60-kv.js); its result is {bind}.
//
// Parameters after natives and internal: the built-ins js/60-kv.js captured
// when the snapshot was made: PromiseResolve, PromiseReject, StringCtor,
// NumberCtor, MathTrunc, TypeErrorCtor, ErrorCtor, Uint8ArrayCtor,
// ObjectDefineProperty, SymbolToStringTag, TypedArraySet, ArrayBufferCtor,
// MathMin, MathMax, ArrayIsArray, MapCtor, MapSet.

const CHECK = 0;
const GET = 1;
const PUT = 2;
const DELETE = 3;
const LIST = 4;
const MAX_VALUE = 25 * 1024 * 1024;
const MAX_LIST = 1000;
const MAX_BULK = 100;
const { ReflectApply } = internal;
const TOKEN = {};
const VALUE_TYPES = 'KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.';

class KvNamespace {
  #id;

  constructor(token, id) {
    if (token !== TOKEN) throw new TypeErrorCtor('Illegal constructor');
    this.#id = id;
  }

  static id(ns) {
    if (typeof ns !== 'object' || ns === null || !(#id in ns)) throw new TypeErrorCtor('Illegal invocation');
    return ns.#id;
  }

  get(key, options) {
    try {
      return PromiseResolve(getValue(KvNamespace.id(this), key, options, false));
    } catch (e) {
      return PromiseReject(e);
    }
  }

  getWithMetadata(key, options) {
    try {
      return PromiseResolve(getValue(KvNamespace.id(this), key, options, true));
    } catch (e) {
      return PromiseReject(e);
    }
  }

  put(key, value, options) {
    try {
      const id = KvNamespace.id(this);
      key = toKey(key);
      let metadata;
      let expiration;
      let expirationTtl;
      if (options !== undefined && options !== null) {
        if (typeof options !== 'object' && typeof options !== 'function') {
          throw new TypeErrorCtor("Failed to execute 'put' on 'KvNamespace': parameter 3 is not of type 'KvPutOptions'.");
        }
        expiration = options.expiration;
        expirationTtl = options.expirationTtl;
        metadata = options.metadata;
        if (expiration !== undefined) expiration = NumberCtor(expiration);
        if (expirationTtl !== undefined) expirationTtl = NumberCtor(expirationTtl);
      }
      if (typeof value === 'object' && value !== null) {
        const bytes = internal.bufferSource(value);
        if (bytes === null) {
          if (internal.isReadableStream(value)) {
            natives.kv(CHECK, id, key);
            return internal.promiseThen(readAll(value), (all) => {
              natives.kv(PUT, id, key, all, metadata, expiration, expirationTtl);
            });
          }
          throw new TypeErrorCtor(VALUE_TYPES);
        }
        value = bytes;
      } else if (typeof value === 'symbol' || typeof value === 'function') {
        throw new TypeErrorCtor(VALUE_TYPES);
      } else if (typeof value !== 'string') {
        value = StringCtor(value);
      }
      natives.kv(PUT, id, key, value, metadata, expiration, expirationTtl);
      return PromiseResolve(undefined);
    } catch (e) {
      return PromiseReject(e);
    }
  }

  delete(key) {
    try {
      natives.kv(DELETE, KvNamespace.id(this), toKey(key));
      return PromiseResolve(undefined);
    } catch (e) {
      return PromiseReject(e);
    }
  }

  list(options) {
    try {
      const id = KvNamespace.id(this);
      let prefix = '';
      let limit = MAX_LIST;
      let cursor;
      if (options !== undefined && options !== null) {
        if (typeof options !== 'object' && typeof options !== 'function') {
          throw new TypeErrorCtor("Failed to execute 'list' on 'KvNamespace': parameter 1 is not of type 'KvListOptions'.");
        }
        const p = options.prefix;
        const l = options.limit;
        const c = options.cursor;
        if (p !== undefined && p !== null) prefix = toKey(p);
        if (l !== undefined && l !== null) {
          const n = MathTrunc(NumberCtor(l));
          // as workerd: a limit of 0 or less is the default
          if (n > MAX_LIST || n !== n) {
            throw new ErrorCtor(`KV GET failed: 400 Invalid key_count_limit of ${l}. Please specify an integer of at most ${MAX_LIST}.`);
          }
          if (n > 0) limit = n;
        }
        if (c !== undefined && c !== null && c !== '') cursor = toKey(c);
      }
      return PromiseResolve(natives.kv(LIST, id, prefix, limit, cursor));
    } catch (e) {
      return PromiseReject(e);
    }
  }
}

ObjectDefineProperty(KvNamespace.prototype, SymbolToStringTag, { value: 'KvNamespace', configurable: true });

// a key as workerd takes it: any value as a string (a symbol is a TypeError)
function toKey(key) {
  if (typeof key === 'string') return key;
  if (typeof key === 'symbol') throw new TypeErrorCtor('Cannot convert a Symbol value to a string');
  return StringCtor(key);
}

// get() and getWithMetadata(): the type is checked before the store is
// read; an array of keys is a bulk read (at most 100 keys, text or json),
// a Map of each key's value (or {value, metadata}), null when missing
function getValue(id, key, options, withMetadata) {
  const bulk = ArrayIsArray(key);
  const keys = bulk ? key : null;
  if (!bulk) key = toKey(key);
  let type = 'text';
  if (typeof options === 'object' && options !== null) {
    const t = options.type;
    const cacheTtl = options.cacheTtl;
    if (t !== undefined) type = toKey(t);
    // accepted as on Cloudflare, and without effect: the zone is the store
    if (cacheTtl !== undefined) {
      const n = NumberCtor(cacheTtl);
      if (!(n >= 60)) {
        throw new ErrorCtor(`KV GET failed: 400 Invalid cache_ttl of ${cacheTtl}. Cache TTL must be at least 60.`);
      }
    }
  } else if (options !== undefined && options !== null) {
    type = toKey(options);
  }
  const mode = type === 'text' ? 1 : type === 'json' ? 2 : type === 'arrayBuffer' || type === 'stream' ? 0 : -1;
  if (mode < 0 || (bulk && mode === 0)) {
    throw new TypeErrorCtor(bulk
      ? 'Unknown response type. Possible types for a bulk get are "text" and "json".'
      : 'Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".');
  }
  if (!bulk) return getOne(id, key, type, mode, withMetadata);
  const n = keys.length;
  if (!(n >= 1 && n <= MAX_BULK)) {
    throw new ErrorCtor(`KV GET_BULK failed: 400 Between 1 and ${MAX_BULK} keys may be read at once, not ${n}.`);
  }
  const names = [];
  for (let i = 0; i < n; i++) names[i] = toKey(keys[i]);
  const map = new MapCtor();
  for (let i = 0; i < n; i++) {
    const r = getOne(id, names[i], type, mode, withMetadata);
    ReflectApply(MapSet, map, [names[i], withMetadata && r.value === null ? null : r]);
  }
  return map;
}

function getOne(id, key, type, mode, withMetadata) {
  const r = natives.kv(GET, id, key, mode);
  let value = null;
  let metadata = null;
  if (r !== undefined) {
    value = type === 'stream' ? byteStream(r[0]) : r[0];
    metadata = r[1];
  }
  return withMetadata ? { value, metadata, cacheStatus: null } : value;
}

// a value read as a stream: one chunk of its bytes
function byteStream(ab) {
  let u8 = new Uint8ArrayCtor(ab);
  return internal.newByteStream((controller) => {
    if (u8 !== null && u8.length !== 0) controller.enqueue(u8);
    u8 = null;
    controller.close();
  }, () => { u8 = null; });
}

// a ReadableStream put(): its chunks (BufferSources) gathered in one
// buffer, doubled as needed, up to the largest value
async function readAll(stream) {
  const reader = internal.streamReader(stream);
  let ab = new ArrayBufferCtor(0);
  let buf = new Uint8ArrayCtor(ab);
  let used = 0;
  for (;;) {
    const r = await internal.streamRead(reader);
    if (r.done) return new Uint8ArrayCtor(ab, 0, used);
    const bytes = typeof r.value === 'object' && r.value !== null ? internal.bufferSource(r.value) : null;
    const n = bytes === null ? 0 : bytes.length;
    if (bytes === null || used + n > MAX_VALUE) {
      const e = bytes === null
        ? new TypeErrorCtor('KV put(): a ReadableStream value must give ArrayBuffers or ArrayBufferViews.')
        : new ErrorCtor(`KV PUT failed: 413 Value length of at least ${used + n} exceeds limit of ${MAX_VALUE}.`);
      internal.promiseThen(internal.streamCancel(reader, e), undefined, () => {});
      throw e;
    }
    if (used + n > buf.length) {
      const grown = new ArrayBufferCtor(MathMin(MathMax(2 * buf.length, used + n, 4096), MAX_VALUE));
      const next = new Uint8ArrayCtor(grown);
      ReflectApply(TypedArraySet, next, [buf, 0]);
      ab = grown;
      buf = next;
    }
    ReflectApply(TypedArraySet, buf, [bytes, used]);
    used += n;
  }
}

const namespaces = [];

function bind(env, bindings) {
  for (let i = 0; i < bindings.length; i += 2) {
    const id = bindings[i + 1];
    let ns = namespaces[id];
    if (ns === undefined) {
      ns = new KvNamespace(TOKEN, id);
      namespaces[id] = ns;
    }
    env[bindings[i]] = ns;
  }
}

return { bind };
