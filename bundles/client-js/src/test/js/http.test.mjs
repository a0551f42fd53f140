// The HTTP transports: Server-Sent Events, streaming and long-polling, with frames up by POST.

import test from 'node:test';
import assert from 'node:assert/strict';

import { Halley, browser, defaultRoute, json, ndjson, record, settle } from './fakes.mjs';

const URL_ = 'http://h.test/halley';

function message(seq, offset = seq) {
  return { type: 'message', seq, channel: 'demo.chat', offset, id: 'ID:' + offset, ts: 1, data: offset };
}

function connected(session = 's1', resumed = false, heartbeat = 15000) {
  return { type: 'connected', session, resumed, missed: 0, heartbeat };
}

// ---------------------------------------------------------------- SSE

function connectSse(options = {}) {
  const b = browser(options);
  const halley = Halley.connect({ url: URL_, token: 'tk', transports: ['sse'], _env: b.env, ...options });
  const events = record(halley);
  const es = b.ES.sources[0];
  es.open();
  es.emit('connected', connected());
  return { b, halley, events, es };
}

test('sse: protocol=1 and the token; message events are frames; frames go up by POST ?session=', async () => {
  const { b, halley, es } = connectSse();
  assert.equal(es.url, URL_ + '/sse?protocol=1&token=tk');
  assert.equal(halley.transport, 'sse');
  const got = [];
  halley.subscribe('demo.chat', (m) => got.push(m.data));
  await settle();
  const posts = b.http.of('POST', '/halley/sse');
  assert.equal(posts.length, 1);
  assert.deepEqual(posts[0].params, { session: 's1' });
  assert.equal(posts[0].body.type, 'subscribe');
  es.emit('message', message(1), '1');
  es.emit('message', message(1), '1');
  es.emit('message', message(2), '2');
  assert.deepEqual(got, [1, 2]);
});

test('sse: reply and gap frames are named events', async () => {
  const { b, halley, es, events } = connectSse();
  const p = halley.publish('demo.chat', 'x');
  await settle();
  const publish = b.http.of('POST', '/halley/sse').map((r) => r.body).find((f) => f.type === 'publish');
  es.emit('reply', { type: 'reply', seq: 1, id: publish.id, ok: true, result: { id: 'ID:7' } }, '1');
  es.emit('gap', { type: 'gap', seq: 2, channel: 'demo.chat', from: 1, to: 3 }, '2');
  assert.equal(await p, 'ID:7');
  assert.deepEqual(events.gap, [{ channel: 'demo.chat', from: 1, to: 3 }]);
});

test('sse: frames queued while a POST is in flight go up together, as one array', async () => {
  let hold = true;
  const { b, halley } = connectSse({ route: (r) => (r.method === 'POST' && hold ? undefined : defaultRoute(r)) });
  halley.publish('demo.chat', 'a');
  halley.publish('demo.chat', 'b');
  halley.publish('demo.chat', 'c');
  await settle();
  const posts = b.http.of('POST', '/halley/sse');
  assert.equal(posts.length, 1);
  assert.equal(posts[0].body.data, 'a');
  hold = false;
  posts[0].respond(json(202, { accepted: 1 }));
  await settle();
  const second = b.http.of('POST', '/halley/sse')[1];
  assert.ok(Array.isArray(second.body));
  assert.deepEqual(second.body.map((f) => f.data), ['b', 'c']);
});

test('sse: acks go up by POST at most every 100 ms', async () => {
  const { b, halley, es } = connectSse();
  halley.subscribe('demo.chat', () => {});
  await settle();
  for (let seq = 1; seq <= 3; seq++) {
    es.emit('message', message(seq), String(seq));
  }
  await b.clock.advance(100);
  const acks = b.http.of('POST', '/halley/sse').map((r) => r.body).filter((f) => f.type === 'ack');
  assert.deepEqual(acks, [{ type: 'ack', seq: 3 }]);
});

test('sse: heartbeat events keep a quiet stream alive; silence beyond heartbeat * 2 + 5 s ends it', async () => {
  const b = browser();
  const halley = Halley.connect({ url: URL_, transports: ['sse', 'longpoll'], _env: b.env, route: undefined });
  const es = b.ES.sources[0];
  es.open();
  es.emit('connected', connected('s1', false, 1000));
  for (let i = 0; i < 10; i++) {
    await b.clock.advance(1000);
    es.emit('heartbeat', '');
  }
  assert.equal(halley.transport, 'sse');
  await b.clock.advance(7000);
  assert.ok(es.closed);
  assert.equal(b.http.of('GET', '/halley/poll').length, 1);
});

test('sse: the EventSource reconnecting by itself is "reconnecting", its connected event resumes', async () => {
  const { halley, es, events } = connectSse();
  es.fail(false);
  assert.equal(halley.state, 'reconnecting');
  assert.equal(es.closed, false, 'left to reconnect with Last-Event-ID and the cookie');
  es.open();
  es.emit('connected', connected('s1', true));
  assert.equal(halley.state, 'connected');
  assert.deepEqual(events.state, ['connected', 'reconnecting', 'connected']);
});

test('sse: a resume names the session and the last seq in the URL', async () => {
  const { b, halley, es } = connectSse({ random: () => 0 });
  halley.subscribe('demo.chat', () => {});
  es.emit('message', message(1), '1');
  es.emit('message', message(2), '2');
  es.fail(true);                        // an error status: the EventSource gives up
  await settle();                       // asks the POST path whether the session lives: it does
  await b.clock.advance(500);
  const es2 = b.ES.sources[1];
  assert.equal(es2.url, URL_ + '/sse?protocol=1&session=s1&lastEventId=2&token=tk');
  assert.equal(halley.state, 'reconnecting');
  es2.fail(true);                       // refused again: this time the session is gone
  await settle();
  assert.ok(es2.closed);
});

test('sse: when the stream fails and the POST path says unknown_session, a new session at once', async () => {
  const b = browser({
    random: () => 0,
    route: (r) => (r.method === 'POST' && r.params.session === 's1' && r.body.type === 'ping'
      ? json(404, { error: 'unknown_session', message: 'gone' }) : defaultRoute(r))
  });
  const halley = Halley.connect({ url: URL_, transports: ['sse'], _env: b.env });
  halley.subscribe('demo.chat', () => {});
  const es = b.ES.sources[0];
  es.open();
  es.emit('connected', connected('s1'));
  es.emit('message', message(1, 9), '1');
  es.fail(false);
  // the EventSource's own reconnect is refused: it had no session= to ask about
  es.fail(true);
  await b.clock.advance(500);
  const es2 = b.ES.sources[1];
  assert.equal(es2.url, URL_ + '/sse?protocol=1&session=s1&lastEventId=1');
  es2.fail(true);                       // refused, and the POST path says unknown_session
  await b.clock.advance(0);
  assert.equal(b.http.of('POST', '/halley/sse').at(-1).body.type, 'ping');
  const es3 = b.ES.sources[2];
  assert.equal(es3.url, URL_ + '/sse?protocol=1', 'no session: a new one');
  es3.open();
  es3.emit('connected', connected('s2'));
  await settle();
  const subscribe = b.http.of('POST', '/halley/sse').map((r) => r.body).find((f) => f.type === 'subscribe'
    && f.recover);
  assert.deepEqual(subscribe.recover, { offset: 9 });
  assert.equal(halley.session, 's2');
});

test('sse: a close event stops the EventSource from reconnecting', () => {
  const { halley, es } = connectSse();
  es.emit('close', { type: 'close', reason: 'closed_by_admin', reconnect: false });
  assert.ok(es.closed);
  assert.equal(halley.state, 'disconnected');
});

// ---------------------------------------------------------------- streaming

test('streaming: ndjson lines split across chunks; heartbeat lines; POST up to /stream', async () => {
  const stream = ndjson();
  const b = browser({ route: (r) => (r.method === 'GET' ? stream.response : defaultRoute(r)) });
  const halley = Halley.connect({ url: URL_, transports: ['streaming'], _env: b.env });
  const got = [];
  halley.subscribe('demo.chat', (m) => got.push(m.data));
  const get = b.http.of('GET', '/halley/stream')[0];
  assert.deepEqual(get.params, { protocol: '1' });
  const c = JSON.stringify(connected()) + '\n';
  stream.push(c.slice(0, 10));
  stream.push(c.slice(10) + JSON.stringify(message(1)).slice(0, 7));
  stream.push(JSON.stringify(message(1)).slice(7) + '\n{"type":"heartbeat"}\n');
  stream.push(message(2));
  await settle();
  assert.equal(halley.state, 'connected');
  assert.equal(halley.transport, 'streaming');
  assert.deepEqual(got, [1, 2]);
  const post = b.http.of('POST', '/halley/stream')[0];
  assert.deepEqual(post.params, { session: 's1' });
  assert.equal(post.body.type, 'subscribe');
});

test('streaming: a resume names session and lastSeq; unknown_session opens a new session', async () => {
  const streams = [];
  const b = browser({
    random: () => 0,
    route: (r) => {
      if (r.method !== 'GET') {
        return defaultRoute(r);
      }
      if (r.params.session === 's1' && streams.length === 1) {
        streams.push(null);
        return json(404, { error: 'unknown_session', message: 'gone' });
      }
      const s = ndjson();
      streams.push(s);
      return s.response;
    }
  });
  const halley = Halley.connect({ url: URL_, transports: ['streaming', 'longpoll'], _env: b.env });
  streams[0].push(connected());
  streams[0].push(message(1));
  streams[0].push(message(2));
  await settle();
  streams[0].end();                     // the stream ends: reconnect the same transport
  await settle();
  assert.equal(halley.state, 'reconnecting');
  await b.clock.advance(500);
  const gets = b.http.of('GET', '/halley/stream');
  assert.deepEqual(gets[1].params, { protocol: '1', session: 's1', lastSeq: '2' });
  await b.clock.advance(0);
  assert.deepEqual(gets[2].params, { protocol: '1' }, 'the session is gone: a new one, same transport');
  streams[2].push(connected('s2'));
  await settle();
  assert.equal(halley.session, 's2');
  assert.equal(halley.transport, 'streaming');
});

test('streaming: a 200 that is not ndjson (a proxy page) is a refusal', async () => {
  const b = browser({
    route: (r) => (r.path === '/halley/stream'
      ? new Response('<html>', { status: 200, headers: { 'Content-Type': 'text/html' } })
      : (r.params.cursor ? undefined : json(200, { session: 's1', cursor: 's1:0', missed: 0, messages: [] })))
  });
  const halley = Halley.connect({ url: URL_, transports: ['streaming', 'longpoll'], _env: b.env });
  await b.clock.advance(0);
  assert.equal(halley.transport, 'longpoll');
});

// ---------------------------------------------------------------- long-polling

test('longpoll: cursor loop, frames delivered, acks only by cursor, POST up to /poll', async () => {
  const b = browser({ route: (r) => (r.method === 'POST' ? defaultRoute(r) : undefined) });
  const halley = Halley.connect({ url: URL_, token: 'tk', transports: ['longpoll'], pollTimeout: 20000, _env: b.env });
  const got = [];
  halley.subscribe('demo.chat', (m) => got.push(m.data));
  const polls = () => b.http.of('GET', '/halley/poll');
  assert.deepEqual(polls()[0].params, { protocol: '1' });
  assert.equal(polls()[0].headers.Authorization, 'Bearer tk');
  polls()[0].respond(json(200, { session: 's1', cursor: 's1:0', missed: 0, messages: [],
    connected: { type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 } }));
  await settle();
  assert.equal(halley.state, 'connected');
  assert.deepEqual(polls()[1].params, { protocol: '1', cursor: 's1:0', timeout: '20000' });
  const sub = b.http.of('POST', '/halley/poll')[0];
  assert.deepEqual(sub.params, { session: 's1' });
  polls()[1].respond(json(200, { session: 's1', cursor: 's1:3', missed: 0, messages: [
    { type: 'reply', seq: 1, id: sub.body.id, ok: true, result: { offset: 0 } }, message(2), message(3)] }));
  await settle();
  assert.deepEqual(got, [2, 3]);
  assert.equal(polls()[2].params.cursor, 's1:3');
  await b.clock.advance(1000);
  assert.equal(b.http.of('POST', '/halley/poll').filter((r) => r.body.type === 'ack').length, 0);
  // an answer with close ends the loop
  polls()[2].respond(json(200, { session: 's1', cursor: 's1:3', missed: 0, messages: [],
    close: { type: 'close', reason: 'closed_by_admin', reconnect: false } }));
  await settle();
  assert.equal(halley.state, 'disconnected');
  assert.equal(polls().length, 3);
});

test('longpoll: a poll with no answer past its timeout is silent; unknown_cursor opens a new session', async () => {
  let first = true;
  const b = browser({
    random: () => 0,
    route: (r) => {
      if (r.method === 'POST') {
        return defaultRoute(r);
      }
      if (!r.params.cursor) {
        return json(200, { session: first ? 's1' : 's2', cursor: (first ? 's1' : 's2') + ':0', missed: 0, messages: [] });
      }
      if (r.params.cursor === 's1:0' && r.params.timeout === '0') {
        first = false;
        return json(404, { error: 'unknown_cursor', message: 'gone' });
      }
      return undefined;
    }
  });
  const halley = Halley.connect({
    url: URL_, transports: ['longpoll'], pollTimeout: 1000, connectTimeout: 500, _env: b.env
  });
  await settle();
  assert.equal(halley.session, 's1');
  await b.clock.advance(1499);
  assert.equal(halley.state, 'connected');
  await b.clock.advance(1);
  assert.equal(halley.state, 'reconnecting', 'silent: nothing else to fall back to, so back off');
  await b.clock.advance(500);
  await b.clock.advance(0);
  assert.equal(halley.session, 's2');
  assert.equal(halley.state, 'connected');
});
