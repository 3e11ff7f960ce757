// cpu: fixed integer work, the same algorithm in every engine (xorshift32).
const ROUNDS = 500000;

function work(n) {
  let x = 2463534242 | 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    acc = (acc + (x & 0xffff)) | 0;
  }
  return acc >>> 0;
}

export default {
  fetch(request, env, ctx) {
    return new Response(`cpu ${work(ROUNDS)}\n`, {
      headers: { 'content-type': 'text/plain' },
    });
  },
};
