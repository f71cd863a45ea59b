/**
 * `bare`: the physical limit of this stack (Node + ws) for a signaling relay.
 * A client connects to `/?id=<id>`; a frame `{to, payload}` is forwarded to `to` as
 * `{from, payload}`. Nothing else: no auth, no validation, no rooms.
 * Env: PORT, HOST. Prints `listening <port>` when ready.
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
const clients = new Map<string, WebSocket>();

const http = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
});
const wss = new WebSocketServer({ server: http, perMessageDeflate: false, maxPayload: 64 * 1024 });

wss.on('connection', (socket, req) => {
  const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id');
  if (!id) {
    socket.close(4000, 'id required');
    return;
  }
  clients.set(id, socket);
  socket.on('error', () => undefined);
  socket.on('close', () => {
    if (clients.get(id) === socket) clients.delete(id);
  });
  socket.on('message', (data) => {
    let frame: { to?: unknown; payload?: unknown };
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return;
    }
    const target = typeof frame.to === 'string' ? clients.get(frame.to) : undefined;
    if (target) target.send(JSON.stringify({ from: id, payload: frame.payload }));
  });
});

http.listen(port, host, () => {
  const address = http.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : port}`);
});

function stop(): void {
  for (const socket of clients.values()) socket.terminate();
  wss.close();
  http.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
