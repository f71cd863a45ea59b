/**
 * `peerjs`: the PeerJS server (npm package `peer`) as its own CLI would start it, with the
 * concurrent-connection limit raised for the `conns` workload. WebSocket at
 * `/peerjs?key=peerjs&id=<id>&token=<token>`. Env: PORT, HOST. Prints `listening <port>`.
 */
import { PeerServer } from 'peer';

const port = Number(process.env.PORT ?? 9000);
const host = process.env.HOST ?? '127.0.0.1';

const server = PeerServer({ port, host, path: '/', key: 'peerjs', concurrent_limit: 1_000_000 }, () => {
  console.log(`listening ${port}`);
});
server.on('error', () => undefined);

function stop(): void {
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
