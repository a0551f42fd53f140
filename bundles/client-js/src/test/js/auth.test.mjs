// Tokens: passed at connect, fetched and renewed through getToken without reconnecting,
// renewed before a reconnect when the server refuses or expires one; revoked subscriptions.

import test from 'node:test';
import assert from 'node:assert/strict';

import { Halley, browser, record, settle, json } from './fakes.mjs';

const URL_ = 'http://h.test/halley';

/** An unsigned JWT-shaped token expiring at exp (seconds): halley.js only reads exp. */
function jwt(sub, exp) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return b64({ alg: 'HS256', typ: 'JWT' }) + '.' + b64({ sub, exp }) + '.c2ln';
}

test('getToken gives the token of the first connect, and renews it before it expires with an auth frame', async () => {
  const b = browser();
  // the fake clock starts at 1,000,000 ms = 1,000 s
  const tokens = [jwt('alice', 1100), jwt('alice', 1300)];
  let calls = 0;
  const halley = Halley.connect({ url: URL_, transports: ['websocket'], _env: b.env, heartbeatTimeout: 1e9,
    getToken: () => Promise.resolve(tokens[calls++]) });
  const events = record(halley);
  await settle();
  assert.equal(calls, 1);
  const ws = b.WS.sockets[0];
  ws.accept();
  assert.deepEqual(ws.sent[0], { type: 'connect', token: tokens[0] });
  ws.receive({ type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 });
  // 100 s of lifetime: renewed 20 s (a fifth) before it ends
  await b.clock.advance(79_000);
  assert.equal(calls, 1);
  await b.clock.advance(1_000);
  assert.equal(calls, 2);
  const auth = ws.framesOf('auth');
  assert.equal(auth.length, 1);
  assert.equal(auth[0].token, tokens[1]);
  ws.receive({ type: 'reply', seq: 1, id: auth[0].id, ok: true, result: { expiresAt: 1300000 } });
  assert.equal(b.WS.sockets.length, 1, 'no reconnect');
  assert.equal(halley.token, tokens[1]);
  assert.deepEqual(events.error, []);
  halley.close();
});

test('a token_expired close renews the token and resumes the same session', async () => {
  const b = browser();
  let n = 0;
  const halley = Halley.connect({ url: URL_, transports: ['websocket'], _env: b.env,
    getToken: () => 'opaque-' + (++n) });
  await settle();
  const ws = b.WS.sockets[0];
  ws.accept();
  ws.receive({ type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 });
  ws.receive({ type: 'message', seq: 1, channel: 'demo.a', offset: 1, id: 'ID:1', data: 1 });
  ws.receive({ type: 'close', seq: 2, reason: 'token_expired', reconnect: true });
  await b.clock.advance(10);
  const again = b.WS.sockets[1];
  again.accept();
  assert.deepEqual(again.sent[0], { type: 'connect', session: 's1', lastSeq: 2, token: 'opaque-2' });
  halley.close();
});

test('a refused token (4401) without getToken ends the client; with getToken it retries with a fresh one', async () => {
  const b = browser();
  const halley = Halley.connect({ url: URL_, token: 'bad', transports: ['websocket'], _env: b.env });
  const events = record(halley);
  b.WS.sockets[0].accept();
  b.WS.sockets[0].drop(4401);
  await settle();
  assert.equal(halley.state, 'disconnected');
  assert.equal(events.error.at(-1).code, 'unauthorized');

  const b2 = browser();
  let n = 0;
  const h2 = Halley.connect({ url: URL_, transports: ['websocket'], _env: b2.env, getToken: () => 'tok' + (++n) });
  await settle();
  b2.WS.sockets[0].accept();
  b2.WS.sockets[0].drop(4401);
  await b2.clock.advance(1_000);
  assert.equal(b2.WS.sockets.length, 2);
  b2.WS.sockets[1].accept();
  assert.equal(b2.WS.sockets[1].sent[0].token, 'tok2');
  h2.close();
});

test('HTTP transports send the token as a Bearer header, EventSource in the URL', async () => {
  const b = browser();
  const halley = Halley.connect({ url: URL_, token: 'abc', transports: ['longpoll'], _env: b.env });
  await settle();
  const poll = b.http.of('GET', '/halley/poll')[0];
  assert.equal(poll.headers.Authorization, 'Bearer abc');
  assert.equal(poll.params.token, undefined);
  halley.close();

  const b2 = browser();
  const h2 = Halley.connect({ url: URL_, token: 'abc', transports: ['sse'], _env: b2.env });
  assert.match(b2.ES.sources[0].url, /[?&]token=abc(&|$)/);
  h2.close();
});

test('an unsubscribed frame ends the subscription and is told as unsubscribed and error', async () => {
  const b = browser();
  const halley = Halley.connect({ url: URL_, transports: ['websocket'], _env: b.env });
  const events = record(halley);
  const revoked = [];
  halley.on('unsubscribed', (u) => revoked.push(u));
  const ws = b.WS.sockets[0];
  ws.accept();
  ws.receive({ type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 });
  const got = [];
  halley.subscribe('news.eu', (m) => got.push(m.data));
  ws.receive({ type: 'message', seq: 1, channel: 'news.eu', offset: 1, id: 'ID:1', data: 1 });
  ws.receive({ type: 'unsubscribed', seq: 2, channel: 'news.eu', code: 'forbidden', message: 'revoked' });
  ws.receive({ type: 'message', seq: 3, channel: 'news.eu', offset: 2, id: 'ID:2', data: 2 });
  assert.deepEqual(got, [1]);
  assert.deepEqual(revoked, [{ channel: 'news.eu', code: 'forbidden', message: 'revoked' }]);
  assert.equal(events.error.at(-1).code, 'forbidden');
  halley.close();
});
