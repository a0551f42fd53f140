// A lost session: subscribe again with recovery, report what cannot be recovered,
// reject what may or may not have happened.

import test from 'node:test';
import assert from 'node:assert/strict';

import { Halley, browser, record } from './fakes.mjs';

function message(seq, offset, channel = 'demo.chat') {
  return { type: 'message', seq, channel, offset, id: 'ID:' + channel + ':' + offset, ts: 1, data: offset };
}

test('resumed:false: every subscription again, concrete ones recovering from their last offset', async () => {
  const b = browser({ random: () => 0 });
  const halley = Halley.connect({ url: 'http://h.test/halley', transports: ['websocket'], _env: b.env });
  const events = record(halley);
  const ws = b.WS.sockets[0];
  ws.accept();
  ws.receive({ type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 });

  const chat = [];
  const news = [];
  const chatSub = halley.subscribe('demo.chat', (m) => chat.push(m.offset));
  halley.subscribe('demo.quiet', () => {});
  halley.subscribe('news.*', (m) => news.push(m.offset));
  const [s1, s2, s3] = ws.framesOf('subscribe');
  ws.receive({ type: 'reply', seq: 1, id: s1.id, ok: true, result: { channel: 'demo.chat', offset: 10 } });
  ws.receive({ type: 'reply', seq: 2, id: s2.id, ok: true, result: { channel: 'demo.quiet', offset: 3 } });
  ws.receive({ type: 'reply', seq: 3, id: s3.id, ok: true, result: { channel: 'news.*', offset: 0 } });
  ws.receive(message(4, 11));
  ws.receive(message(5, 12));
  ws.receive(message(6, 99, 'news.eu'));
  await chatSub.ready;

  const sent = halley.publish('demo.chat', 'hello');   // up, but its reply will be lost
  ws.drop();
  const queued = halley.publish('demo.chat', 'later'); // not up yet

  await b.clock.advance(500);
  const ws2 = b.WS.sockets[1];
  ws2.accept();
  assert.deepEqual(ws2.sent[0], { type: 'connect', session: 's1', lastSeq: 6 });
  ws2.receive({ type: 'connected', session: 's2', resumed: false, missed: 0, heartbeat: 15000 });

  assert.equal(halley.session, 's2');
  const again = ws2.framesOf('subscribe');
  assert.deepEqual(again.map((f) => [f.channel, f.recover]), [
    ['demo.chat', { offset: 12 }],
    ['demo.quiet', { offset: 3 }],
    ['news.*', undefined]
  ]);
  assert.deepEqual(events.gap, [{ channel: 'news.*', from: null, to: null }], 'a pattern cannot recover: said so');
  await assert.rejects(sent, (e) => e.code === 'session_lost');
  const republished = ws2.framesOf('publish');
  assert.deepEqual(republished.map((f) => f.data), ['later'], 'only the publish that never went up');

  // the new session counts from 1 again; recovered history comes first, or a gap
  ws2.receive({ type: 'gap', seq: 1, channel: 'demo.chat', from: 13, to: 14 });
  ws2.receive(message(2, 15));
  ws2.receive({ type: 'reply', seq: 3, id: republished[0].id, ok: true, result: { id: 'ID:x' } });
  assert.deepEqual(chat, [11, 12, 15]);
  assert.deepEqual(events.gap.at(-1), { channel: 'demo.chat', from: 13, to: 14 });
  assert.equal(await queued, 'ID:x');
});

test('a subscribe option recover:{offset} asks for history on the first subscribe', () => {
  const b = browser();
  const halley = Halley.connect({ url: 'http://h.test/halley', transports: ['websocket'], _env: b.env });
  halley.subscribe('demo.chat', () => {}, { recover: { offset: 40 } });
  const ws = b.WS.sockets[0];
  ws.accept();
  ws.receive({ type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 });
  assert.deepEqual(ws.framesOf('subscribe')[0].recover, { offset: 40 });
});

test('a refused subscribe rejects ready and is an error event', async () => {
  const b = browser();
  const halley = Halley.connect({ url: 'http://h.test/halley', transports: ['websocket'], _env: b.env });
  const events = record(halley);
  const ws = b.WS.sockets[0];
  ws.accept();
  ws.receive({ type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 });
  const sub = halley.subscribe('bad..name', () => {});
  const f = ws.framesOf('subscribe')[0];
  ws.receive({ type: 'reply', seq: 1, id: f.id, ok: false, error: { code: 'invalid_channel', message: 'no' } });
  await assert.rejects(sub.ready, (e) => e.code === 'invalid_channel' && e.channel === 'bad..name');
  assert.equal(events.error[0].code, 'invalid_channel');
  assert.equal(sub.closed, true);
});

test('a subscribe whose reply was lost with the connection goes up again on resume', async () => {
  const b = browser({ random: () => 0 });
  const halley = Halley.connect({ url: 'http://h.test/halley', transports: ['websocket'], _env: b.env });
  const ws = b.WS.sockets[0];
  ws.accept();
  ws.receive({ type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 });
  const sub = halley.subscribe('demo.chat', () => {});
  const first = ws.framesOf('subscribe')[0];
  ws.drop();
  await b.clock.advance(500);
  const ws2 = b.WS.sockets[1];
  ws2.accept();
  ws2.receive({ type: 'connected', session: 's1', resumed: true, missed: 0, heartbeat: 15000 });
  const again = ws2.framesOf('subscribe')[0];
  assert.deepEqual(again, first, 'the same request, the same id');
  ws2.receive({ type: 'reply', seq: 1, id: first.id, ok: true, result: { channel: 'demo.chat', offset: 0 } });
  assert.deepEqual(await sub.ready, { channel: 'demo.chat', offset: 0 });
});

test('unsubscribing forgets the offset: a later subscribe does not recover', () => {
  const b = browser();
  const halley = Halley.connect({ url: 'http://h.test/halley', transports: ['websocket'], _env: b.env });
  const ws = b.WS.sockets[0];
  ws.accept();
  ws.receive({ type: 'connected', session: 's1', resumed: false, missed: 0, heartbeat: 15000 });
  const sub = halley.subscribe('demo.chat', () => {});
  ws.receive(message(1, 5));
  sub.unsubscribe();
  halley.subscribe('demo.chat', () => {});
  const frames = ws.framesOf('subscribe');
  assert.equal(frames.length, 2);
  assert.equal(frames[1].recover, undefined);
});
