// The reference Socket.IO client (npm socket.io-client) against MockSeaTable's realtime
// service, for tests/realtime.rs: connects over the websocket transport to SeaTable's path,
// emits `join-room` (base UUID, Base-Token) with an acknowledgement, and prints one JSON
// line per thing that happens: the acknowledgement, then every event with its arguments.
//
// Usage: node client.js SERVER_URL BASE_UUID (the Base-Token on standard input, so that
// it is not on a command line). Ends when standard input closes or the socket drops.
'use strict';

const { io } = require('socket.io-client');

const [url, baseUuid] = process.argv.slice(2);
let input = '';
process.stdin.on('data', (chunk) => {
  input += chunk;
  const newline = input.indexOf('\n');
  if (newline < 0 || socket) return;
  connect(input.slice(0, newline).trim());
});
process.stdin.on('end', () => process.exit(0));

const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
let socket = null;

function connect(token) {
  socket = io(url, {
    path: '/api-gateway/socket.io',
    transports: ['websocket'],
    query: { dtable_uuid: baseUuid },
    reconnection: false,
  });
  socket.on('connect', () => {
    socket.emit('join-room', baseUuid, token, (answer) => print({ ack: answer }));
  });
  socket.onAny((name, ...args) => print({ event: name, args }));
  socket.on('connect_error', (e) => { print({ connect_error: String(e.message) }); process.exit(1); });
  socket.on('disconnect', (reason) => { print({ disconnect: reason }); process.exit(0); });
}
