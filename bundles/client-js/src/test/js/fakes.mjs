// Test doubles for halley.js: a clock, a WebSocket, an EventSource and fetch, all
// driven by the test. Passed to Halley.connect({ _env }) in place of the browser's.

import Halley from '../../main/resources/halley/halley.mjs';

export { Halley };

/** Lets promise chains (fetch answers, stream reads) run to their end. */
export async function settle() {
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A clock whose timers run only when the test advances it. */
export class Clock {
  constructor() {
    this.t = 1_000_000;
    this.timers = new Map();
    this.ids = 0;
    this.setTimeout = (fn, ms) => {
      const id = ++this.ids;
      this.timers.set(id, { at: this.t + Math.max(0, ms || 0), fn, id });
      return id;
    };
    this.clearTimeout = (id) => {
      this.timers.delete(id);
    };
    this.now = () => this.t;
  }

  async advance(ms) {
    const end = this.t + ms;
    await settle();
    for (;;) {
      let first = null;
      for (const timer of this.timers.values()) {
        if (timer.at <= end && (!first || timer.at < first.at || (timer.at === first.at && timer.id < first.id))) {
          first = timer;
        }
      }
      if (!first) {
        break;
      }
      this.timers.delete(first.id);
      this.t = first.at;
      first.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

/** A WebSocket class whose instances the test opens, feeds and closes. */
export function fakeWebSocket() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.closedByClient = null;
      sockets.push(this);
    }

    send(text) {
      if (this.readyState !== 1) {
        throw new Error('send on a WebSocket that is not open');
      }
      this.sent.push(JSON.parse(text));
    }

    close(code) {
      this.closedByClient = code || 1005;
      this.readyState = 3;
    }

    // the server's side
    accept() {
      this.readyState = 1;
      this.onopen && this.onopen({});
    }

    receive(frame) {
      this.onmessage && this.onmessage({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
    }

    drop(code = 1006) {
      this.readyState = 3;
      this.onclose && this.onclose({ code });
    }

    framesOf(type) {
      return this.sent.filter((f) => f.type === type);
    }
  }
  FakeWebSocket.sockets = sockets;
  return FakeWebSocket;
}

/** An EventSource class whose instances the test opens, feeds and fails. */
export function fakeEventSource() {
  const sources = [];
  class FakeEventSource {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.listeners = {};
      this.closed = false;
      sources.push(this);
    }

    addEventListener(type, fn) {
      (this.listeners[type] = this.listeners[type] || []).push(fn);
    }

    close() {
      this.closed = true;
      this.readyState = 2;
    }

    // the server's side
    open() {
      this.readyState = 1;
      this.onopen && this.onopen({});
    }

    emit(type, frame, id) {
      const event = { data: typeof frame === 'string' ? frame : JSON.stringify(frame), lastEventId: id };
      if (type === 'message') {
        this.onmessage && this.onmessage(event);
      }
      for (const fn of this.listeners[type] || []) {
        fn(event);
      }
    }

    /** closed: the EventSource gave up (an error status); otherwise it reconnects by itself. */
    fail(closed) {
      this.readyState = closed ? 2 : 0;
      this.onerror && this.onerror({});
    }
  }
  FakeEventSource.sources = sources;
  return FakeEventSource;
}

export function json(status, body) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** An ndjson response whose lines the test pushes: returns { response, push(frameOrText), end() }. */
export function ndjson() {
  let controller;
  const body = new ReadableStream({ start(c) { controller = c; } });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { status: 200, headers: { 'Content-Type': 'application/x-ndjson' } }),
    push(frame) {
      controller.enqueue(encoder.encode(typeof frame === 'string' ? frame : JSON.stringify(frame) + '\n'));
    },
    end() {
      controller.close();
    }
  };
}

/** POSTs are taken (202), everything else is not found. */
export function defaultRoute(request) {
  if (request.method === 'POST') {
    return json(202, { accepted: Array.isArray(request.body) ? request.body.length : 1 });
  }
  return json(404, { error: 'not_found', message: 'no such endpoint' });
}

/**
 * fetch() answered by route(request), which returns a Response, a promise of one, or
 * undefined to leave the request hanging until the test answers request.respond().
 * Every request is in http.requests: { url, path, params, method, body, respond }.
 */
export function fakeHttp(route) {
  const http = {
    requests: [],
    route: route || defaultRoute,
    fetch(url, init = {}) {
      const u = new URL(url);
      const request = {
        url,
        path: u.pathname,
        params: Object.fromEntries(u.searchParams),
        method: init.method || 'GET',
        headers: init.headers || {},
        body: init.body === undefined ? undefined : JSON.parse(init.body),
        aborted: false
      };
      http.requests.push(request);
      return new Promise((resolve, reject) => {
        request.respond = resolve;
        if (init.signal) {
          init.signal.addEventListener('abort', () => {
            request.aborted = true;
            reject(new DOMException('aborted', 'AbortError'));
          });
        }
        Promise.resolve(http.route(request)).then((r) => r && resolve(r), reject);
      });
    },
    of(method, path) {
      return http.requests.filter((r) => r.method === method && r.path === path);
    }
  };
  return http;
}

/** A complete fake browser: returns { env, clock, WS, ES, http }. */
export function browser(options = {}) {
  const clock = new Clock();
  const WS = fakeWebSocket();
  const ES = fakeEventSource();
  const http = fakeHttp(options.route);
  const env = {
    WebSocket: WS,
    EventSource: ES,
    fetch: http.fetch,
    AbortController,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    now: clock.now,
    random: options.random || (() => 0.5),
    location: undefined
  };
  return { env, clock, WS, ES, http };
}

/** Records a Halley client's events: events.state, events.gap, events.error, events.transport. */
export function record(halley) {
  const events = { state: [], gap: [], error: [], transport: [] };
  for (const type of Object.keys(events)) {
    halley.on(type, (value) => events[type].push(value));
  }
  return events;
}
