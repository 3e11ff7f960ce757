// GET /delay?ms=100: waits on an nginx timer without blocking the worker.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let served = 0;   // globals live as long as the isolate: warm requests see them

export default async function (request, env, ctx) {
  const ms = Math.min(Number(new URL(request.url).searchParams.get('ms')) || 100, 5000);
  const started = Date.now();

  await sleep(ms);
  served++;

  ctx.waitUntil(sleep(10).then(() => console.log(`delay: served ${served} so far`)));

  return Response.json({ waited: ms, elapsed: Date.now() - started, served });
}
