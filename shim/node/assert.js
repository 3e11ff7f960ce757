// node:assert and node:assert/strict: ok, equal, notEqual, strictEqual,
// notStrictEqual, deepEqual, deepStrictEqual, notDeepEqual,
// notDeepStrictEqual, throws, doesNotThrow, rejects, doesNotReject, match,
// doesNotMatch, fail, ifError and AssertionError, with Node's messages
// (diffs of the two values as util.inspect shows them) and deep equality
// (node/compare.js).
//
// One difference: Node quotes the source of a failing assert.ok(value)
// call ("The expression evaluated to a falsy value: assert.ok(x)"); the
// runtime does not read a function's files, so the message is Node's own
// fallback, `${value} == true`.

'use strict';

const { inspect } = require('inspect');
const { isDeepEqual, isDeepStrictEqual } = require('compare');
const { error, warn, validateObject, validateFunction } = require('errors');
const types = require('types');

const READABLE = {
  deepStrictEqual: 'Expected values to be strictly deep-equal:',
  strictEqual: 'Expected values to be strictly equal:',
  strictEqualObject: 'Expected "actual" to be reference-equal to "expected":',
  deepEqual: 'Expected values to be loosely deep-equal:',
  notDeepStrictEqual: 'Expected "actual" not to be strictly deep-equal to:',
  notStrictEqual: 'Expected "actual" to be strictly unequal to:',
  notStrictEqualObject: 'Expected "actual" not to be reference-equal to "expected":',
  notDeepEqual: 'Expected "actual" not to be loosely deep-equal to:',
  notIdentical: 'Values have same structure but are not reference-equal:',
  notDeepEqualUnequal: 'Expected values not to be loosely deep-equal:',
};

const inspectValue = (v) => inspect(v, {
  compact: false, customInspect: false, depth: 1000, maxArrayLength: Infinity,
  showHidden: false, showProxy: false, sorted: true, getters: true,
});

const isError = (v) => types.isNativeError(v) || v instanceof Error;
const isObjectish = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';

// At most this many lines of a value are shown.
function cut(lines) {
  if (lines.length > 50) {
    lines[46] = '...';
    lines.length = 47;
  }
  return lines;
}

// identical lines before a diverging one: the last two or three, the
// rest as "..."
function context(lines, i, identical, state) {
  let out = '';
  if (identical > 2) {
    if (identical > 3) {
      if (identical > 4) {
        if (identical === 5) {
          out += `\n  ${lines[i - 3]}`;
          state.printed++;
        } else {
          out += '\n...';
          state.skipped = true;
        }
      }
      out += `\n  ${lines[i - 2]}`;
      state.printed++;
    }
    out += `\n  ${lines[i - 1]}`;
    state.printed++;
  }
  return out;
}

// the two values line by line, "+" for actual and "-" for expected, as
// Node's assert shows them
function diff(actual, expected, operator, header) {
  const actualText = inspectValue(actual);
  const actualLines = actualText.split('\n');
  const expectedLines = inspectValue(expected).split('\n');
  let i = 0;
  let indicator = '';
  if (operator === 'strictEqual' && ((typeof actual === 'object' && actual !== null && typeof expected === 'object'
      && expected !== null) || (typeof actual === 'function' && typeof expected === 'function'))) {
    operator = 'strictEqualObject';
  }
  if (header === undefined) header = READABLE[operator];

  if (actualLines.length === 1 && expectedLines.length === 1 && actualLines[0] !== expectedLines[0]) {
    const length = actualLines[0].length + expectedLines[0].length;
    if (length <= 12) {
      if (!isObjectishOrNull(actual) && !isObjectishOrNull(expected) && (actual !== 0 || expected !== 0)) {
        return `${header}\n\n${actualLines[0]} !== ${expectedLines[0]}\n`;
      }
    } else if (operator !== 'strictEqualObject' && length < 80) {
      while (actualLines[0][i] === expectedLines[0][i]) i++;
      // where they part, when not at once
      if (i > 2) {
        indicator = `\n  ${' '.repeat(i)}^`;
        i = 0;
      }
    }
  }

  // the lines both end with, mostly left out
  let end = '';
  let other = '';
  while (actualLines.length > 0 && expectedLines.length > 0
      && actualLines[actualLines.length - 1] === expectedLines[expectedLines.length - 1]) {
    const line = actualLines.pop();
    expectedLines.pop();
    if (i++ < 3) end = `\n  ${line}${end}`;
    else other = line;
  }

  const maxLines = Math.max(actualLines.length, expectedLines.length);
  if (maxLines === 0) return `${READABLE.notIdentical}\n\n${cut(actualText.split('\n')).join('\n')}\n`;

  const state = { printed: 0, skipped: false };
  if (i >= 5) {
    end = `\n...${end}`;
    state.skipped = true;
  }
  if (other !== '') {
    end = `\n  ${other}${end}`;
    other = '';
  }

  let res = '';
  let identical = 0;
  const head = `${header}\n+ actual - expected`;
  const skippedNote = ' ... Lines skipped';
  let lines = actualLines;
  let sign = '+';
  let shorter = expectedLines.length;
  if (actualLines.length < maxLines) {
    lines = expectedLines;
    sign = '-';
    shorter = actualLines.length;
  }

  for (i = 0; i < maxLines; i++) {
    if (shorter < i + 1) {
      // only one side has lines left
      res += context(lines, i, identical, state);
      identical = 0;
      if (lines === actualLines) res += `\n${sign} ${lines[i]}`;
      else other += `\n${sign} ${lines[i]}`;
      state.printed++;
    } else {
      const expectedLine = expectedLines[i];
      let actualLine = actualLines[i];
      let diverging = actualLine !== expectedLine && (!actualLine.endsWith(',') || actualLine.slice(0, -1) !== expectedLine);
      // the same but for a trailing comma: the same
      if (diverging && expectedLine.endsWith(',') && expectedLine.slice(0, -1) === actualLine) {
        diverging = false;
        actualLine += ',';
      }
      if (diverging) {
        res += context(actualLines, i, identical, state);
        identical = 0;
        // the actual lines first, the expected ones after them
        res += `\n+ ${actualLine}`;
        other += `\n- ${expectedLine}`;
        state.printed += 2;
      } else {
        res += other;
        other = '';
        identical++;
        if (identical <= 2) {
          res += `\n  ${actualLine}`;
          state.printed++;
        }
      }
    }
    if (state.printed > 50 && i < maxLines - 2) return `${head}${skippedNote}\n${res}\n...${other}\n...`;
  }
  return `${head}${state.skipped ? skippedNote : ''}\n${res}${other}${end}${indicator}`;
}

function isObjectishOrNull(v) {
  return typeof v === 'object' && v !== null;
}

function generatedMessage(actual, expected, operator) {
  if (operator === 'deepStrictEqual' || operator === 'strictEqual') return diff(actual, expected, operator);
  if (operator === 'notDeepStrictEqual' || operator === 'notStrictEqual') {
    let base = READABLE[operator];
    const lines = cut(inspectValue(actual).split('\n'));
    if (operator === 'notStrictEqual' && isObjectish(actual)) base = READABLE.notStrictEqualObject;
    if (lines.length === 1) return `${base}${lines[0].length > 5 ? '\n\n' : ' '}${lines[0]}`;
    return `${base}\n\n${lines.join('\n')}\n`;
  }
  let res = inspectValue(actual);
  let other = inspectValue(expected);
  const known = READABLE[operator];
  if (operator === 'notDeepEqual' && res === other) {
    res = `${known}\n\n${res}`;
    return res.length > 1024 ? `${res.slice(0, 1021)}...` : res;
  }
  if (res.length > 512) res = `${res.slice(0, 509)}...`;
  if (other.length > 512) other = `${other.slice(0, 509)}...`;
  if (operator === 'deepEqual') {
    res = `${known}\n\n${res}\n\nshould loosely deep-equal\n\n`;
  } else if (READABLE[`${operator}Unequal`]) {
    res = `${READABLE[`${operator}Unequal`]}\n\n${res}\n\nshould not loosely deep-equal\n\n`;
  } else {
    other = ` ${operator} ${other}`;
  }
  return `${res}${other}`;
}

// an error's own properties and message without its stack
function copyError(source) {
  const target = Object.assign({ __proto__: Object.getPrototypeOf(source) }, source);
  Object.defineProperty(target, 'message', { value: source.message });
  if (source.cause !== undefined) {
    const cause = isError(source.cause) ? copyError(source.cause) : source.cause;
    Object.defineProperty(target, 'cause', { value: cause });
  }
  return target;
}

class AssertionError extends Error {
  constructor(options) {
    validateObject(options, 'options');
    const { message, operator, stackStartFn, details } = options;
    let { actual, expected } = options;
    if (message == null && isError(actual) && isError(expected) && 'stack' in actual && 'stack' in expected) {
      // compared without their stacks
      actual = copyError(actual);
      expected = copyError(expected);
    }
    if (message != null) {
      // Node 20 follows the message with the diff for these two
      if (operator === 'deepStrictEqual' || operator === 'strictEqual') super(diff(actual, expected, operator, String(message)));
      else super(String(message));
    } else if (details) {
      super(details.map((d) => d.message ?? generatedMessage(d.actual, d.expected, d.operator)).join('\n'));
    } else {
      super(generatedMessage(actual, expected, operator));
    }
    this.generatedMessage = message == null;
    Object.defineProperty(this, 'name', {
      value: 'AssertionError [ERR_ASSERTION]', enumerable: false, writable: true, configurable: true,
    });
    this.code = 'ERR_ASSERTION';
    this.actual = actual;
    this.expected = expected;
    this.operator = operator;
    if (typeof stackStartFn === 'function' && typeof Error.captureStackTrace === 'function') {
      Error.captureStackTrace(this, stackStartFn);
    }
    void this.stack;
    this.name = 'AssertionError';
  }

  toString() {
    return `${this.name} [${this.code}]: ${this.message}`;
  }

  // actual and expected at depth 0: the message shows them already
  [inspect.custom](recurseTimes, ctx) {
    return inspect(this, { ...ctx, customInspect: false, depth: 0 });
  }
}

function innerFail(obj) {
  if (obj.message instanceof Error) throw obj.message;
  throw new AssertionError(obj);
}

function innerOk(fn, count, value, message) {
  if (value) return;
  let generated = false;
  if (count === 0) {
    generated = true;
    message = 'No value argument passed to `assert.ok()`';
  } else if (message == null) {
    generated = true;
  } else if (message instanceof Error) {
    throw message;
  }
  const err = new AssertionError({ actual: value, expected: true, message, operator: '==', stackStartFn: fn });
  err.generatedMessage = generated;
  throw err;
}

function ok(...args) {
  innerOk(ok, args.length, ...args);
}

const assert = ok;

let warnedFail = false;

assert.fail = function fail(actual, expected, message, operator, stackStartFn) {
  const count = arguments.length;
  let internal = false;
  if (actual == null && count <= 1) {
    internal = true;
    message = 'Failed';
  } else if (count === 1) {
    message = actual;
    actual = undefined;
  } else {
    if (!warnedFail) {
      warnedFail = true;
      warn('assert.fail() with more than one argument is deprecated. Please use assert.strictEqual() instead '
        + 'or only pass a message.', 'DeprecationWarning', 'DEP0094');
    }
    if (count === 2) operator = '!=';
  }
  if (message instanceof Error) throw message;
  const err = new AssertionError({
    actual, expected, operator: operator === undefined ? 'fail' : operator, stackStartFn: stackStartFn || fail, message,
  });
  if (internal) err.generatedMessage = true;
  throw err;
};

assert.AssertionError = AssertionError;
assert.ok = ok;

function needsTwo(count) {
  if (count < 2) throw error('ERR_MISSING_ARGS', 'actual', 'expected');
}

assert.equal = function equal(actual, expected, message) {
  needsTwo(arguments.length);
  // eslint-disable-next-line eqeqeq
  if (actual != expected && (!Number.isNaN(actual) || !Number.isNaN(expected))) {
    innerFail({ actual, expected, message, operator: '==', stackStartFn: equal });
  }
};

assert.notEqual = function notEqual(actual, expected, message) {
  needsTwo(arguments.length);
  // eslint-disable-next-line eqeqeq
  if (actual == expected || (Number.isNaN(actual) && Number.isNaN(expected))) {
    innerFail({ actual, expected, message, operator: '!=', stackStartFn: notEqual });
  }
};

assert.deepEqual = function deepEqual(actual, expected, message) {
  needsTwo(arguments.length);
  if (!isDeepEqual(actual, expected)) innerFail({ actual, expected, message, operator: 'deepEqual', stackStartFn: deepEqual });
};

assert.notDeepEqual = function notDeepEqual(actual, expected, message) {
  needsTwo(arguments.length);
  if (isDeepEqual(actual, expected)) innerFail({ actual, expected, message, operator: 'notDeepEqual', stackStartFn: notDeepEqual });
};

assert.deepStrictEqual = function deepStrictEqual(actual, expected, message) {
  needsTwo(arguments.length);
  if (!isDeepStrictEqual(actual, expected)) {
    innerFail({ actual, expected, message, operator: 'deepStrictEqual', stackStartFn: deepStrictEqual });
  }
};

assert.notDeepStrictEqual = function notDeepStrictEqual(actual, expected, message) {
  needsTwo(arguments.length);
  if (isDeepStrictEqual(actual, expected)) {
    innerFail({ actual, expected, message, operator: 'notDeepStrictEqual', stackStartFn: notDeepStrictEqual });
  }
};

assert.strictEqual = function strictEqual(actual, expected, message) {
  needsTwo(arguments.length);
  if (!Object.is(actual, expected)) innerFail({ actual, expected, message, operator: 'strictEqual', stackStartFn: strictEqual });
};

assert.notStrictEqual = function notStrictEqual(actual, expected, message) {
  needsTwo(arguments.length);
  if (Object.is(actual, expected)) {
    innerFail({ actual, expected, message, operator: 'notStrictEqual', stackStartFn: notStrictEqual });
  }
};

// ---------------------------------------------------------------- exceptions

// an object showing only the keys compared, for the diff
class Comparison {
  constructor(obj, keys, actual) {
    for (const key of keys) {
      if (!(key in obj)) continue;
      if (actual !== undefined && typeof actual[key] === 'string' && types.isRegExp(obj[key])
          && obj[key].exec(actual[key]) !== null) {
        this[key] = actual[key];
      } else {
        this[key] = obj[key];
      }
    }
  }
}

function compareExceptionKey(actual, expected, key, message, keys, fn) {
  if (key in actual && isDeepStrictEqual(actual[key], expected[key])) return;
  if (!message) {
    const err = new AssertionError({
      actual: new Comparison(actual, keys), expected: new Comparison(expected, keys, actual),
      operator: 'deepStrictEqual', stackStartFn: fn,
    });
    err.actual = actual;
    err.expected = expected;
    err.operator = fn.name;
    throw err;
  }
  innerFail({ actual, expected, message, operator: fn.name, stackStartFn: fn });
}

// actual (what was thrown) against what was expected of it
function expectedException(actual, expected, message, fn) {
  let generated = false;
  if (typeof expected !== 'function') {
    if (types.isRegExp(expected)) {
      const str = String(actual);
      if (expected.exec(str) !== null) return;
      if (!message) {
        generated = true;
        message = `The input did not match the regular expression ${inspect(expected)}. Input:\n\n${inspect(str)}\n`;
      }
    } else if (typeof actual !== 'object' || actual === null) {
      const err = new AssertionError({ actual, expected, message, operator: 'deepStrictEqual', stackStartFn: fn });
      err.operator = fn.name;
      throw err;
    } else {
      // a validation object: each of its keys
      const keys = Object.keys(expected);
      if (expected instanceof Error) keys.push('name', 'message');
      else if (keys.length === 0) throw error('ERR_INVALID_ARG_VALUE', 'error', expected, 'may not be an empty object');
      for (const key of keys) {
        if (typeof actual[key] === 'string' && types.isRegExp(expected[key]) && expected[key].exec(actual[key]) !== null) {
          continue;
        }
        compareExceptionKey(actual, expected, key, message, keys, fn);
      }
      return;
    }
  } else if (expected.prototype !== undefined && actual instanceof expected) {
    return;
  } else if (Object.prototype.isPrototypeOf.call(Error, expected)) {
    if (!message) {
      generated = true;
      message = `The error is expected to be an instance of "${expected.name}". Received `;
      if (isError(actual)) {
        const name = (actual.constructor && actual.constructor.name) || actual.name;
        message += expected.name === name ? 'an error with identical name but a different prototype.' : `"${name}"`;
        if (actual.message) message += `\n\nError message:\n\n${actual.message}`;
      } else {
        message += `"${inspect(actual, { depth: -1 })}"`;
      }
    }
  } else {
    const res = Reflect.apply(expected, {}, [actual]);
    if (res === true) return;
    if (!message) {
      generated = true;
      const name = expected.name ? `"${expected.name}" ` : '';
      message = `The ${name}validation function is expected to return "true". Received ${inspect(res)}`;
      if (isError(actual)) message += `\n\nCaught error:\n\n${actual}`;
    }
  }
  const err = new AssertionError({ actual, expected, message, operator: fn.name, stackStartFn: fn });
  err.generatedMessage = generated;
  throw err;
}

const NOTHING = {};

function getActual(fn) {
  validateFunction(fn, 'fn');
  try {
    fn();
  } catch (e) {
    return e;
  }
  return NOTHING;
}

const isThenable = (v) => types.isPromise(v)
  || (v !== null && typeof v === 'object' && typeof v.then === 'function' && typeof v.catch === 'function');

async function waitForActual(promiseFn) {
  let p;
  if (typeof promiseFn === 'function') {
    p = promiseFn();
    if (!isThenable(p)) throw error('ERR_INVALID_RETURN_VALUE', 'instance of Promise', 'promiseFn', p);
  } else if (isThenable(promiseFn)) {
    p = promiseFn;
  } else {
    throw error('ERR_INVALID_ARG_TYPE', 'promiseFn', ['Function', 'Promise'], promiseFn);
  }
  try {
    await p;
  } catch (e) {
    return e;
  }
  return NOTHING;
}

function expectsError(fn, actual, expected, message, count) {
  if (typeof expected === 'string') {
    if (count === 4) throw error('ERR_INVALID_ARG_TYPE', 'error', ['Object', 'Error', 'Function', 'RegExp'], expected);
    if (typeof actual === 'object' && actual !== null) {
      if (actual.message === expected) {
        throw error('ERR_AMBIGUOUS_ARGUMENT', 'error/message', `The error message "${actual.message}" is identical to the message.`);
      }
    } else if (actual === expected) {
      throw error('ERR_AMBIGUOUS_ARGUMENT', 'error/message', `The error "${actual}" is identical to the message.`);
    }
    message = expected;
    expected = undefined;
  } else if (expected != null && typeof expected !== 'object' && typeof expected !== 'function') {
    throw error('ERR_INVALID_ARG_TYPE', 'error', ['Object', 'Error', 'Function', 'RegExp'], expected);
  }
  if (actual === NOTHING) {
    let details = expected && expected.name ? ` (${expected.name})` : '';
    details += message ? `: ${message}` : '.';
    const what = fn === assert.rejects ? 'rejection' : 'exception';
    innerFail({ actual: undefined, expected, operator: fn.name, message: `Missing expected ${what}${details}`, stackStartFn: fn });
  }
  if (expected) expectedException(actual, expected, message, fn);
}

function matchesError(actual, expected) {
  if (typeof expected !== 'function') {
    if (types.isRegExp(expected)) return expected.exec(String(actual)) !== null;
    throw error('ERR_INVALID_ARG_TYPE', 'expected', ['Function', 'RegExp'], expected);
  }
  if (expected.prototype !== undefined && actual instanceof expected) return true;
  if (Object.prototype.isPrototypeOf.call(Error, expected)) return false;
  return Reflect.apply(expected, {}, [actual]) === true;
}

function expectsNoError(fn, actual, expected, message) {
  if (actual === NOTHING) return;
  if (typeof expected === 'string') {
    message = expected;
    expected = undefined;
  }
  if (!expected || matchesError(actual, expected)) {
    const details = message ? `: ${message}` : '.';
    const what = fn === assert.doesNotReject ? 'rejection' : 'exception';
    innerFail({
      actual, expected, operator: fn.name, stackStartFn: fn,
      message: `Got unwanted ${what}${details}\nActual message: "${actual && actual.message}"`,
    });
  }
  throw actual;
}

assert.throws = function throws(fn, ...args) {
  expectsError(throws, getActual(fn), args[0], args[1], args.length + 1);
};

assert.rejects = async function rejects(promiseFn, ...args) {
  expectsError(rejects, await waitForActual(promiseFn), args[0], args[1], args.length + 1);
};

assert.doesNotThrow = function doesNotThrow(fn, ...args) {
  expectsNoError(doesNotThrow, getActual(fn), ...args);
};

assert.doesNotReject = async function doesNotReject(fn, ...args) {
  expectsNoError(doesNotReject, await waitForActual(fn), ...args);
};

assert.ifError = function ifError(err) {
  if (err === null || err === undefined) return;
  let message = 'ifError got unwanted exception: ';
  if (typeof err === 'object' && typeof err.message === 'string') {
    message += err.message.length === 0 && err.constructor ? err.constructor.name : err.message;
  } else {
    message += inspect(err);
  }
  const e = new AssertionError({ actual: err, expected: null, operator: 'ifError', message, stackStartFn: ifError });
  // the error's own frames after the assertion's
  const stack = err.stack;
  if (typeof stack === 'string') {
    const at = stack.indexOf('\n    at');
    if (at !== -1) {
      const head = e.stack.split('\n    at')[0];
      e.stack = `${head}\n${stack.slice(at + 1)}`;
    }
  }
  throw e;
};

function internalMatch(string, regexp, message, fn) {
  if (!types.isRegExp(regexp)) throw error('ERR_INVALID_ARG_TYPE', 'regexp', 'RegExp', regexp);
  const match = fn === assert.match;
  if (typeof string !== 'string' || (regexp.exec(string) !== null) !== match) {
    if (message instanceof Error) throw message;
    const generated = !message;
    message = message || (typeof string !== 'string'
      ? `The "string" argument must be of type string. Received type ${typeof string} (${inspect(string)})`
      : `${match ? 'The input did not match the regular expression '
        : 'The input was expected to not match the regular expression '}${inspect(regexp)}. Input:\n\n${inspect(string)}\n`);
    const err = new AssertionError({ actual: string, expected: regexp, message, operator: fn.name, stackStartFn: fn });
    err.generatedMessage = generated;
    throw err;
  }
}

assert.match = function match(string, regexp, message) {
  internalMatch(string, regexp, message, match);
};

assert.doesNotMatch = function doesNotMatch(string, regexp, message) {
  internalMatch(string, regexp, message, doesNotMatch);
};

// assert/strict: the loose comparisons are the strict ones
function strict(...args) {
  innerOk(strict, args.length, ...args);
}

Object.assign(strict, assert, {
  equal: assert.strictEqual,
  deepEqual: assert.deepStrictEqual,
  notEqual: assert.notStrictEqual,
  notDeepEqual: assert.notDeepStrictEqual,
});
assert.strict = strict;
assert.strict.strict = assert.strict;

module.exports = assert;
