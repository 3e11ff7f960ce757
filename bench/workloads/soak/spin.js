// soak, failing: an endless loop, stopped by js_function_cpu_limit (503;
// the isolate is discarded).
export default {
  fetch(request, env, ctx) {
    for (;;) {}
  },
};
