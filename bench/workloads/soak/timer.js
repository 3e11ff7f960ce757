// soak, warm: waits on a 1 ms timer (an nginx timer) before answering.
let served = 0;

export default {
  async fetch(request, env, ctx) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    served++;
    return new Response('timer ' + served + '\n');
  },
};
