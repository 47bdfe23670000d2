// The proxy's transport: ONE listening TCP port that serves both HTTP/2 cleartext with prior knowledge (the
// KCL's Netty client sends the HTTP/2 preface straight away on a plain-http endpoint) and HTTP/1.1 (libcurl,
// Node's fetch). Each new connection is peeked at: if its first 24 bytes are the HTTP/2 connection preface
// it goes to an http2 server, otherwise to an http server; the peeked bytes are put back first.
//
//   const upstream = createUpstream('http://127.0.0.1:KINESIS_LOCAL_PORT');
//   const server = createProxyServer({ upstream, readSide, log });   // readSide: read-side.mjs
//   const port = await listen(server, 0);                             // 127.0.0.1 only
//
// Every request is forwarded to kinesis-local over HTTP/1.1 (keep-alive) as it is (method, path, headers
// less the hop-by-hop and HTTP/2 pseudo-headers, body), and the response comes back as it is, EXCEPT the
// JSON GetShardIterator and GetRecords calls, which readSide answers (read-side.mjs). A request that cannot
// reach kinesis-local gets HTTP 500 {"__type":"InternalFailure"} and a log line.

import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { awsError } from './read-side.mjs';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te',
  'host', 'http2-settings']);
const REQUEST_ONLY = new Set(['content-length', 'expect']); // the body is sent whole, with its own length
const TARGET_PREFIX = 'Kinesis_20131202.';
const OWN_OPERATIONS = new Set(['GetRecords', 'GetShardIterator']);

// Headers that may cross: no HTTP/2 pseudo-headers, no hop-by-hop ones, and for requests no length/expect.
function cleanHeaders(headers, request = false) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    if (name.startsWith(':') || HOP_BY_HOP.has(name) || (request && REQUEST_ONLY.has(name))) continue;
    out[name] = v;
  }
  return out;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res, { status, headers, text }) {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(text ?? '');
  res.writeHead(status, { ...cleanHeaders(headers || {}), 'content-length': body.length });
  res.end(body);
}

export function createUpstream(upstreamUrl) {
  const url = new URL(upstreamUrl);
  // Idle upstream sockets close after 2 s: kinesis-local's graceful stop (which writes its state file) waits up
  // to 30 s for open connections. The timeout only closes FREE sockets; a slow answer is not cut.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 2000 });
  const request = (method, path, headers, body) =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, method, path, agent,
        headers: { ...headers, host: url.host, 'content-length': body.length } });
      req.on('response', resolve);
      req.on('error', reject);
      req.end(body);
    });
  // One Kinesis JSON call with the client's headers (target and type replaced, no compression asked for),
  // buffered: { status, headers, text }.
  const call = async (op, bodyObj, headers) => {
    const { 'accept-encoding': _, ...rest } = cleanHeaders(headers, true);
    const res = await request('POST', '/', {
      ...rest, 'x-amz-target': TARGET_PREFIX + op, 'content-type': 'application/x-amz-json-1.1',
    }, Buffer.from(JSON.stringify(bodyObj)));
    const text = (await readBody(res)).toString('utf8');
    return { status: res.statusCode, headers: res.headers, text };
  };
  return { request, call };
}

export function createProxyServer({ upstream, readSide, log = () => {} }) {
  const onRequest = async (req, res) => {
    res.on('error', () => {}); // a client that went away; nothing to tell it
    try {
      const body = await readBody(req);
      const target = String(req.headers['x-amz-target'] || '');
      const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
      const isJson = String(req.headers['content-type'] || '').includes('json');
      let json = null;
      if (OWN_OPERATIONS.has(op) && isJson) {
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          json = null; // let kinesis-local answer a malformed body
        }
      }
      if (json && typeof json === 'object') {
        const headers = cleanHeaders(req.headers, true);
        send(res, op === 'GetRecords' ? await readSide.getRecords(json, headers)
          : await readSide.getShardIterator(json, headers));
        return;
      }
      const up = await upstream.request(req.method, req.url, cleanHeaders(req.headers, true), body);
      up.on('error', (e) => {
        log(`answer from kinesis-local broke off: ${e.message}`);
        res.destroy();
      });
      res.writeHead(up.statusCode, cleanHeaders(up.headers));
      up.pipe(res);
    } catch (e) {
      log(`request failed: ${e.message}`);
      send(res, { ...awsError('InternalFailure', `kinesis-limits: ${e.message}`), status: 500 });
    }
  };

  const h1 = http.createServer({ keepAliveTimeout: 65000 }, onRequest);
  // maxSessionMemory (MB): a 10 MiB GetRecords is ~14 MB of JSON, buffered while the client's flow-control
  // window drains.
  const h2 = http2.createServer({ maxSessionMemory: 256 }, onRequest);
  h2.on('sessionError', (e) => log(`http2 session error: ${e.message}`));

  const server = net.createServer((socket) => {
    let seen = Buffer.alloc(0);
    const onData = (chunk) => {
      seen = Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, PREFACE.length);
      const isH2 = seen.subarray(0, n).equals(PREFACE.subarray(0, n));
      if (isH2 && seen.length < PREFACE.length) return; // wait for the whole preface
      socket.removeListener('data', onData);
      socket.pause();
      socket.unshift(seen);
      server.connections[isH2 ? 'h2' : 'h1']++;
      if (isH2) {
        // The http2 session reads the handle itself, and first what is buffered in the stream (on the next
        // tick, with socket.read()): so the socket stays paused.
        h2.emit('connection', socket);
        return;
      }
      h1.emit('connection', socket);
      // The http server reads a fresh socket's handle directly, bypassing the bytes put back above; a
      // 'data' listener added now makes it read through the stream instead, in order.
      socket.on('data', () => {});
      socket.resume();
    };
    socket.on('data', onData);
    socket.on('error', () => {}); // a client that goes away; the servers log nothing either
  });
  server.connections = { h1: 0, h2: 0 }; // accepted connections by protocol (for the log)
  return server;
}

export function listen(server, port, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve(server.address().port);
    });
  });
}
