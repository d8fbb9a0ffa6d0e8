// The scripted realtime service of tests/realtime.rs: the npm `socket.io` server (what
// SeaTable's realtime service is built on) at SeaTable's path, plus the API-Token →
// Base-Token exchange, so that the Rust client renews its token here.
//
// Usage: node server.js SCENARIO. It listens on a free port of 127.0.0.1 and prints
// `listening PORT` once ready. GET /stats answers what happened: token exchanges, joins
// (the token's number and whether it was accepted), disconnections and their reasons.
//
// Base-Tokens are JWT-shaped (`exp` a day ahead) and numbered by `n` in their payload: the
// n-th exchange issues token n. Scenarios:
//   events      accept the join; emit changes, a notification, an unknown event and
//               malformed packets; then a last change.
//   drop        accept; emit version 1; end the socket from the server (`41`). The rejoin
//               must bring a renewed token (n >= 2): emit version 2, then cut the TCP
//               connection without a word. The rejoin after that is accepted with the
//               same token: emit version 3.
//   expired     refuse token 1 as expired (in the acknowledgement, the socket stays
//               connected); accept later tokens and emit version 1.
//   refuse-all  refuse every token.
//   revoked     accept token 1 and emit version 1, then end the socket from the server;
//               refuse every join after that.
//   quiet       accept the join and emit nothing (the test drops its stream).
//   freeze      accept; emit version N on the N-th connection (the test stops the
//               process with SIGSTOP, so that the connection goes silent, then resumes it).
'use strict';

const http = require('http');
const { Server } = require('socket.io');

const scenario = process.argv[2] || 'events';
const BASE_UUID = '5d2ea3d0-4c5f-4f5e-9a0b-1f2e3d4c5b6a';
const stats = { exchanges: 0, tokens: [], joins: [], connections: 0, disconnects: [] };

const b64 = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
function issueToken() {
  stats.exchanges += 1;
  const now = Math.floor(Date.now() / 1000);
  const token = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({
    exp: now + 86400, iat: now, dtable_uuid: BASE_UUID, n: stats.exchanges, permission: 'rw',
  })}.c2lnbmF0dXJlLW9mLXRlc3QtdG9rZW4tbnVtYmVyLQ${stats.exchanges}`;
  stats.tokens.push(token);
  return token;
}
function tokenNumber(token) {
  try {
    const payload = JSON.parse(Buffer.from(String(token).split('.')[1], 'base64url').toString());
    return payload.dtable_uuid === BASE_UUID ? payload.n : null;
  } catch (e) {
    return null;
  }
}

const server = http.createServer((req, res) => {
  const send = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.url.startsWith('/api/v2.1/dtable/app-access-token/')) {
    const credentials = String(req.headers.authorization || '').replace(/^(Token|Bearer) /, '');
    if (credentials !== 'api-token-of-the-realtime-tests') {
      return send(403, { error_msg: 'Permission denied.' });
    }
    const port = server.address().port;
    return send(200, {
      app_name: 'realtime-tests', access_token: issueToken(), dtable_uuid: BASE_UUID,
      dtable_server: `http://127.0.0.1:${port}/api-gateway/`, dtable_name: 'Realtime',
      workspace_id: 1, use_api_gateway: true,
    });
  }
  if (req.url === '/stats') return send(200, stats);
  // socket.io handles its own path; anything else is not served.
  if (!req.url.startsWith('/api-gateway/socket.io')) send(404, { error_msg: 'not found' });
});

const io = new Server(server, {
  path: '/api-gateway/socket.io',
  transports: ['websocket'],
  pingInterval: 400,
  pingTimeout: 400,
});

const op = (fields) => JSON.stringify(fields);
let connectionCount = 0;

io.on('connection', (socket) => {
  stats.connections += 1;
  const connection = ++connectionCount;
  socket.on('disconnect', (reason) => stats.disconnects.push(reason));
  socket.on('join-room', (dtableUuid, token, ack) => {
    const n = tokenNumber(token);
    const query = socket.handshake.query.dtable_uuid;
    let accepted = n !== null && dtableUuid === BASE_UUID && query === BASE_UUID;
    if (scenario === 'expired' && n === 1) accepted = false;
    if (scenario === 'refuse-all') accepted = false;
    if (scenario === 'revoked' && connection >= 2) accepted = false;
    if (scenario === 'drop' && connection >= 2 && n < 2) accepted = false;
    stats.joins.push({ n, accepted, connection });
    if (typeof ack !== 'function') return;
    if (!accepted) {
      ack({ success: false, error_type: 'token_expired', error_message: 'Token expired' });
      return;
    }
    socket.join(dtableUuid);
    ack({ success: true, type: 'joined_successfully', version: 0 });
    play(socket, dtableUuid, connection);
  });
});

function play(socket, room, connection) {
  const change = (fields, version) => io.to(room).emit('update-dtable', op(fields), version);
  if (scenario === 'events') {
    change({ op_type: 'insert_row', table_id: '0000', row_id: 'anchor', row_data: { _id: 'r1', '0000': 'a' }, row_insert_position: 'insert_below' }, 1);
    change({ op_type: 'modify_row', table_id: '0000', row_id: 'r1', updated: { '0000': 'b' } }, 2);
    socket.emit('new-notification', JSON.stringify({ msg_type: 'comment', detail: { message: 'hi' } }));
    socket.emit('server-news', { any: 'thing' }, 42);
    change({ op_type: 'insert_table', table_name: 'T2' }, 3);
    // Malformed: an operation that is not JSON, one that is JSON but not an object, raw
    // Socket.IO packets that do not parse, and a binary event.
    io.to(room).emit('update-dtable', '{not json', 4);
    io.to(room).emit('update-dtable', 17);
    socket.conn.write('2{broken');
    socket.conn.write('2[]');
    socket.conn.write('9');
    socket.conn.write('3');
    socket.emit('update-dtable', Buffer.from([1, 2, 3]));
    change({ op_type: 'delete_row', table_id: '0000', row_id: 'r1' }, 5);
  } else if (scenario === 'drop') {
    if (connection === 1) {
      change({ op_type: 'insert_row', table_id: '0000', row_id: 'r0' }, 1);
      setTimeout(() => socket.disconnect(true), 100);
    } else if (connection === 2) {
      change({ op_type: 'modify_row', table_id: '0000', row_id: 'r0' }, 2);
      setTimeout(() => socket.conn.transport.socket.terminate(), 100);
    } else {
      change({ op_type: 'delete_row', table_id: '0000', row_id: 'r0' }, 3);
    }
  } else if (scenario === 'revoked') {
    change({ op_type: 'insert_row', table_id: '0000', row_id: 'r0' }, 1);
    setTimeout(() => socket.disconnect(true), 100);
  } else if (scenario === 'freeze') {
    change({ op_type: 'modify_row', table_id: '0000', row_id: 'r0' }, connection);
  } else if (scenario === 'expired') {
    change({ op_type: 'insert_row', table_id: '0000', row_id: 'r0' }, 1);
  }
}

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
// The test kills the process; a closed stdin (the test is gone) ends it too.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
