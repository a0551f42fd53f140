// Choosing a transport: best first, fall back when refused or silent, back off with
// jitter after the last one, and try the better transport again later.

import test from 'node:test';
import assert from 'node:assert/strict';

import { Halley, browser, defaultRoute, json, record } from './fakes.mjs';

const URL_ = 'http://h.test/halley';
const { backoffDelay, matches } = Halley._internal;

test('fallback order: websocket, sse, streaming, longpoll', async () => {
  const b = browser({
    // the first poll answers at once; the next ones wait (here: for ever)
    route: (r) => (r.path !== '/halley/poll' ? defaultRoute(r)
      : r.params.cursor ? undefined : json(200, { session: 's1', cursor: 's1:0', missed: 0, messages: [] }))
  });
  const halley = Halley.connect({ url: URL_, _env: b.env });
  const events = record(halley);
  const tried = [];

  b.WS.sockets[0].drop(1006);          // the WebSocket does not open
  tried.push('websocket');
  await b.clock.advance(0);
  const es = b.ES.sources[0];
  assert.equal(es.url, URL_ + '/sse?protocol=1');
  es.fail(true);                        // 404: an EventSource gives up
  tried.push('sse');
  await b.clock.advance(0);
  const stream = b.http.of('GET', '/halley/stream')[0];
  assert.deepEqual(stream.params, { protocol: '1' });
  tried.push('streaming');
  await b.clock.advance(0);
  const poll = b.http.of('GET', '/halley/poll')[0];
  assert.deepEqual(poll.params, { protocol: '1' });
  tried.push('longpoll');

  assert.equal(halley.state, 'connected');
  assert.equal(halley.transport, 'longpoll');
  assert.equal(halley.session, 's1');
  assert.deepEqual(events.error.map((e) => e.transport), tried.slice(0, 3));
  assert.deepEqual(events.state, ['connected']);
  assert.ok(es.closed, 'the EventSource does not retry by itself');
});

test('transports restricts and orders', () => {
  const b = browser();
  Halley.connect({ url: URL_, transports: ['sse', 'longpoll'], _env: b.env });
  assert.equal(b.WS.sockets.length, 0);
  assert.equal(b.ES.sources.length, 1);
});

test('a transport the browser lacks is left out', () => {
  const b = browser();
  b.env.WebSocket = undefined;
  Halley.connect({ url: URL_, _env: b.env });
  assert.equal(b.ES.sources.length, 1);
  assert.throws(() => Halley.connect({ url: URL_, transports: ['websocket'], _env: b.env }), TypeError);
});

test('a transport that does not answer within connectTimeout is passed over', async () => {
  const b = browser();
  const halley = Halley.connect({ url: URL_, transports: ['websocket', 'sse'], connectTimeout: 2000, _env: b.env });
  b.WS.sockets[0].accept(); // opens, but no connected frame ever comes
  await b.clock.advance(1999);
  assert.equal(b.ES.sources.length, 0);
  await b.clock.advance(1);
  assert.equal(b.ES.sources.length, 1);
  assert.equal(halley.state, 'connecting');
});

test('backoffDelay: exponential, capped, jitter only shortens it within bounds', () => {
  const r = { initialDelay: 500, maxDelay: 30000, factor: 2, jitter: 0.5 };
  assert.equal(backoffDelay(0, r, () => 0), 500);
  assert.equal(backoffDelay(3, r, () => 0), 4000);
  assert.equal(backoffDelay(20, r, () => 0), 30000);
  assert.equal(backoffDelay(3, r, () => 0.999999), 2000);
  for (let attempt = 0; attempt < 12; attempt++) {
    const base = Math.min(30000, 500 * 2 ** attempt);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(attempt, r, Math.random);
      assert.ok(d >= base / 2 && d <= base, `attempt ${attempt}: ${d} within [${base / 2}, ${base}]`);
    }
  }
  assert.equal(backoffDelay(2, { ...r, jitter: 0 }, () => 0.7), 2000);
});

test('after every transport failed: a pause with backoff and jitter, then the best one again', async () => {
  const b = browser({ random: () => 1 }); // the shortest pause jitter allows
  const halley = Halley.connect({
    url: URL_, transports: ['websocket', 'longpoll'], _env: b.env,
    reconnect: { initialDelay: 1000, maxDelay: 5000, factor: 2, jitter: 0.5 }
  });
  const pauses = [];
  for (let round = 0; round < 5; round++) {
    b.WS.sockets.at(-1).drop(1006);
    await b.clock.advance(0);                          // long-poll at once, refused (404)
    const before = b.WS.sockets.length;
    const start = b.clock.t;
    while (b.WS.sockets.length === before && b.clock.t - start < 100000) {
      await b.clock.advance(50);
    }
    pauses.push(b.clock.t - start);
  }
  assert.deepEqual(pauses, [500, 1000, 2000, 2500, 2500]);
  assert.equal(halley.state, 'connecting');
  assert.equal(b.http.of('GET', '/halley/poll').length, 5);
});

test('a working transport that breaks is tried again first, after a pause', async () => {
  const b = browser({ random: () => 0 });
  const halley = Halley.connect({ url: URL_, _env: b.env });
  const ws = b.WS.sockets[0];
  ws.accept();
  ws.receive({ type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 });
  ws.drop(1006);
  await b.clock.advance(499);
  assert.equal(b.WS.sockets.length, 1);
  await b.clock.advance(1);
  assert.equal(b.WS.sockets.length, 2);
  assert.equal(b.ES.sources.length, 0);
  assert.equal(halley.state, 'reconnecting');
});

test('retryBestAfter: a fallen-back client tries the better transport and moves to it, same session', async () => {
  const b = browser();
  const halley = Halley.connect({ url: URL_, transports: ['websocket', 'sse'], retryBestAfter: 60000, _env: b.env });
  const events = record(halley);
  const got = [];
  halley.subscribe('demo.chat', (m) => got.push(m.seq));
  b.WS.sockets[0].drop(1006);
  await b.clock.advance(0);
  const es = b.ES.sources[0];
  es.open();
  es.emit('connected', { type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 });
  assert.equal(halley.transport, 'sse');
  es.emit('message', { type: 'message', seq: 1, channel: 'demo.chat', offset: 1, id: 'a', data: 1 }, '1');
  // keep the stream alive with heartbeats while waiting
  for (let t = 0; t < 50000; t += 10000) {
    await b.clock.advance(10000);
    es.emit('heartbeat', {});
  }
  await b.clock.advance(9999);
  assert.equal(b.WS.sockets.length, 1);
  await b.clock.advance(1);
  const ws = b.WS.sockets[1];
  assert.ok(ws, 'the WebSocket is tried again');
  ws.accept();
  assert.deepEqual(ws.sent[0], { type: 'connect', session: 's1', lastSeq: 1 });
  // meanwhile the old connection still delivers
  es.emit('message', { type: 'message', seq: 2, channel: 'demo.chat', offset: 2, id: 'b', data: 2 }, '2');
  ws.receive({ type: 'connected', session: 's1', resumed: true, missed: 0, heartbeat: 15000 });
  ws.receive({ type: 'message', seq: 2, channel: 'demo.chat', offset: 2, id: 'b', data: 2 });
  ws.receive({ type: 'message', seq: 3, channel: 'demo.chat', offset: 3, id: 'c', data: 3 });
  assert.equal(halley.transport, 'websocket');
  assert.ok(es.closed);
  assert.deepEqual(got, [1, 2, 3]);
  assert.deepEqual(events.transport, ['sse', 'websocket']);
  assert.deepEqual(events.state, ['connected'], 'no flicker');
});

test('retryBestAfter: when the better transport still fails, stay and try again later', async () => {
  const b = browser();
  const halley = Halley.connect({ url: URL_, transports: ['websocket', 'sse'], retryBestAfter: 1000, _env: b.env });
  b.WS.sockets[0].drop(1006);
  await b.clock.advance(0);
  const es = b.ES.sources[0];
  es.open();
  es.emit('connected', { type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 });
  await b.clock.advance(1000);
  b.WS.sockets[1].drop(1006);
  await b.clock.advance(0);
  assert.equal(halley.transport, 'sse');
  assert.equal(halley.state, 'connected');
  assert.equal(b.ES.sources.length, 1);
  await b.clock.advance(1000);
  assert.equal(b.WS.sockets.length, 3);
});

test('matches: the broker wildcard rules', () => {
  assert.ok(matches('demo.news', 'demo.news'));
  assert.ok(matches('demo.*', 'demo.news'));
  assert.ok(!matches('demo.*', 'demo.news.eu'));
  assert.ok(matches('demo.>', 'demo.news'));
  assert.ok(matches('demo.>', 'demo.news.eu'));
  assert.ok(!matches('demo.>', 'demo'));
  assert.ok(matches('*.news', 'demo.news'));
  assert.ok(!matches('demo.news', 'demo.news.eu'));
});
