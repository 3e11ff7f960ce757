// soak, failing: 64 MB of ArrayBuffers past js_function_memory 16m (503;
// the allocation fails cleanly and the isolate is discarded).
export default {
  fetch(request, env, ctx) {
    const keep = [];
    for (let i = 0; i < 64; i++) keep.push(new Uint8Array(1 << 20));
    return new Response('kept ' + keep.length + ' MB\n');
  },
};
