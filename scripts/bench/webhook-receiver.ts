// The receiving endpoint of `npm run bench:webhooks`, in a process of its own so that answering
// deliveries does not hold up the load generator's event loop (autocannon runs in the bench's
// process): every POST is answered 204 and its `webhook-id` kept; `GET /count` answers how many
// distinct events have arrived, `POST /reset` forgets them. Prints its port on stdout.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const received = new Set<string>();
const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    if (request.method === 'GET' && request.url === '/count') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end(String(received.size));
      return;
    }
    if (request.url === '/reset') received.clear();
    else received.add(String(request.headers['webhook-id']));
    response.writeHead(204).end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
