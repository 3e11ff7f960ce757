// js/lib/navigator.js: `navigator` and `Navigator`: what workerd's Navigator
// has (userAgent), and hardwareConcurrency: one thread runs a function's
// isolate, whatever the machine.
//
// A library (js/README.md, "Libraries"), loaded when a function first reads
// either global (js/16-events.js).

const { webIDLClass } = internal;
const USER_AGENT = 'js_function';
let creatingNavigator = false;

class Navigator {
  constructor() {
    if (!creatingNavigator) throw new TypeError('Illegal constructor');
    creatingNavigator = false;
  }

  get userAgent() { return USER_AGENT; }
  get hardwareConcurrency() { return 1; }
}
webIDLClass(Navigator, 'Navigator');

creatingNavigator = true;
return { Navigator, navigator: new Navigator() };
