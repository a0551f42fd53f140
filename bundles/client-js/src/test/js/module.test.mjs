// halley.js loads as a classic script and, through halley.mjs, as an ES module.

import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

import Halley, { connect, version } from '../../main/resources/halley/halley.mjs';
import { browser } from './fakes.mjs';

const source = readFileSync(new URL('../../main/resources/halley/halley.js', import.meta.url), 'utf8');

test('halley.mjs exports Halley as default, and connect', () => {
  assert.equal(typeof connect, 'function');
  assert.equal(Halley.connect, connect);
  assert.equal(version, Halley.version);
  assert.equal(globalThis.Halley, Halley);
  assert.ok(Object.isFrozen(Halley));
});

test('as a classic script in a page of its own, halley.js defines globalThis.Halley', () => {
  const page = { setTimeout, clearTimeout };
  vm.runInNewContext(source, page, { filename: 'halley.js' });
  assert.equal(typeof page.Halley.connect, 'function');
  assert.deepEqual(Array.from(page.Halley.transports), ['websocket', 'sse', 'streaming', 'longpoll']);
});

test('loaded twice, the first Halley stays', () => {
  const page = { setTimeout, clearTimeout };
  vm.runInNewContext(source, page);
  const first = page.Halley;
  vm.runInNewContext(source, page);
  assert.equal(page.Halley, first);
});

test('the url defaults to the page origin + /halley; a relative url is resolved against the page', () => {
  const b = browser();
  b.env.location = { origin: 'https://chat.example', href: 'https://chat.example/app/index.html' };
  const h1 = connect({ transports: ['websocket'], _env: b.env });
  assert.equal(h1.url, 'https://chat.example/halley');
  assert.equal(b.WS.sockets[0].url, 'wss://chat.example/halley/ws');
  const h2 = connect({ url: '/x/halley/', transports: ['websocket'], _env: b.env });
  assert.equal(h2.url, 'https://chat.example/x/halley');
  h1.close();
  h2.close();
});

test('with no url and no page, connect says so', () => {
  const b = browser();
  assert.throws(() => connect({ _env: b.env }), TypeError);
});
