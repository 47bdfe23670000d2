// Test client for the kinesis-limits tests: Kinesis JSON 1.1 calls over HTTP/1.1 (node:http, keep-alive) or
// HTTP/2 cleartext with prior knowledge (node:http2, as the KCL's Netty client does), with the unsigned
// SigV4-shaped headers of scripts/lib/aws-local.mjs. A call resolves to { status, headers, text, json,
// headersAt } for every HTTP answer (errors included; headersAt: Date.now() when the answer's headers came);
// it rejects only on a transport failure.
import http from 'node:http';
import http2 from 'node:http2';
import { headers as awsHeaders } from '../../scripts/lib/aws-local.mjs';

const JSON_TYPE = 'application/x-amz-json-1.1';

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export class Client {
  constructor(endpoint, protocol) {
    if (protocol !== 'h1' && protocol !== 'h2') throw new Error(`protocol h1 or h2, not ${protocol}`);
    this.url = new URL(endpoint);
    this.protocol = protocol;
    if (protocol === 'h1') this.agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  }

  #session() {
    if (!this.session || this.session.closed || this.session.destroyed) {
      this.session = http2.connect(this.url.origin);
      this.session.on('error', () => {});
    }
    return this.session;
  }

  call(op, body) {
    const payload = Buffer.from(JSON.stringify(body ?? {}));
    const hdrs = awsHeaders('kinesis', `Kinesis_20131202.${op}`, JSON_TYPE);
    return new Promise((resolve, reject) => {
      let headersAt = 0;
      const done = (status, resHeaders, chunks) => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status, headers: resHeaders, text, json: parse(text), headersAt });
      };
      if (this.protocol === 'h1') {
        const req = http.request({ host: this.url.hostname, port: this.url.port, method: 'POST', path: '/',
          agent: this.agent, headers: { ...hdrs, 'content-length': payload.length } });
        req.on('response', (res) => {
          headersAt = Date.now();
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => done(res.statusCode, res.headers, chunks));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(payload);
        return;
      }
      const lower = Object.fromEntries(Object.entries(hdrs).map(([k, v]) => [k.toLowerCase(), v]));
      const req = this.#session().request({ ':method': 'POST', ':path': '/', ...lower, 'content-length': payload.length });
      let status = 0;
      let resHeaders = {};
      const chunks = [];
      req.on('response', (h) => {
        headersAt = Date.now();
        status = h[':status'];
        resHeaders = h;
      });
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => done(status, resHeaders, chunks));
      req.on('error', reject);
      req.end(payload);
    });
  }

  // A call that must succeed: the parsed body, or an Error with the HTTP answer.
  async ok(op, body) {
    const r = await this.call(op, body);
    if (r.status !== 200 || !r.json) throw new Error(`${op}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    return r.json;
  }

  close() {
    this.session?.close();
    this.agent?.destroy();
  }
}
