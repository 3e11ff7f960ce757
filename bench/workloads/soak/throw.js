// soak, failing: every call throws (500; the isolate stays).
export default {
  fetch(request, env, ctx) {
    throw new Error('thrown on purpose by bench/soak');
  },
};
