// One tenant of the /fn/$fn location: every file gets its own isolate.
let hits = 0;

export default {
  fetch(request) {
    hits++;
    return new Response('tenant bob, hit ' + hits + '\n');
  },
};
