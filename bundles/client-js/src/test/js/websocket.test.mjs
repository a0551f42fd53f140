// The protocol as halley.js speaks it, over a fake WebSocket: resume, order, acks,
// replies, state and close frames.

import test from 'node:test';
import assert from 'node:assert/strict';

import { Halley, browser, record, settle } from './fakes.mjs';

const URL_ = 'http://h.test/halley';

function message(seq, offset, data, channel = 'demo.chat') {
  return { type: 'message', seq, channel, offset, id: 'ID:' + channel + ':' + offset, ts: 1700000000000, data };
}

function connectWs(options = {}) {
  const b = browser(options);
  const halley = Halley.connect({ url: URL_, transports: ['websocket'], _env: b.env, ...options });
  const events = record(halley);
  const ws = b.WS.sockets[0];
  ws.accept();
  ws.receive({ type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 });
  return { b, halley, events, ws };
}

test('the first frame is connect, with the token; connected makes the state connected', () => {
  const b = browser();
  const halley = Halley.connect({ url: URL_ + '/', token: 't0k', transports: ['websocket'], _env: b.env });
  const events = record(halley);
  assert.equal(halley.state, 'connecting');
  const ws = b.WS.sockets[0];
  assert.equal(ws.url, 'ws://h.test/halley/ws');
  ws.accept();
  assert.deepEqual(ws.sent[0], { type: 'connect', token: 't0k' });
  ws.receive({ type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 });
  assert.equal(halley.state, 'connected');
  assert.equal(halley.transport, 'websocket');
  assert.equal(halley.session, 's1');
  assert.deepEqual(events.state, ['connected']);
  assert.deepEqual(events.transport, ['websocket']);
});

test('an https url gives a wss WebSocket', () => {
  const b = browser();
  Halley.connect({ url: 'https://h.test/x/halley', transports: ['websocket'], _env: b.env });
  assert.equal(b.WS.sockets[0].url, 'wss://h.test/x/halley/ws');
});

test('subscribe sends a subscribe frame and delivers messages with data, channel, offset, id, seq', async () => {
  const { halley, ws } = connectWs();
  const got = [];
  const sub = halley.subscribe('demo.chat', (m) => got.push(m));
  const frame = ws.framesOf('subscribe')[0];
  assert.deepEqual(frame, { type: 'subscribe', id: frame.id, channel: 'demo.chat' });
  ws.receive({ type: 'reply', seq: 1, id: frame.id, ok: true, result: { channel: 'demo.chat', offset: 4 } });
  assert.deepEqual(await sub.ready, { channel: 'demo.chat', offset: 4 });
  ws.receive(message(2, 5, { text: 'hi' }));
  assert.equal(got.length, 1);
  assert.deepEqual(got[0], {
    channel: 'demo.chat', data: { text: 'hi' }, offset: 5, id: 'ID:demo.chat:5', seq: 2, ts: 1700000000000
  });
  sub.unsubscribe();
  assert.deepEqual(ws.framesOf('unsubscribe').map((f) => f.channel), ['demo.chat']);
  ws.receive(message(3, 6, 'late'));
  assert.equal(got.length, 1);
});

test('subscriptions made before connecting go up once connected; two listeners share one subscription', () => {
  const b = browser();
  const halley = Halley.connect({ url: URL_, transports: ['websocket'], _env: b.env });
  const a = [];
  const c = [];
  halley.subscribe('demo.chat', (m) => a.push(m.data));
  const second = halley.subscribe('demo.chat', (m) => c.push(m.data));
  const ws = b.WS.sockets[0];
  ws.accept();
  assert.equal(ws.sent.length, 1, 'nothing but connect before connected');
  ws.receive({ type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 });
  assert.equal(ws.framesOf('subscribe').length, 1);
  ws.receive(message(1, 1, 'x'));
  second.unsubscribe();
  assert.equal(ws.framesOf('unsubscribe').length, 0, 'one listener is left');
  ws.receive(message(2, 2, 'y'));
  assert.deepEqual(a, ['x', 'y']);
  assert.deepEqual(c, ['x']);
});

test('wildcard subscriptions get the channels they match, and a message once even under two subscriptions', () => {
  const { halley, ws } = connectWs();
  const all = [];
  const one = [];
  halley.subscribe('demo.>', (m) => all.push(m.channel));
  halley.subscribe('demo.*', (m) => one.push(m.channel));
  ws.receive(message(1, 1, 'a', 'demo.news'));
  ws.receive(message(2, 1, 'b', 'demo.news.eu'));
  // the same message again under another subscription, with its own seq
  ws.receive(message(3, 1, 'b', 'demo.news.eu'));
  ws.receive(message(4, 1, 'c', 'other.news'));
  assert.deepEqual(all, ['demo.news', 'demo.news.eu']);
  assert.deepEqual(one, ['demo.news']);
});

test('publish resolves with the message id on an ok reply and rejects with the code on a failed one', async () => {
  const { halley, ws } = connectWs();
  const ok = halley.publish('demo.chat', { text: 'hi' });
  const bad = halley.publish('demo.*', 'x');
  const [p1, p2] = ws.framesOf('publish');
  assert.deepEqual(p1, { type: 'publish', id: p1.id, channel: 'demo.chat', data: { text: 'hi' } });
  ws.receive({ type: 'reply', seq: 1, id: p2.id, ok: false, error: { code: 'wildcard_not_allowed', message: 'no' } });
  ws.receive({ type: 'reply', seq: 2, id: p1.id, ok: true, result: { id: 'ID:42' } });
  assert.equal(await ok, 'ID:42');
  await assert.rejects(bad, (e) => e.code === 'wildcard_not_allowed' && e instanceof Error);
});

test('a publish with no reply times out', async () => {
  const { halley, b } = connectWs({ requestTimeout: 1000 });
  const rejected = assert.rejects(halley.publish('demo.chat', 1), (e) => e.code === 'timeout');
  await b.clock.advance(999);
  assert.equal(halley._pending.size, 1);
  await b.clock.advance(1);
  await rejected;
});

test('resume: connect names the session and the last seq; frames sent again are delivered once, in order', async () => {
  const { halley, ws, b, events } = connectWs({ random: () => 0 });
  const got = [];
  halley.subscribe('demo.chat', (m) => got.push(m.seq));
  ws.receive({ type: 'reply', seq: 1, id: ws.framesOf('subscribe')[0].id, ok: true, result: { offset: 0 } });
  for (let seq = 2; seq <= 3; seq++) {
    ws.receive(message(seq, seq, seq));
  }
  ws.drop();
  assert.equal(halley.state, 'reconnecting');
  await b.clock.advance(500);
  const ws2 = b.WS.sockets[1];
  assert.ok(ws2, 'reconnected after the backoff');
  ws2.accept();
  assert.deepEqual(ws2.sent[0], { type: 'connect', session: 's1', lastSeq: 3 });
  ws2.receive({ type: 'connected', session: 's1', resumed: true, missed: 0, heartbeat: 15000 });
  ws2.receive(message(2, 2, 2));
  ws2.receive(message(3, 3, 3));
  ws2.receive(message(4, 4, 4));
  ws2.receive(message(4, 4, 4));
  assert.deepEqual(got, [2, 3, 4]);
  assert.deepEqual(events.state, ['connected', 'reconnecting', 'connected']);
  assert.equal(ws2.framesOf('subscribe').length, 0, 'a resumed session keeps its subscriptions');
  assert.equal(events.error.length, 0);
});

test('a seq that jumps is delivered and reported as missed, never silently', () => {
  const { halley, ws, events } = connectWs();
  const got = [];
  halley.subscribe('demo.chat', (m) => got.push(m.seq));
  ws.receive(message(1, 1, 1));
  ws.receive(message(5, 5, 5));
  assert.deepEqual(got, [1, 5]);
  assert.equal(events.error.length, 1);
  assert.equal(events.error[0].code, 'missed');
  assert.equal(events.error[0].from, 2);
  assert.equal(events.error[0].to, 4);
});

test('a resume with missed > 0 is reported once', async () => {
  const { halley, ws, b, events } = connectWs({ random: () => 0 });
  halley.subscribe('demo.chat', () => {});
  ws.receive(message(1, 1, 1));
  ws.drop();
  await b.clock.advance(500);
  const ws2 = b.WS.sockets[1];
  ws2.accept();
  ws2.receive({ type: 'connected', session: 's1', resumed: true, missed: 3, heartbeat: 15000 });
  ws2.receive(message(5, 5, 5));
  assert.deepEqual(events.error.map((e) => [e.code, e.from, e.to]), [['missed', 2, 4]]);
});

test('acks: one cumulative ack 100 ms after a frame, or at once after 100 frames', async () => {
  const { halley, ws, b } = connectWs();
  halley.subscribe('demo.chat', () => {});
  for (let seq = 1; seq <= 5; seq++) {
    ws.receive(message(seq, seq, seq));
  }
  assert.equal(ws.framesOf('ack').length, 0);
  await b.clock.advance(99);
  assert.equal(ws.framesOf('ack').length, 0);
  await b.clock.advance(1);
  assert.deepEqual(ws.framesOf('ack'), [{ type: 'ack', seq: 5 }]);
  for (let seq = 6; seq <= 250; seq++) {
    ws.receive(message(seq, seq, seq));
  }
  assert.deepEqual(ws.framesOf('ack').map((f) => f.seq), [5, 105, 205]);
  await b.clock.advance(100);
  assert.deepEqual(ws.framesOf('ack').map((f) => f.seq), [5, 105, 205, 250]);
  await b.clock.advance(1000);
  assert.equal(ws.framesOf('ack').length, 4, 'nothing new, no ack');
});

test('a gap frame becomes a gap event', () => {
  const { halley, ws, events } = connectWs();
  halley.subscribe('demo.chat', () => {});
  ws.receive({ type: 'gap', seq: 1, channel: 'demo.chat', from: 12, to: 40 });
  assert.deepEqual(events.gap, [{ channel: 'demo.chat', from: 12, to: 40 }]);
});

test('an error frame becomes an error event', () => {
  const { ws, events } = connectWs();
  ws.receive({ type: 'error', code: 'bad_frame', message: 'not JSON' });
  assert.equal(events.error[0].code, 'bad_frame');
});

test('a quiet WebSocket is pinged after 1.5 heartbeats; a silent one is dropped for the next transport', async () => {
  const b = browser();
  const halley = Halley.connect({ url: URL_, transports: ['websocket', 'longpoll'], _env: b.env });
  const events = record(halley);
  const ws = b.WS.sockets[0];
  ws.accept();
  ws.receive({ type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 1000 });
  await b.clock.advance(1000);
  ws.receive({ type: 'heartbeat' });
  await b.clock.advance(1499);
  assert.equal(ws.framesOf('ping').length, 0, 'heartbeats keep it alive');
  await b.clock.advance(1);
  const ping = ws.framesOf('ping')[0];
  assert.ok(ping, 'pinged when quiet');
  ws.receive({ type: 'reply', seq: 1, id: ping.id, ok: true, result: { time: 1 } });
  await b.clock.advance(6999);
  assert.equal(halley.transport, 'websocket');
  assert.equal(b.http.requests.length, 0);
  // 2 * 1000 + 5000 after the last frame
  await b.clock.advance(1);
  assert.equal(events.error.at(-1).code, 'transport_failed');
  assert.equal(b.http.of('GET', '/halley/poll').length, 1, 'fell back to long-polling');
  assert.equal(b.http.requests[0].params.cursor, 's1:1', 'with the session');
  assert.equal(ws.closedByClient, 1000);
});

test('heartbeatTimeout overrides heartbeat * 2 + margin', async () => {
  const { b, halley } = connectWs({ heartbeatTimeout: 3000, transports: ['websocket', 'longpoll'] });
  await b.clock.advance(2999);
  assert.equal(b.http.requests.length, 0);
  await b.clock.advance(1);
  assert.equal(b.http.requests.length, 1);
  assert.equal(halley.state, 'reconnecting');
});

test('close(): a close frame, then disconnected; pending publishes are rejected', async () => {
  const { halley, ws, events } = connectWs();
  const p = halley.publish('demo.chat', 1);
  halley.close();
  assert.deepEqual(ws.sent.at(-1), { type: 'close' });
  assert.equal(halley.state, 'disconnected');
  assert.deepEqual(events.state, ['connected', 'disconnected']);
  await assert.rejects(p, (e) => e.code === 'closed');
  await assert.rejects(halley.publish('demo.chat', 2), (e) => e.code === 'closed');
});

test('close frame closed_by_admin: disconnected, no reconnect', async () => {
  const { halley, ws, b, events } = connectWs();
  ws.receive({ type: 'close', reason: 'closed_by_admin', reconnect: false });
  assert.equal(halley.state, 'disconnected');
  assert.equal(events.error.at(-1).code, 'closed_by_admin');
  await b.clock.advance(120000);
  assert.equal(b.WS.sockets.length, 1);
});

test('close frame slow_consumer: a new session, without naming the old one', async () => {
  const { halley, ws, b } = connectWs({ random: () => 0 });
  halley.subscribe('demo.chat', () => {});
  ws.receive(message(1, 7, 'x'));
  ws.receive({ type: 'close', reason: 'slow_consumer', reconnect: false });
  assert.equal(halley.state, 'reconnecting');
  await b.clock.advance(500);
  const ws2 = b.WS.sockets[1];
  ws2.accept();
  assert.deepEqual(ws2.sent[0], { type: 'connect' });
  ws2.receive({ type: 'connected', session: 's2', resumed: false, missed: 0, heartbeat: 15000 });
  assert.deepEqual(ws2.framesOf('subscribe').map((f) => f.recover), [{ offset: 7 }]);
});

test('close frame shutdown with reconnect: reconnects', async () => {
  const { halley, ws, b } = connectWs({ random: () => 0 });
  ws.receive({ type: 'close', reason: 'shutdown', reconnect: true });
  assert.equal(halley.state, 'reconnecting');
  await b.clock.advance(500);
  assert.equal(b.WS.sockets.length, 2);
});

test('WebSocket close 4409 (replaced by another connection): disconnected', () => {
  const { halley, ws } = connectWs();
  ws.drop(4409);
  assert.equal(halley.state, 'disconnected');
});

test('a listener that throws does not stop delivery to the others', async () => {
  const { halley, ws, b } = connectWs();
  const got = [];
  halley.subscribe('demo.chat', () => { throw new Error('listener bug'); });
  halley.subscribe('demo.>', (m) => got.push(m.seq));
  ws.receive(message(1, 1, 1));
  assert.deepEqual(got, [1]);
  // the error is rethrown on a timer of its own
  await assert.rejects(b.clock.advance(1), /listener bug/);
  await settle();
});
