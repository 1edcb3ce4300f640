// A fake relay for working on the UI without the Java server: serves the built
// bundle and imitates the API contract (auth, devices, terminal websocket with
// acks and resume, files). Not used by the build or the tests.
//
//   npm run build && npm run dev-relay      → http://127.0.0.1:8099  (admin/admin, viewer/viewer)
//
// In the fake shell: `yes` floods (Ctrl-C stops), `seq N`, `echo ...`, `exit N`,
// `drop` (kills the socket to exercise resume), `offline` (device goes offline).

import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, extname, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pub = process.env.PUBLIC_DIR ?? join(root, 'target/classes/public');
const port = Number(process.env.PORT ?? 8099);
const WINDOW = 1024 * 1024; // unacked bytes before we hold back, like the relay
const TOKEN_TTL_MS = Number(process.env.TOKEN_TTL_MS ?? 3600_000);

const users = { admin: { password: 'admin', role: 'admin' }, viewer: { password: 'viewer', role: 'viewer' } };
const tokens = new Map(); // token → {username, role, expiresAt}
let failedLogins = [];
const devices = [
  { id: 'pi-7', name: 'Kitchen Pi', online: true, lastSeen: new Date().toISOString(), labels: { env: 'prod', site: 'berlin' } },
  { id: 'gw-1', name: 'gateway', online: false, lastSeen: new Date(Date.now() - 3600_000).toISOString(), labels: { env: 'lab' } },
  { id: 'evil-1', name: 'impostor', online: true, lastSeen: new Date().toISOString(), labels: {} },
  { id: 'flappy', name: 'flappy', online: true, lastSeen: new Date().toISOString(), labels: { note: 'toggles every 10 s' } },
];
setInterval(() => {
  const d = devices.find((x) => x.id === 'flappy');
  d.online = !d.online;
  d.lastSeen = new Date().toISOString();
}, 10_000).unref();
const sessions = new Map(); // id → session
const files = new Map();

const json = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const fail = (res, status, error, message, headers) => json(res, status, { error, message }, headers);
const cookieToken = (req) => /(?:^|;\s*)dt_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
function auth(req) {
  const t = tokens.get(cookieToken(req));
  if (!t || t.expiresAt < Date.now()) return null;
  return t;
}
const readBody = (req) => new Promise((r) => { const c = []; req.on('data', (d) => c.push(d)); req.on('end', () => r(Buffer.concat(c))); });

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  if (p === '/api/v1/auth/login' && req.method === 'POST') {
    failedLogins = failedLogins.filter((t) => t > Date.now() - 60_000);
    if (failedLogins.length >= 5) return fail(res, 429, 'too_many_requests', 'Too many login attempts', { 'Retry-After': '30' });
    const { username, password } = JSON.parse((await readBody(req)).toString() || '{}');
    const u = users[username];
    if (!u || u.password !== password) {
      failedLogins.push(Date.now());
      return fail(res, 401, 'unauthorized', 'Invalid username or password');
    }
    const token = randomUUID();
    const expiresAt = Date.now() + TOKEN_TTL_MS;
    tokens.set(token, { username, role: u.role, expiresAt });
    return json(res, 200, { token, expiresAt: new Date(expiresAt).toISOString() }, { 'Set-Cookie': `dt_session=${token}; HttpOnly; Path=/; SameSite=Strict` });
  }
  if (p === '/api/v1/auth/logout' && req.method === 'POST') {
    tokens.delete(cookieToken(req));
    res.writeHead(204, { 'Set-Cookie': 'dt_session=; Path=/; Max-Age=0' });
    return res.end();
  }
  if (p.startsWith('/api/')) {
    const who = auth(req);
    if (!who) return fail(res, 401, 'unauthorized', 'Not logged in or session expired');
    if (p === '/api/v1/auth/me') return json(res, 200, { username: who.username, role: who.role, expiresAt: new Date(who.expiresAt).toISOString() });
    if (p === '/api/v1/devices') return json(res, 200, devices);
    const m = /^\/api\/v1\/devices\/([^/]+)(\/files)?$/.exec(p);
    if (m) {
      const d = devices.find((x) => x.id === decodeURIComponent(m[1]));
      if (!d) return fail(res, 404, 'not_found', 'No such device');
      if (!m[2]) return json(res, 200, d);
      const path = url.searchParams.get('path') ?? '';
      if (!path.startsWith('/')) return fail(res, 400, 'bad_request', 'path must be absolute');
      if (!d.online) return fail(res, 502, 'device_unreachable', `${d.name} is offline`);
      if (req.method === 'PUT') {
        files.set(`${d.id}:${path}`, await readBody(req));
        res.writeHead(204);
        return res.end();
      }
      const f = files.get(`${d.id}:${path}`);
      if (!f) return fail(res, 404, 'not_found', `No such file: ${path}`);
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      return res.end(f);
    }
    return fail(res, 404, 'not_found', 'No such endpoint');
  }
  const file = join(pub, p === '/' ? 'index.html' : p);
  if (!file.startsWith(pub) || !existsSync(file)) return fail(res, 404, 'not_found', 'Not found');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.map': 'application/json' };
  res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
  res.end(readFileSync(file));
});

// --- terminal websocket ---

const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'http://x');
  if (!auth(req)) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const who = auth(req);
  wss.handleUpgrade(req, socket, head, (ws) => {
    const closeWith = (status, error, message) => {
      ws.send(JSON.stringify({ type: 'error', error, message }));
      ws.close(4000 + status, error);
    };
    let m = /^\/api\/v1\/devices\/([^/]+)\/terminal$/.exec(url.pathname);
    if (m) {
      const d = devices.find((x) => x.id === decodeURIComponent(m[1]));
      if (!d) return closeWith(404, 'not_found', 'No such device');
      if (who.role !== 'admin') return closeWith(403, 'forbidden', `Role ${who.role} may not open shells`);
      if (!d.online) return closeWith(502, 'device_unreachable', `${d.name} has been offline since ${d.lastSeen}`);
      if (d.id === 'evil-1') return closeWith(502, 'host_key_mismatch', 'Host key SHA256:abc… does not match SHA256:xyz… on record');
      const s = newSession(d, Number(url.searchParams.get('cols')), Number(url.searchParams.get('rows')));
      return attach(s, ws, 0);
    }
    m = /^\/api\/v1\/sessions\/([^/]+)\/terminal$/.exec(url.pathname);
    const s = m && sessions.get(decodeURIComponent(m[1]));
    if (!s || s.ended) return closeWith(404, 'not_found', 'No such session');
    attach(s, ws, Number(url.searchParams.get('offset') ?? 0));
  });
});

function newSession(device, cols, rows) {
  const s = { id: randomUUID(), device, cols, rows, out: [], base: 0, total: 0, ws: null, unacked: 0, line: '', flood: null, ended: false, detachTimer: null };
  sessions.set(s.id, s);
  emit(s, `Welcome to ${device.name} (${cols}x${rows}). Try: yes, seq 100, echo hi, exit 3, drop, offline\r\n$ `);
  return s;
}

function emit(s, text) {
  const buf = Buffer.from(text);
  s.out.push(buf);
  s.total += buf.length;
  // Keep 4 MiB of history for resume; older output becomes a gap.
  while (s.total - s.base > 4 * 1024 * 1024) s.base += s.out.shift().length;
  if (s.ws) send(s, buf);
}

function send(s, buf) {
  s.ws.send(buf);
  s.unacked += buf.length;
}

function attach(s, ws, offset) {
  clearTimeout(s.detachTimer);
  // As the relay does: the tab that had the session is told it moved (ErrorCode.SESSION_MOVED), so it does not reconnect.
  s.ws?.close(4002, 'session resumed elsewhere');
  s.ws = ws;
  s.unacked = 0;
  ws.send(JSON.stringify({ type: 'session', id: s.id, offset }));
  let from = offset;
  if (offset < s.base) {
    ws.send(JSON.stringify({ type: 'gap', bytes: s.base - offset }));
    from = s.base;
  }
  const all = Buffer.concat(s.out);
  if (from < s.total) send(s, all.subarray(from - s.base));
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      const msg = JSON.parse(data.toString());
      if (msg.type === 'ack') s.unacked = Math.max(0, s.unacked - msg.bytes);
      if (msg.type === 'resize') {
        s.cols = msg.cols;
        s.rows = msg.rows;
      }
      return;
    }
    input(s, data.toString());
  });
  ws.on('close', () => {
    if (s.ws !== ws) return;
    s.ws = null;
    s.detachTimer = setTimeout(() => end(s), 60_000);
  });
}

function end(s) {
  s.ended = true;
  clearInterval(s.flood);
  sessions.delete(s.id);
}

function input(s, text) {
  for (const ch of text) {
    if (ch === '\x03') {
      if (s.flood) {
        clearInterval(s.flood);
        s.flood = null;
      }
      s.line = '';
      emit(s, '^C\r\n$ ');
    } else if (s.flood) {
      // busy
    } else if (ch === '\r') {
      emit(s, '\r\n');
      run(s, s.line.trim());
      s.line = '';
    } else if (ch === '\x7f') {
      if (s.line) {
        s.line = s.line.slice(0, -1);
        emit(s, '\b \b');
      }
    } else {
      s.line += ch;
      emit(s, ch);
    }
  }
}

function run(s, cmd) {
  const [name, ...args] = cmd.split(/\s+/);
  if (name === 'yes') {
    const chunk = 'y\r\n'.repeat(4096);
    s.flood = setInterval(() => {
      // Flow control: hold back while a window's worth is unacknowledged.
      while (s.ws && s.unacked < WINDOW) emit(s, chunk);
    }, 5);
    return;
  }
  if (name === 'seq') {
    const n = Number(args[0] ?? 10);
    let out = '';
    for (let i = 1; i <= n; i++) out += `${i}\r\n`;
    return emit(s, `${out}$ `);
  }
  if (name === 'echo') return emit(s, `${args.join(' ')}\r\n$ `);
  if (name === 'size') return emit(s, `${s.cols}x${s.rows}\r\n$ `);
  if (name === 'exit') {
    const status = Number(args[0] ?? 0);
    s.ws?.send(JSON.stringify({ type: 'exit', status }));
    s.ws?.close(1000);
    return end(s);
  }
  if (name === 'drop') return void setTimeout(() => s.ws?.terminate(), 50);
  if (name === 'offline') {
    s.device.online = false;
    s.device.lastSeen = new Date().toISOString();
    s.ws?.send(JSON.stringify({ type: 'error', error: 'device_unreachable', message: `${s.device.name} disconnected` }));
    s.ws?.close(4502);
    return end(s);
  }
  if (name === '') return emit(s, '$ ');
  emit(s, `${name}: command not found\r\n$ `);
}

server.listen(port, '127.0.0.1', () => console.log(`mock relay on http://127.0.0.1:${port} serving ${pub}`));
