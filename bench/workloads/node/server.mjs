// Node's http server running the four workloads, one process.
//   node server.mjs PORT TENANT_DIR COLD_DIR
// /hello, /json (POST), /cpu, /t/fNNN (tenant files imported on first use
// and cached), /c/NAME (cold: a module never imported before).
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { hello, json, cpu } from './handlers.mjs';

const [port, tenantDir, coldDir] = process.argv.slice(2);
const loaded = new Map();

async function tenant(dir, name, req, res) {
  let handler = loaded.get(dir + name);
  if (handler === undefined) {
    const file = path.join(dir, name + '.mjs');
    try {
      handler = (await import(pathToFileURL(file).href)).default;
    } catch (e) {
      res.writeHead(404).end();
      return;
    }
    loaded.set(dir + name, handler);
  }
  handler(req, res);
}

const server = http.createServer((req, res) => {
  const url = req.url;
  if (url === '/hello') return hello(req, res);
  if (url === '/json') return json(req, res);
  if (url === '/cpu') return cpu(req, res);
  const m = /^\/([tc])\/(\w+)$/.exec(url);
  if (m) return tenant(m[1] === 't' ? tenantDir : coldDir, m[2], req, res);
  res.writeHead(404).end();
});

server.keepAliveTimeout = 75000;
server.listen(Number(port), '127.0.0.1');
