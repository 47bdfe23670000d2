// Differential test: signs DynamoDB- and Kinesis-shaped requests with our signer (via the
// sigv4_sign_tool executable) and with the AWS SDK for JavaScript (@smithy/signature-v4 +
// @aws-crypto/sha256-js), and requires the Authorization headers to be identical.
//
// usage: node sigv4_differential_test.js <path/to/sigv4_sign_tool> <dir holding node_modules>
// exit:  0 all equal, 1 a difference or an error, 77 (ctest SKIP) when node_modules lacks the SDK.
'use strict';
const path = require('path');
const fs = require('fs');
const { execFileSync } = require('child_process');

const [tool, root] = process.argv.slice(2);
const signerDir = path.join(root, 'node_modules', '@smithy', 'signature-v4');
const shaDir = path.join(root, 'node_modules', '@aws-crypto', 'sha256-js');
if (!fs.existsSync(signerDir) || !fs.existsSync(shaDir)) {
  console.error(`SKIP: ${signerDir} or ${shaDir} is missing (run npm ci in ${root})`);
  process.exit(77);
}
const { SignatureV4 } = require(signerDir);
const { Sha256 } = require(shaDir);

const key = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const ddb = (op) => [['Content-Type', 'application/x-amz-json-1.0'], ['X-Amz-Target', `DynamoDB_20120810.${op}`]];
const kin = (op) => [['Content-Type', 'application/x-amz-json-1.1'], ['X-Amz-Target', `Kinesis_20131202.${op}`]];

const cases = [
  { name: 'GetItem, plain keys', url: 'https://dynamodb.us-east-1.amazonaws.com/', headers: ddb('GetItem'),
    body: '{"TableName":"leases","Key":{"leaseKey":{"S":"shardId-000000000000"}},"ConsistentRead":true}',
    region: 'us-east-1', service: 'dynamodb', epochMillis: Date.UTC(2024, 1, 29, 23, 59, 59, 999) },
  { name: 'UpdateItem with a session token and UTF-8 body', url: 'https://dynamodb.eu-west-1.amazonaws.com/',
    headers: ddb('UpdateItem'), sessionToken: 'FwoGZXIvYXdzEJr//////////wEaDNz+token/with==',
    body: '{"TableName":"actives","Key":{"k":{"S":"ünïcødé ✓"}},"UpdateExpression":"SET #c = #c + :one",' +
          '"ExpressionAttributeNames":{"#c":"count"},"ExpressionAttributeValues":{":one":{"N":"1"}}}',
    region: 'eu-west-1', service: 'dynamodb', epochMillis: Date.UTC(2025, 0, 1, 0, 0, 0) },
  { name: 'Scan against a local endpoint with a port', url: 'http://localhost:4567/', headers: ddb('Scan'),
    body: '{"TableName":"t","Limit":100}', region: 'us-east-1', service: 'dynamodb', epochMillis: 1700000000123 },
  { name: 'China region endpoint', url: 'https://dynamodb.cn-north-1.amazonaws.com.cn/', headers: ddb('DescribeTable'),
    body: '{"TableName":"t"}', region: 'cn-north-1', service: 'dynamodb', epochMillis: Date.UTC(2038, 0, 19, 3, 14, 7) },
  { name: 'Kinesis GetRecords with token', url: 'https://kinesis.us-west-2.amazonaws.com/', headers: kin('GetRecords'),
    sessionToken: 'IQoJb3JpZ2luX2VjEHoaCXVzLXdlc3QtMiJGMEQCIA', body: '{"ShardIterator":"AAAA/bbb+ccc=","Limit":1000}',
    region: 'us-west-2', service: 'kinesis', epochMillis: Date.UTC(2023, 5, 15, 8, 30, 0) },
  { name: 'Empty body, extra header with folded spaces', url: 'https://kinesis.us-east-1.amazonaws.com/',
    headers: [...kin('ListShards'), ['X-Custom-Thing', '  a   b  c ']], body: '',
    region: 'us-east-1', service: 'kinesis', epochMillis: Date.UTC(2015, 7, 30, 12, 36, 0) },
  { name: 'With x-amz-content-sha256 on both sides', url: 'https://dynamodb.us-east-1.amazonaws.com/',
    headers: ddb('PutItem'), body: '{"TableName":"t","Item":{"b":{"B":"AAEC/w=="}}}', addContentSha256Header: true,
    region: 'us-east-1', service: 'dynamodb', epochMillis: Date.UTC(2020, 11, 31, 23, 59, 59) },
];

async function smithySign(c) {
  const u = new URL(c.url);
  const headers = { host: u.host };  // URL.host omits default ports, like an HTTP client does
  for (const [k, v] of c.headers) headers[k] = v;
  const signer = new SignatureV4({
    credentials: { ...key, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) },
    region: c.region, service: c.service, sha256: Sha256, applyChecksum: !!c.addContentSha256Header,
  });
  const signed = await signer.sign({
    method: 'POST', protocol: u.protocol, hostname: u.hostname, port: u.port ? Number(u.port) : undefined,
    path: u.pathname, query: {}, headers, body: c.body,
  }, { signingDate: new Date(c.epochMillis) });
  return signed.headers.authorization;
}

function ourSign(c) {
  const input = { method: 'POST', ...key, ...c };
  const out = execFileSync(tool, [], { input: JSON.stringify(input) });
  return JSON.parse(out.toString()).authorization;
}

(async () => {
  let failures = 0;
  for (const c of cases) {
    const theirs = await smithySign(c);
    const ours = ourSign(c);
    if (theirs === ours) {
      console.log(`ok   ${c.name}`);
    } else {
      failures++;
      console.log(`FAIL ${c.name}\n  smithy: ${theirs}\n  ours:   ${ours}`);
    }
  }
  console.log(`${cases.length - failures}/${cases.length} requests signed identically`);
  process.exit(failures ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
