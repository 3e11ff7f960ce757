// js/lib/clone.js: HTML's `structuredClone`, through V8's serializer
// (natives.structuredClone, shim/clone.cc).
//
// A library (js/README.md, "Libraries"): loaded when a function first reads
// the global (js/16-events.js), with the built-ins captured there when the
// snapshot was made.

const { domException, ReflectApply, libraryUsed } = internal;
// Parameters after natives and internal: built-ins and pieces of
// js/16-events.js, captured when the snapshot was made: requireArgs, toDict,
// isObject, setCloneHook, DOMExceptionCtor, DOMExceptionProto, messageGet,
// ObjectGetPrototypeOf, ObjectSetPrototypeOf, ObjectKeys, ArrayIsArray,
// ReflectDefineProperty, ReflectDeleteProperty,
// ReflectGetOwnPropertyDescriptor, ReflectConstruct, MapForEach, SetForEach,
// MapProto, SetProto, ObjectProto, ERROR_PROTOS, MapCtor.
const nativeClone = typeof natives.structuredClone === 'function' ? natives.structuredClone : null;

const dataCloneError = (message) => domException('DataCloneError', message);

// StructuredSerializeOptions' transfer: sequence<object>.
function toTransferList(options, what) {
  const init = toDict(options, what);
  const transfer = init.transfer;
  const list = [];
  if (transfer === undefined) return list;
  if (!isObject(transfer) || typeof transfer[Symbol.iterator] !== 'function') {
    throw new TypeError(`${what}: The provided value cannot be converted to a sequence.`);
  }
  for (const t of transfer) {
    if (!isObject(t)) throw new TypeError(`${what}: Failed to convert value to 'object'.`);
    list.push(t);
  }
  return list;
}

// DOMExceptions: V8's serializer writes an Error subclass as a plain Error
// (its message and stack, its cause), and a DOMException has no own
// message. So while a clone is written, the `name` getter (which V8 reads
// from each error it writes) tags each DOMException met: its stack becomes
// a marker, put back once written. The errors of the copy that carry a
// marker are then made DOMExceptions again, with the original's name,
// message and stack, as a browser's clone would be.
const CLONE_TAG = '\u0000structuredClone DOMException ';

let cloneRecords = null;   // during a clone: DOMException -> record
let cloneTags = 0;

// (the getter, replaced by 16-events.js when the snapshot was made, calls this)
setCloneHook((e, name) => {
  if (cloneRecords !== null && !cloneRecords.has(e)) tagForClone(e, name);
});

function tagForClone(e, name) {
  const r = { tag: '', name, message: ReflectApply(messageGet, e, []), stack: undefined, saved: undefined };
  cloneRecords.set(e, r);
  // (reading the stack may format it, which reads the name again)
  const d = ReflectGetOwnPropertyDescriptor(e, 'stack');
  if (d !== undefined && !d.configurable) return;
  r.saved = d;
  r.stack = d !== undefined && 'value' in d ? d.value : undefined;
  r.tag = `${CLONE_TAG}${++cloneTags}`;
  if (!ReflectDefineProperty(e, 'stack', { value: r.tag, writable: true, enumerable: false, configurable: true })) r.tag = '';
}

function untag(records) {
  ReflectApply(MapForEach, records, [(r, e) => {
    if (r.tag === '') return;
    if (r.saved === undefined) ReflectDeleteProperty(e, 'stack');
    else ReflectDefineProperty(e, 'stack', r.saved);
  }]);
}

// The DOMException's own constructor run on an existing object (its
// private fields need it): for that one call, its parent constructor
// returns the object instead of making an Error.
let reviving = null;
function Reviver() { return reviving; }

function revive(root, records) {
  const byTag = new MapCtor();
  ReflectApply(MapForEach, records, [(r) => { if (r.tag !== '') byTag.set(r.tag, r); }]);
  const seen = new Set();
  const todo = [root];
  const push = (v) => { if (isObject(v) && !seen.has(v)) todo.push(v); };
  while (todo.length !== 0) {
    const v = todo.pop();
    if (seen.has(v)) continue;
    seen.add(v);
    const proto = ObjectGetPrototypeOf(v);
    if (ERROR_PROTOS.has(proto)) {
      const d = ReflectGetOwnPropertyDescriptor(v, 'stack');
      const r = d !== undefined && typeof d.value === 'string' ? byTag.get(d.value) : undefined;
      const cause = ReflectGetOwnPropertyDescriptor(v, 'cause');
      if (cause !== undefined) push(cause.value);
      if (r !== undefined) becomeDOMException(v, r);
    } else if (proto === MapProto) {
      ReflectApply(MapForEach, v, [(value, key) => { push(key); push(value); }]);
    } else if (proto === SetProto) {
      ReflectApply(SetForEach, v, [push]);
    } else if (proto === ObjectProto || ArrayIsArray(v)) {
      const keys = ObjectKeys(v);
      for (let i = 0; i < keys.length; i++) push(v[keys[i]]);
    }
  }
}

function becomeDOMException(err, r) {
  const parent = ObjectGetPrototypeOf(DOMExceptionCtor);
  reviving = err;
  ObjectSetPrototypeOf(DOMExceptionCtor, Reviver);
  try {
    ReflectConstruct(DOMExceptionCtor, [r.message, r.name]);
  } finally {
    ObjectSetPrototypeOf(DOMExceptionCtor, parent);
    reviving = null;
  }
  ObjectSetPrototypeOf(err, DOMExceptionProto);
  if (r.stack === undefined) ReflectDeleteProperty(err, 'stack');
  else ReflectDefineProperty(err, 'stack', { value: r.stack, writable: true, enumerable: false, configurable: true });
}

function structuredClone(value, options = undefined) {
  const what = "Failed to execute 'structuredClone'";
  requireArgs(1, arguments.length, what);
  const transfer = toTransferList(options, what);
  if (nativeClone === null) throw domException('NotSupportedError', 'structuredClone is not available here.');
  const outer = cloneRecords;
  const records = new MapCtor();
  cloneRecords = records;
  let copy;
  try {
    copy = nativeClone(value, transfer, dataCloneError);
  } finally {
    cloneRecords = outer;
    untag(records);
  }
  if (records.size !== 0) revive(copy, records);
  libraryUsed('clone');
  return copy;
}

return { structuredClone };
