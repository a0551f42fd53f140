/*!
 * halley.js: the browser library of Halley, a Comet server.
 *
 *   <script src="/halley/halley.js"></script>          (defines globalThis.Halley)
 *   import Halley, { connect } from '/halley/halley.mjs' (the same, as an ES module)
 *
 *   const halley = Halley.connect({ url: 'https://example.com/halley', token });
 *   // or let the library fetch and renew a token from the application's server:
 *   const halley = Halley.connect({ getToken: () => fetch('/my/token').then(r => r.text()) });
 *   const sub = halley.subscribe('demo.chat', msg => console.log(msg.channel, msg.data));
 *   halley.publish('demo.chat', { text: 'hi' }).then(id => ..., err => err.code);
 *   halley.on('state', state => ...);   // connecting | connected | reconnecting | disconnected
 *   halley.on('gap', ({ channel, from, to }) => ...);
 *   halley.on('error', err => err.code);
 *   halley.on('unsubscribed', ({ channel, code }) => ...); // permission revoked: code 'forbidden'
 *   sub.unsubscribe(); halley.close();
 *
 * The wire protocol is docs/protocol.md in the Halley repository. The library tries
 * the transports best first (websocket, sse, streaming, longpoll), falls back when one
 * is refused or silent, and keeps one session across transports and reconnects: it
 * resumes with the session id and the last seq it received, delivers every sequenced
 * frame once and in order, and, when the session is lost, subscribes again with
 * recovery from the last offset it saw, so that a hole is always filled or reported.
 *
 * Test hook: connect({ _env: { WebSocket, EventSource, fetch, AbortController,
 * setTimeout, clearTimeout, now, random, location } }) replaces the browser globals.
 */
(function () {
  'use strict';

  const root = globalThis;
  // Loaded both as a classic script and through halley.mjs: keep the first, so that
  // every caller shares one Halley.
  if (root.Halley && typeof root.Halley.connect === 'function') {
    return;
  }

  const VERSION = '0.1.0';
  const TRANSPORTS = ['websocket', 'sse', 'streaming', 'longpoll'];
  const STATES = ['connecting', 'connected', 'reconnecting', 'disconnected'];
  // Acknowledge at most every ACK_DELAY ms, or at once when ACK_FRAMES are unacknowledged.
  const ACK_DELAY = 100;
  const ACK_FRAMES = 100;
  const DEFAULT_HEARTBEAT = 15000;
  const HEARTBEAT_MARGIN = 5000;
  // Message ids remembered to drop a message delivered twice (overlapping
  // subscriptions, a recovery that overlaps what was already received).
  const RECENT_IDS = 1024;
  // A streaming line longer than this is not a frame of ours.
  const MAX_LINE = 4 * 1024 * 1024;

  function halleyError(code, message, extra) {
    const e = new Error(message || code);
    e.code = code;
    if (extra) {
      Object.assign(e, extra);
    }
    return e;
  }

  function isConcrete(channel) {
    return !channel.split('.').some((s) => s === '*' || s === '>');
  }

  /** The broker's wildcard rules: '*' is one segment, a last '>' one or more. */
  function matches(pattern, channel) {
    if (pattern === channel) {
      return true;
    }
    const p = pattern.split('.');
    const c = channel.split('.');
    for (let i = 0; i < p.length; i++) {
      if (p[i] === '>') {
        return i === p.length - 1 && c.length > i;
      }
      if (i >= c.length || (p[i] !== '*' && p[i] !== c[i])) {
        return false;
      }
    }
    return p.length === c.length;
  }

  /**
   * The pause before reconnect attempt number `attempt` (0 first): exponential, capped
   * at maxDelay, then shortened by a random part of at most `jitter` (0..1) of it, so
   * that clients cut off together do not come back together.
   */
  function backoffDelay(attempt, r, random) {
    const base = Math.min(r.maxDelay, r.initialDelay * Math.pow(r.factor, attempt));
    const jitter = Math.min(1, Math.max(0, r.jitter));
    return Math.max(0, Math.round(base * (1 - jitter * random())));
  }

  function parseJson(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      return undefined;
    }
  }

  function number(value, fallback) {
    return typeof value === 'number' && value >= 0 ? value : fallback;
  }

  /** An HTTP error answer as an Error: code from the JSON body, or http_<status>. */
  function httpError(response) {
    const status = response.status;
    return response.text().then((t) => t, () => '').then((text) => {
      const body = parseJson(text) || {};
      const code = typeof body.error === 'string' ? body.error : 'http_' + status;
      return halleyError(code, body.message || 'HTTP ' + status, {
        status,
        sessionLost: code === 'unknown_session' || code === 'unknown_cursor'
      });
    });
  }

  function networkError(e) {
    return halleyError('network', (e && e.message) || 'network error', { cause: e });
  }

  /** The request headers, with the token as a Bearer credential when there is one. */
  function headers(client, base) {
    const h = Object.assign({}, base);
    if (client.token !== null) {
      h.Authorization = 'Bearer ' + client.token;
    }
    return h;
  }

  /** @return when a JWT expires, in ms since the epoch, or 0 when it does not say */
  function tokenExpiry(token) {
    const parts = typeof token === 'string' ? token.split('.') : [];
    if (parts.length !== 3 || typeof atob !== 'function') {
      return 0;
    }
    try {
      const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
      const claims = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)));
      return typeof claims.exp === 'number' ? claims.exp * 1000 : 0;
    } catch (e) {
      return 0;
    }
  }

  /** POSTs client frames to an HTTP transport's path: one frame, or an array of them. */
  function post(client, path, frames, keepalive) {
    const body = JSON.stringify(frames.length === 1 ? frames[0] : frames);
    const url = client.url + path + '?session=' + encodeURIComponent(client.session);
    return client._env.fetch(url, {
      method: 'POST',
      headers: headers(client, { 'Content-Type': 'application/json' }),
      body,
      cache: 'no-store',
      credentials: 'same-origin',
      keepalive: !!keepalive
    }).then((r) => (r.ok ? undefined : httpError(r).then((e) => { throw e; })), (e) => {
      throw networkError(e);
    });
  }

  /** The query of a GET; the token goes in it only for what cannot set headers (EventSource). */
  function query(client, extra, withToken) {
    let q = 'protocol=1';
    if (extra) {
      q += extra;
    }
    if (withToken && client.token !== null) {
      q += '&token=' + encodeURIComponent(client.token);
    }
    return q;
  }

  // ---------------------------------------------------------------- transports
  //
  // A connection calls back client._connFrames(conn, value), client._connAlive(conn),
  // client._connInterrupted(conn) and client._connFail(conn, error); the client
  // ignores a connection that is no longer its own. send(frames, done) carries frames
  // up, close() ends the connection quietly, goodbye() sends a last close frame.

  /** WebSocket at /halley/ws: frames both ways, the first one up is connect. */
  class WebSocketConnection {
    constructor(client, resume) {
      this.client = client;
      this.resume = resume;
      this.ws = null;
      // The server sends heartbeat frames; should one be late, a ping makes sure.
      this.pingWhenIdle = true;
    }

    open() {
      const client = this.client;
      const url = client.url.replace(/^http/i, 'ws') + '/ws';
      const ws = this.ws = new client._env.WebSocket(url);
      ws.onopen = () => {
        const connect = { type: 'connect' };
        if (this.resume.session) {
          connect.session = this.resume.session;
          connect.lastSeq = this.resume.lastSeq;
        }
        if (client.token !== null) {
          connect.token = client.token;
        }
        ws.send(JSON.stringify(connect));
        client._connAlive(this);
      };
      ws.onmessage = (event) => {
        if (typeof event.data !== 'string') {
          return;
        }
        const value = parseJson(event.data);
        if (value === undefined) {
          client._connFail(this, halleyError('bad_frame', 'a frame that is not JSON'));
        } else {
          client._connFrames(this, value);
        }
      };
      ws.onerror = () => {}; // onclose follows, with the code
      ws.onclose = (event) => {
        this.ws = null;
        const code = event && event.code;
        const named = { 4409: 'replaced', 4401: 'unauthorized', 4403: 'forbidden' }[code];
        client._connFail(this, halleyError(named || 'websocket_closed',
          'the WebSocket closed (' + code + ')', { closeCode: code }));
      };
    }

    send(frames, done) {
      const ws = this.ws;
      if (!ws || ws.readyState !== 1) {
        done(halleyError('network', 'the WebSocket is not open', { notSent: true }));
        return;
      }
      for (const frame of frames) {
        ws.send(JSON.stringify(frame));
      }
      done(null);
    }

    goodbye() {
      if (this.ws && this.ws.readyState === 1) {
        this.ws.send(JSON.stringify({ type: 'close' }));
      }
    }

    close() {
      const ws = this.ws;
      this.ws = null;
      if (ws) {
        ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
        try {
          ws.close(1000);
        } catch (e) {
          // already closing
        }
      }
    }
  }

  /** Frames up by POST to the transport's own path, one request at a time. */
  class HttpUp {
    send(frames, done) {
      this.busy = true;
      post(this.client, this.path, frames).then(() => {
        this.busy = false;
        done(null);
      }, (err) => {
        this.busy = false;
        done(err);
      });
    }

    goodbye() {
      post(this.client, this.path, [{ type: 'close' }], true).catch(() => {});
    }
  }

  /**
   * Server-Sent Events at /halley/sse?protocol=1. An EventSource cannot set
   * Last-Event-ID on its first request, so a resume names the session and passes the
   * last seq as lastEventId=; when the stream breaks, the EventSource reconnects by
   * itself with the Last-Event-ID header (which wins over the URL's) and the halley_sse
   * cookie, which resumes the session. Messages are unnamed events; reply, gap,
   * connected, heartbeat and close are named ones.
   */
  class SseConnection extends HttpUp {
    constructor(client, resume) {
      super();
      this.client = client;
      this.resume = resume;
      this.path = '/sse';
      this.es = null;
    }

    open() {
      const client = this.client;
      let extra = '';
      if (this.resume.session) {
        extra = '&session=' + encodeURIComponent(this.resume.session) + '&lastEventId=' + this.resume.lastSeq;
      }
      const es = this.es = new client._env.EventSource(client.url + '/sse?' + query(client, extra, true));
      const onFrame = (event) => {
        const value = parseJson(event.data);
        if (value !== undefined) {
          client._connFrames(this, value);
        }
      };
      es.onopen = () => client._connAlive(this);
      es.onmessage = onFrame;
      for (const name of ['connected', 'reply', 'gap']) {
        es.addEventListener(name, onFrame);
      }
      es.addEventListener('unsubscribed', onFrame);
      es.addEventListener('heartbeat', () => client._connAlive(this));
      es.addEventListener('close', (event) => {
        // The server ends the response next: the EventSource must not reconnect.
        this.stop();
        onFrame(event);
      });
      es.onerror = () => {
        if (this.es !== es) {
          return;
        }
        if (es.readyState === 2) {
          this.stop();
          this.diagnose();
        } else {
          client._connInterrupted(this);
        }
      };
    }

    /**
     * An EventSource does not tell an error status from a network failure: when it
     * named a session, ask the POST path whether the session still exists.
     */
    diagnose() {
      const client = this.client;
      const failed = halleyError('sse_failed', 'the event stream failed');
      if (!this.resume.session) {
        client._connFail(this, failed);
        return;
      }
      const url = client.url + this.path + '?session=' + encodeURIComponent(this.resume.session);
      client._env.fetch(url, {
        method: 'POST',
        headers: headers(client, { 'Content-Type': 'application/json' }),
        body: JSON.stringify({ type: 'ping' }),
        cache: 'no-store',
        credentials: 'same-origin'
      }).then((r) => (r.ok ? failed : httpError(r)), () => failed).then((err) => {
        client._connFail(this, err.sessionLost || err.code === 'unauthorized' ? err : failed);
      });
    }

    stop() {
      if (this.es) {
        this.es.onopen = this.es.onmessage = this.es.onerror = null;
        this.es.close();
      }
    }

    close() {
      this.stop();
      this.es = null;
    }
  }

  /** HTTP streaming at /halley/stream?protocol=1: newline-delimited JSON read with fetch(). */
  class StreamingConnection extends HttpUp {
    constructor(client, resume) {
      super();
      this.client = client;
      this.resume = resume;
      this.path = '/stream';
      this.controller = null;
      this.dead = false;
    }

    open() {
      const client = this.client;
      const env = client._env;
      let extra = '';
      if (this.resume.session) {
        extra = '&session=' + encodeURIComponent(this.resume.session) + '&lastSeq=' + this.resume.lastSeq;
      }
      const controller = this.controller = new env.AbortController();
      env.fetch(client.url + '/stream?' + query(client, extra), {
        headers: headers(client, { Accept: 'application/x-ndjson' }),
        cache: 'no-store',
        credentials: 'same-origin',
        signal: controller.signal
      }).then((response) => {
        if (!response.ok) {
          return httpError(response).then((e) => { throw e; });
        }
        const type = response.headers.get('Content-Type') || '';
        if (!/ndjson/i.test(type) || !response.body) {
          throw halleyError('bad_response', 'not a Halley stream: ' + type);
        }
        client._connAlive(this);
        return this.read(response.body.getReader());
      }).catch((err) => {
        if (!this.dead) {
          client._connFail(this, err && err.code ? err : networkError(err));
        }
      });
    }

    async read(reader) {
      const client = this.client;
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (this.dead) {
          return;
        }
        if (done) {
          throw halleyError('stream_ended', 'the stream ended');
        }
        client._connAlive(this);
        buffer += decoder.decode(value, { stream: true });
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line) {
            const frame = parseJson(line);
            if (frame === undefined) {
              throw halleyError('bad_frame', 'a line that is not JSON');
            }
            client._connFrames(this, frame);
            if (this.dead) {
              return;
            }
          }
        }
        if (buffer.length > MAX_LINE) {
          throw halleyError('bad_frame', 'a line longer than ' + MAX_LINE);
        }
      }
    }

    close() {
      this.dead = true;
      if (this.controller) {
        this.controller.abort();
      }
    }
  }

  /**
   * Long-polling at /halley/poll?protocol=1: each answer carries frames and a cursor,
   * and the next poll with that cursor acknowledges them.
   */
  class LongPollConnection extends HttpUp {
    constructor(client, resume) {
      super();
      this.client = client;
      this.resume = resume;
      this.path = '/poll';
      this.acksByCursor = true;
      this.pollsItself = true;
      this.dead = false;
      this.controller = null;
      this.first = true;
      // The cursor is opaque; resuming after another transport builds today's form.
      this.cursor = resume.cursor || (resume.session ? resume.session + ':' + resume.lastSeq : null);
    }

    open() {
      this.poll();
    }

    poll() {
      if (this.dead) {
        return;
      }
      const client = this.client;
      const env = client._env;
      // The first poll answers at once (timeout=0 on a resume), later ones wait.
      const wait = this.first ? 0 : client._opts.pollTimeout;
      const extra = this.cursor ? '&cursor=' + encodeURIComponent(this.cursor) + '&timeout=' + wait : '';
      const controller = this.controller = new env.AbortController();
      let silent = false;
      const timer = env.setTimeout(() => {
        silent = true;
        controller.abort();
      }, wait + client._opts.connectTimeout);
      env.fetch(client.url + '/poll?' + query(client, extra), {
        headers: headers(client, { Accept: 'application/json' }),
        cache: 'no-store',
        credentials: 'same-origin',
        signal: controller.signal
      }).then((response) => {
        if (!response.ok) {
          return httpError(response).then((e) => { throw e; });
        }
        return response.json();
      }).then((answer) => {
        env.clearTimeout(timer);
        if (!this.dead) {
          this.answer(answer || {});
        }
      }).catch((err) => {
        env.clearTimeout(timer);
        if (!this.dead) {
          client._connFail(this, silent
            ? halleyError('silent', 'no answer to a poll', { silent: true })
            : (err && err.code ? err : networkError(err)));
        }
      });
    }

    answer(answer) {
      const client = this.client;
      client._connAlive(this);
      const frames = Array.isArray(answer.messages) ? answer.messages : [];
      if (this.first) {
        this.first = false;
        // a 200 to a cursor is a resume; the answer names the session anyway
        const session = answer.session || (this.cursor && this.resume.session);
        if (typeof session !== 'string') {
          client._connFail(this, halleyError('bad_response', 'a poll answer without a session'));
          return;
        }
        // a new session's first answer carries connected; a resume's makes it up
        const connected = (answer.connected && answer.connected.type === 'connected' && answer.connected)
          || frames.find((f) => f && f.type === 'connected') || {
          type: 'connected',
          session,
          resumed: !!this.resume.session && session === this.resume.session,
          missed: answer.missed || 0
        };
        client._connFrames(this, connected);
      }
      for (const frame of frames) {
        if (this.dead) {
          return;
        }
        if (frame && frame.type !== 'connected') {
          client._connFrames(this, frame);
        }
      }
      if (this.dead) {
        return;
      }
      if (answer.close) {
        client._connFrames(this, answer.close);
        return;
      }
      if (typeof answer.cursor === 'string') {
        this.cursor = answer.cursor;
        client._pollCursor = { cursor: answer.cursor, session: client.session, seq: client._lastSeq };
      }
      this.poll();
    }

    close() {
      this.dead = true;
      if (this.controller) {
        this.controller.abort();
      }
    }
  }

  const CONNECTIONS = {
    websocket: WebSocketConnection,
    sse: SseConnection,
    streaming: StreamingConnection,
    longpoll: LongPollConnection
  };

  function available(name, env) {
    switch (name) {
      case 'websocket': return typeof env.WebSocket === 'function';
      case 'sse': return typeof env.EventSource === 'function' && typeof env.fetch === 'function';
      case 'streaming':
      case 'longpoll': return typeof env.fetch === 'function' && typeof env.AbortController === 'function';
      default: return false;
    }
  }

  // ---------------------------------------------------------------- subscription

  class Subscription {
    constructor(client, entry, fn) {
      this.channel = entry.channel;
      /** Resolves with the subscribe reply's result ({channel, offset}); rejects with its error. */
      this.ready = entry.ready;
      this._client = client;
      this._entry = entry;
      this._fn = fn;
      this.closed = false;
    }

    unsubscribe() {
      if (!this.closed) {
        this.closed = true;
        this._client._unsubscribe(this._entry, this);
      }
    }
  }

  // ---------------------------------------------------------------- client

  class Client {
    constructor(options) {
      const o = options || {};
      const env = o._env || {};
      const has = (k) => Object.prototype.hasOwnProperty.call(env, k);
      this._env = {
        WebSocket: has('WebSocket') ? env.WebSocket : root.WebSocket,
        EventSource: has('EventSource') ? env.EventSource : root.EventSource,
        fetch: has('fetch') ? env.fetch : (typeof root.fetch === 'function' ? root.fetch.bind(root) : undefined),
        AbortController: has('AbortController') ? env.AbortController : root.AbortController,
        setTimeout: env.setTimeout || root.setTimeout.bind(root),
        clearTimeout: env.clearTimeout || root.clearTimeout.bind(root),
        now: env.now || Date.now,
        random: env.random || Math.random,
        location: has('location') ? env.location : root.location
      };
      const loc = this._env.location;
      let url = o.url || (loc && loc.origin ? loc.origin + '/halley' : null);
      if (!url) {
        throw new TypeError('Halley.connect: no url, and no page to take its origin from');
      }
      if (loc && loc.href) {
        url = new URL(url, loc.href).href;
      }
      /** The server's base URL, e.g. https://example.com/halley. */
      this.url = url.replace(/\/+$/, '');
      this.token = o.token === undefined || o.token === null ? null : String(o.token);
      if (o.getToken !== undefined && typeof o.getToken !== 'function') {
        throw new TypeError('Halley.connect: getToken must be a function');
      }
      this._getToken = o.getToken || null;
      const wanted = o.transports || TRANSPORTS;
      this.transports = wanted.filter((t, i) => TRANSPORTS.includes(t) && wanted.indexOf(t) === i
        && available(t, this._env));
      if (!this.transports.length) {
        throw new TypeError('Halley.connect: none of the transports ' + wanted.join(', ') + ' is available');
      }
      this._opts = {
        connectTimeout: number(o.connectTimeout, 10000),
        heartbeatTimeout: number(o.heartbeatTimeout, 0),
        retryBestAfter: number(o.retryBestAfter, 60000),
        requestTimeout: number(o.requestTimeout, 30000),
        pollTimeout: number(o.pollTimeout, 25000),
        // renew a token this long before it expires (at most a fifth of its lifetime)
        tokenRefreshMargin: number(o.tokenRefreshMargin, 30000),
        reconnect: Object.assign({ initialDelay: 500, maxDelay: 30000, factor: 2, jitter: 0.5 }, o.reconnect)
      };

      /** connecting | connected | reconnecting | disconnected */
      this.state = 'connecting';
      /** The transport of the current (or, while reconnecting, the last) connection. */
      this.transport = null;
      /** The session id: a secret, whoever has it reads the session. */
      this.session = null;

      this._listeners = new Map();
      this._resumable = true;      // false: open a new session, do not name the old one
      this._lastSeq = 0;           // the last seq delivered
      this._ackedSeq = 0;          // the last seq acknowledged
      this._expectedJump = 0;      // a seq jump the server announced with missed
      this._ackTimer = null;
      this._pollCursor = null;
      this._subs = new Map();      // channel or pattern -> entry
      this._offsets = new Map();   // concrete subscribed channel -> last offset seen
      this._recent = new Set();    // recent message ids
      this._pending = new Map();   // request id -> request
      this._outbox = [];           // client frames not yet handed to a connection
      this._nextId = 1;
      this._conn = null;
      this._probe = null;          // a better transport being tried while connected
      this._fallbackIndex = 0;
      this._attempt = 0;
      this._everConnected = false;
      this._timer = null;
      this._bestTimer = null;
      this._closed = false;
      this._tokenTimer = null;
      this._tokenFetch = null;

      if (this._getToken && this.token === null) {
        this._renewToken().then(() => this._open(0, false), (err) => this._tokenFailed(err, 0));
      } else {
        this._scheduleTokenRefresh();
        this._open(0, false);
      }
    }

    // ------------------------------------------------------------ public API

    /** Listens to 'state', 'transport', 'gap' or 'error'; returns a function that stops it. */
    on(type, fn) {
      if (typeof fn !== 'function') {
        throw new TypeError('Halley.on: a listener must be a function');
      }
      if (!this._listeners.has(type)) {
        this._listeners.set(type, new Set());
      }
      this._listeners.get(type).add(fn);
      return () => this.off(type, fn);
    }

    off(type, fn) {
      const set = this._listeners.get(type);
      if (set) {
        set.delete(fn);
      }
    }

    /**
     * Subscribes fn to a channel or pattern; fn gets {channel, data, offset, id, seq, ts}.
     * options.recover = {offset}: first get the channel's messages after that offset.
     */
    subscribe(channel, fn, options) {
      if (typeof channel !== 'string' || !channel) {
        throw new TypeError('Halley.subscribe: a channel name is required');
      }
      if (typeof fn !== 'function') {
        throw new TypeError('Halley.subscribe: a listener function is required');
      }
      if (this._closed) {
        throw halleyError('closed', 'this Halley connection is closed');
      }
      let entry = this._subs.get(channel);
      if (!entry) {
        entry = { channel, listeners: new Set(), subscribed: false, settled: false };
        entry.ready = new Promise((resolve, reject) => {
          entry.resolve = resolve;
          entry.reject = reject;
        });
        entry.ready.catch(() => {}); // a failure is also an 'error' event
        this._subs.set(channel, entry);
        const recover = options && options.recover;
        if (recover && typeof recover.offset === 'number' && isConcrete(channel)) {
          this._offsets.set(channel, recover.offset);
        }
        this._request(this._subscribeFrame(entry), 'subscribe', entry).catch(() => {});
      }
      const sub = new Subscription(this, entry, fn);
      entry.listeners.add(sub);
      return sub;
    }

    /** Publishes data (any JSON value); resolves with the message id, rejects with an Error with code. */
    publish(channel, data) {
      if (this._closed) {
        return Promise.reject(halleyError('closed', 'this Halley connection is closed'));
      }
      if (typeof channel !== 'string' || !channel) {
        return Promise.reject(halleyError('missing_channel', 'a channel name is required'));
      }
      const frame = { type: 'publish', id: this._nextId++, channel, data: data === undefined ? null : data };
      try {
        JSON.stringify(frame);
      } catch (e) {
        return Promise.reject(halleyError('invalid_json', 'the data is not JSON: ' + e.message));
      }
      return this._request(frame, 'publish', null);
    }

    /**
     * Replaces the token: the server renews the session's identity with it at once,
     * without reconnecting (an auth frame); reconnects use it too. Resolves with
     * {expiresAt}, rejects with an Error with code (unauthorized, forbidden).
     */
    setToken(token) {
      if (this._closed) {
        return Promise.reject(halleyError('closed', 'this Halley connection is closed'));
      }
      this.token = String(token);
      this._scheduleTokenRefresh();
      return this._request({ type: 'auth', id: this._nextId++, token: this.token }, 'auth', null);
    }

    /** Asks the server for its time: resolves with {time}. */
    ping() {
      if (this._closed) {
        return Promise.reject(halleyError('closed', 'this Halley connection is closed'));
      }
      return this._request({ type: 'ping', id: this._nextId++ }, 'ping', null);
    }

    /** Ends the session for good. */
    close() {
      if (this._closed) {
        return;
      }
      const c = this._conn;
      if (c && c.established && this.session) {
        try {
          c.goodbye();
        } catch (e) {
          // best effort: the session expires anyway
        }
      }
      this._terminate(halleyError('closed', 'this Halley connection is closed'));
    }

    // ------------------------------------------------------------ events

    _emit(type, value) {
      const set = this._listeners.get(type);
      if (!set) {
        return;
      }
      for (const fn of Array.from(set)) {
        this._call(fn, value);
      }
    }

    _call(fn, value) {
      try {
        fn(value);
      } catch (e) {
        // a listener's bug must not break delivery to the others
        if (typeof root.reportError === 'function') {
          root.reportError(e);
        } else {
          this._env.setTimeout(() => { throw e; }, 0);
        }
      }
    }

    _setState(state) {
      if (this.state !== state) {
        this.state = state;
        this._emit('state', state);
      }
    }

    // ------------------------------------------------------------ requests

    _subscribeFrame(entry) {
      const frame = { type: 'subscribe', id: this._nextId++, channel: entry.channel };
      if (this._offsets.has(entry.channel)) {
        frame.recover = { offset: this._offsets.get(entry.channel) };
      }
      return frame;
    }

    _request(frame, kind, entry) {
      const request = { frame, kind, entry, sent: false, delivered: false, timer: null };
      const promise = new Promise((resolve, reject) => {
        request.resolve = resolve;
        request.reject = reject;
      });
      const key = String(frame.id);
      this._pending.set(key, request);
      if ((kind === 'publish' || kind === 'ping') && this._opts.requestTimeout > 0) {
        request.timer = this._env.setTimeout(() => {
          if (this._pending.get(key) === request) {
            this._pending.delete(key);
            this._outbox = this._outbox.filter((f) => f !== frame);
            request.reject(halleyError('timeout', 'no reply within ' + this._opts.requestTimeout + ' ms'));
          }
        }, this._opts.requestTimeout);
      }
      this._outbox.push(frame);
      this._flush();
      return promise;
    }

    _settle(request) {
      this._pending.delete(String(request.frame.id));
      if (request.timer) {
        this._env.clearTimeout(request.timer);
      }
    }

    _unsubscribe(entry, sub) {
      if (!entry.listeners.delete(sub) || entry.listeners.size || this._subs.get(entry.channel) !== entry) {
        return;
      }
      this._subs.delete(entry.channel);
      // A later subscribe to this channel is new: it must not recover from here.
      this._offsets.delete(entry.channel);
      if (!this._closed) {
        this._request({ type: 'unsubscribe', id: this._nextId++, channel: entry.channel }, 'unsubscribe', entry)
          .catch(() => {});
      }
    }

    _flush() {
      const c = this._conn;
      if (!c || !c.established || c.busy || !this._outbox.length || this._closed) {
        return;
      }
      const batch = this._outbox;
      this._outbox = [];
      for (const frame of batch) {
        const request = this._pending.get(String(frame.id));
        if (request && request.frame === frame) {
          request.sent = true;
        }
      }
      c.send(batch, (err) => this._sent(c, batch, err));
    }

    _sent(c, batch, err) {
      if (!err) {
        if (c.path) { // an HTTP 2xx: the server has these frames
          for (const frame of batch) {
            const request = this._pending.get(String(frame.id));
            if (request && request.frame === frame) {
              request.delivered = true;
            }
          }
        }
        if (c === this._conn) {
          this._flush();
        }
        return;
      }
      // The server looked at the frames and refused them: sending them again fails again.
      // (a 401 is the token: renewed and resent after a reconnect, not refused)
      const refused = err.status >= 400 && err.status < 500 && !err.sessionLost && err.status !== 404
        && err.status !== 401;
      const again = [];
      for (const frame of batch) {
        const request = this._pending.get(String(frame.id));
        if (frame.type === 'ack') {
          this._ackedSeq = Math.min(this._ackedSeq, frame.seq - 1);
        } else if (!request || request.frame !== frame) {
          continue;
        } else if (refused) {
          this._settle(request);
          this._rejected(request, err);
        } else if ((request.kind === 'publish' || request.kind === 'ping') && !err.status && !err.notSent) {
          // Lost on the way or not: sending it again could publish twice. Its reply comes
          // on resume, or it times out, or the session is lost.
        } else {
          request.sent = false;
          again.push(frame);
        }
      }
      this._outbox = again.concat(this._outbox);
      if (!refused && c === this._conn) {
        this._connFail(c, err);
      } else if (c === this._conn) {
        this._flush();
      }
    }

    _rejected(request, err) {
      if (request.kind === 'subscribe') {
        const entry = request.entry;
        if (this._subs.get(entry.channel) === entry) {
          this._subs.delete(entry.channel);
          this._offsets.delete(entry.channel);
          for (const sub of entry.listeners) {
            sub.closed = true;
          }
        }
        const e = halleyError(err.code, err.message, { channel: entry.channel });
        entry.settled = true;
        entry.reject(e);
        this._emit('error', e);
      } else {
        request.reject(err);
      }
    }

    // ------------------------------------------------------------ acks

    _scheduleAck() {
      const c = this._conn;
      if (!c || !c.established || c.acksByCursor) {
        return;
      }
      const unacked = this._lastSeq - this._ackedSeq;
      if (unacked >= ACK_FRAMES) {
        this._ack();
      } else if (unacked > 0 && !this._ackTimer) {
        this._ackTimer = this._env.setTimeout(() => {
          this._ackTimer = null;
          this._ack();
        }, ACK_DELAY);
      }
    }

    _ack() {
      if (this._ackTimer) {
        this._env.clearTimeout(this._ackTimer);
        this._ackTimer = null;
      }
      const c = this._conn;
      if (!c || !c.established || c.acksByCursor || this._lastSeq <= this._ackedSeq) {
        return;
      }
      this._ackedSeq = this._lastSeq;
      // one cumulative ack says it all
      this._outbox = this._outbox.filter((f) => f.type !== 'ack');
      this._outbox.push({ type: 'ack', seq: this._lastSeq });
      this._flush();
    }

    // ------------------------------------------------------------ tokens

    /** Fetches a token from getToken (one fetch at a time); resolves once this.token is set. */
    _renewToken() {
      if (!this._tokenFetch) {
        this._tokenFetch = Promise.resolve().then(() => this._getToken()).then((token) => {
          this._tokenFetch = null;
          if (typeof token !== 'string' || !token) {
            throw halleyError('unauthorized', 'getToken gave no token');
          }
          this.token = token;
          this._scheduleTokenRefresh();
        }, (err) => {
          this._tokenFetch = null;
          throw err && err.code ? err : halleyError('token_failed', 'getToken failed: ' + (err && err.message), { cause: err });
        });
      }
      return this._tokenFetch;
    }

    /** Renews the token before it expires, through getToken, without reconnecting. */
    _scheduleTokenRefresh() {
      if (this._tokenTimer) {
        this._env.clearTimeout(this._tokenTimer);
        this._tokenTimer = null;
      }
      const exp = tokenExpiry(this.token);
      if (!this._getToken || !exp || this._closed) {
        return;
      }
      const left = exp - this._env.now();
      const margin = Math.min(this._opts.tokenRefreshMargin, Math.max(0, left / 5));
      this._tokenTimer = this._env.setTimeout(() => {
        this._tokenTimer = null;
        this._renewToken().then(() => {
          if (!this._closed) {
            this._request({ type: 'auth', id: this._nextId++, token: this.token }, 'auth', null).catch((e) => {
              this._emit('error', e);
            });
          }
        }, (err) => {
          this._emit('error', err);
          // try again a little later, while the old token still holds
          if (!this._closed && !this._tokenTimer) {
            this._tokenTimer = this._env.setTimeout(() => {
              this._tokenTimer = null;
              this._scheduleTokenRefresh();
            }, Math.max(1000, this._backoff()));
          }
        });
      }, Math.max(0, left - margin));
    }

    /** getToken failed before a connection: try again after a pause, or give up without getToken. */
    _tokenFailed(err, index) {
      if (this._closed) {
        return;
      }
      this._emit('error', err);
      this._setState(this._everConnected ? 'reconnecting' : 'connecting');
      const delay = this._backoff();
      this._timer = this._env.setTimeout(() => {
        this._timer = null;
        if (this._closed || this._conn) {
          return;
        }
        this._renewToken().then(() => this._schedule(index, 0), (e) => this._tokenFailed(e, index));
      }, delay);
    }

    // ------------------------------------------------------------ connections

    _open(index, probe) {
      const name = this.transports[index];
      const resume = { session: this._resumable ? this.session : null, lastSeq: this._lastSeq, cursor: null };
      const pc = this._pollCursor;
      if (resume.session && pc && pc.session === resume.session && pc.seq === this._lastSeq) {
        resume.cursor = pc.cursor;
      }
      const c = new CONNECTIONS[name](this, resume);
      c.name = name;
      c.index = index;
      c.established = false;
      c.lastActivity = this._env.now();
      if (probe) {
        this._probe = c;
      } else {
        this._conn = c;
      }
      c.connectTimer = this._env.setTimeout(() => {
        this._connFail(c, halleyError('connect_timeout', name + ': no connected frame within '
          + this._opts.connectTimeout + ' ms', { silent: true }));
      }, this._opts.connectTimeout);
      try {
        c.open();
      } catch (e) {
        this._env.setTimeout(() => this._connFail(c, halleyError('refused', e.message, { cause: e })), 0);
      }
    }

    _drop(c) {
      c.dead = true;
      this._env.clearTimeout(c.connectTimer);
      this._env.clearTimeout(c.watchTimer);
      try {
        c.close();
      } catch (e) {
        // it is gone either way
      }
    }

    _connAlive(c) {
      if (c === this._conn || c === this._probe) {
        c.lastActivity = this._env.now();
        c.pinged = false;
      }
    }

    _connInterrupted(c) {
      // an EventSource reconnecting by itself: the watchdog ends it if that fails
      if (c === this._conn && c.established) {
        this._setState('reconnecting');
      }
    }

    _connFrames(c, value) {
      const frames = Array.isArray(value) ? value : [value];
      for (const frame of frames) {
        if (c !== this._conn && c !== this._probe) {
          return;
        }
        this._connAlive(c);
        if (!frame || typeof frame !== 'object') {
          continue;
        }
        if (frame.type === 'connected') {
          this._connected(c, frame);
        } else if (c === this._conn && c.established) {
          this._frame(frame);
        }
      }
    }

    _connected(c, f) {
      this._env.clearTimeout(c.connectTimer);
      c.established = true;
      c.heartbeat = f.heartbeat > 0 ? f.heartbeat : DEFAULT_HEARTBEAT;
      c.deadAfter = c.pollsItself ? 0 : (this._opts.heartbeatTimeout || c.heartbeat * 2 + HEARTBEAT_MARGIN);
      if (c === this._probe) {
        const old = this._conn;
        this._probe = null;
        this._conn = c;
        if (old) {
          this._drop(old);
        }
      }
      this._attempt = 0;
      this._everConnected = true;
      const changed = this.transport !== c.name;
      this.transport = c.name;
      if (!f.resumed || f.session !== this.session || !this._resumable) {
        this._newSession(f.session);
      } else {
        if (f.missed > 0) {
          this._emit('error', halleyError('missed', f.missed + ' frames were given up before the resume',
            { from: this._lastSeq + 1, to: this._lastSeq + f.missed }));
          this._expectedJump = this._lastSeq + f.missed + 1;
        }
        this._resendUnanswered();
      }
      this._watch(c);
      this._setState('connected');
      if (changed) {
        this._emit('transport', c.name);
      }
      this._scheduleBest();
      this._flush();
      this._scheduleAck();
    }

    /** The server opened a new session: whatever the old one had in flight is lost. */
    _newSession(id) {
      const lost = this.session !== null;
      this.session = id;
      this._resumable = true;
      this._lastSeq = 0;
      this._ackedSeq = 0;
      this._expectedJump = 0;
      this._pollCursor = null;
      if (this._ackTimer) {
        this._env.clearTimeout(this._ackTimer);
        this._ackTimer = null;
      }
      const keep = [];
      for (const frame of this._outbox) {
        const request = this._pending.get(String(frame.id));
        if (request && request.frame === frame && !request.sent
            && (request.kind === 'publish' || request.kind === 'ping')) {
          keep.push(frame);
        }
      }
      for (const request of Array.from(this._pending.values())) {
        if (request.kind === 'subscribe' || request.kind === 'unsubscribe') {
          this._settle(request); // superseded by the subscribes below
        } else if (request.sent) {
          // Its reply went with the session: it may or may not have happened, and
          // publishing it again could publish it twice.
          this._settle(request);
          request.reject(halleyError('session_lost', 'the session was lost before the server replied'));
        }
      }
      const subscribes = [];
      for (const entry of this._subs.values()) {
        if (lost && entry.subscribed && !isConcrete(entry.channel)) {
          // history is per channel: a pattern cannot recover, so say there may be a hole
          this._emit('gap', { channel: entry.channel, from: null, to: null });
        }
        const frame = this._subscribeFrame(entry);
        const request = { frame, kind: 'subscribe', entry, sent: false, delivered: false, timer: null };
        request.resolve = request.reject = () => {};
        this._pending.set(String(frame.id), request);
        subscribes.push(frame);
      }
      this._outbox = subscribes.concat(keep);
    }

    /** On a resume: a subscribe or unsubscribe that may not have reached the server goes again. */
    _resendUnanswered() {
      const again = [];
      for (const request of this._pending.values()) {
        if ((request.kind === 'subscribe' || request.kind === 'unsubscribe') && request.sent && !request.delivered) {
          request.sent = false;
          again.push(request.frame);
        }
      }
      this._outbox = again.concat(this._outbox);
    }

    _frame(f) {
      if (typeof f.seq === 'number') {
        if (f.seq <= this._lastSeq) {
          return; // sent again after a resume: already delivered
        }
        if (f.seq > this._lastSeq + 1 && f.seq > this._expectedJump) {
          this._emit('error', halleyError('missed', 'frames ' + (this._lastSeq + 1) + ' to ' + (f.seq - 1)
            + ' were given up by the server', { from: this._lastSeq + 1, to: f.seq - 1 }));
        }
        this._lastSeq = f.seq;
        this._scheduleAck();
      }
      switch (f.type) {
        case 'message':
          this._message(f);
          break;
        case 'reply':
          this._reply(f);
          break;
        case 'gap':
          this._emit('gap', { channel: f.channel, from: f.from, to: f.to });
          break;
        case 'unsubscribed':
          this._revoked(f);
          break;
        case 'close':
          this._closeFrame(f);
          break;
        case 'error': {
          const e = f.error && typeof f.error === 'object' ? f.error : f;
          this._emit('error', halleyError(typeof e.code === 'string' ? e.code
            : (typeof f.error === 'string' ? f.error : 'error'), e.message || 'error from the server'));
          break;
        }
        default:
          break; // heartbeat, and frames of later versions
      }
    }

    /** The server ended a subscription (its permission was revoked): it will not come back by itself. */
    _revoked(f) {
      const entry = this._subs.get(f.channel);
      if (entry) {
        this._subs.delete(f.channel);
        this._offsets.delete(f.channel);
        for (const sub of entry.listeners) {
          sub.closed = true;
        }
      }
      const code = typeof f.code === 'string' ? f.code : 'forbidden';
      const info = { channel: f.channel, code, message: f.message || 'the subscription was ended by the server' };
      this._emit('unsubscribed', info);
      this._emit('error', halleyError(code, info.message, { channel: f.channel }));
    }

    _message(f) {
      if (f.id !== undefined && f.id !== null) {
        const key = f.channel + '\u0000' + f.id;
        if (this._recent.has(key)) {
          return;
        }
        this._recent.add(key);
        if (this._recent.size > RECENT_IDS) {
          this._recent.delete(this._recent.values().next().value);
        }
      }
      if (typeof f.offset === 'number' && this._subs.has(f.channel)) {
        this._offsets.set(f.channel, f.offset);
      }
      const msg = { channel: f.channel, data: f.data, offset: f.offset, id: f.id, seq: f.seq, ts: f.ts };
      if (f.encoding) {
        msg.encoding = f.encoding;
      }
      for (const entry of Array.from(this._subs.values())) {
        if (typeof f.channel === 'string' && matches(entry.channel, f.channel)) {
          for (const sub of Array.from(entry.listeners)) {
            if (!sub.closed) {
              this._call(sub._fn, msg);
            }
          }
        }
      }
    }

    _reply(f) {
      const request = this._pending.get(String(f.id));
      if (!request) {
        return; // a ping of the watchdog, or a reply already settled
      }
      this._settle(request);
      if (!f.ok) {
        const e = f.error || {};
        this._rejected(request, halleyError(e.code || 'error', e.message || 'refused by the server'));
        return;
      }
      const result = f.result || {};
      if (request.kind === 'subscribe') {
        const entry = request.entry;
        if (this._subs.get(entry.channel) === entry) {
          entry.subscribed = true;
          if (typeof result.offset === 'number' && isConcrete(entry.channel) && !this._offsets.has(entry.channel)) {
            this._offsets.set(entry.channel, result.offset);
          }
        }
        if (!entry.settled) {
          entry.settled = true;
          entry.resolve(result);
        }
      } else if (request.kind === 'publish') {
        request.resolve(result.id);
      } else {
        request.resolve(result);
      }
    }

    _closeFrame(f) {
      const c = this._conn;
      const reason = typeof f.reason === 'string' ? f.reason : 'closed';
      this._conn = null;
      this._drop(c);
      if (reason === 'replaced' && this._probe) {
        // our own better transport took the session over
        this._fallbackIndex = c.index;
        return;
      }
      const err = halleyError(reason, 'the server closed the connection: ' + reason, { reconnect: !!f.reconnect });
      this._emit('error', err);
      if (f.reconnect || reason === 'slow_consumer' || reason === 'expired') {
        // the session has ended (or will not resume): start a new one and recover
        if (!f.reconnect || reason === 'shutdown') {
          this._resumable = false;
        }
        this._afterFailure(c, err);
      } else {
        this._terminate(err);
      }
    }

    _connFail(c, err) {
      if (this._closed) {
        return;
      }
      if (c === this._probe) {
        this._probe = null;
        this._drop(c);
        if (this._conn) {
          this._nextProbe(c.index + 1);
        } else {
          // the old connection went away while the probe was on its way
          this._afterFailure({ index: this._fallbackIndex, established: true, name: this.transport }, err);
        }
        return;
      }
      if (c !== this._conn) {
        return;
      }
      this._conn = null;
      this._drop(c);
      if (this._probe) {
        this._fallbackIndex = c.index;
        this._setState('reconnecting');
        return;
      }
      this._afterFailure(c, err);
    }

    _afterFailure(c, err) {
      if (this._closed) {
        return;
      }
      if (err.code === 'replaced') {
        // another connection (not ours) resumed the session: it is theirs now
        this._terminate(err);
        return;
      }
      if (err.code === 'unauthorized' || err.code === 'token_expired' || err.code === 'forbidden') {
        this._clearBest();
        if (!this._getToken || err.code === 'forbidden') {
          // the same credentials would be refused again
          if (err.code !== 'token_expired') {
            this._emit('error', err);
          }
          this._terminate(err);
          return;
        }
        // a fresh token, then the same transport: the session resumes
        this._setState(this._everConnected ? 'reconnecting' : 'connecting');
        const index = c.index;
        const delay = err.code === 'token_expired' ? 0 : this._backoff();
        this._timer = this._env.setTimeout(() => {
          this._timer = null;
          if (this._closed || this._conn) {
            return;
          }
          this._renewToken().then(() => this._schedule(index, 0), (e) => this._tokenFailed(e, index));
        }, delay);
        return;
      }
      this._clearBest();
      this._setState(this._everConnected ? 'reconnecting' : 'connecting');
      if (err.sessionLost && this._resumable) {
        // the session has ended: the same transport again, for a new session
        this._resumable = false;
        this._schedule(c.index, 0);
        return;
      }
      let next = c.index;
      let delay = 0;
      if (c.established && !err.silent) {
        // a transport that worked broke: try it again after a pause
        delay = this._backoff();
      } else {
        // refused, or silent: the next transport, and a pause after the last one
        this._emit('error', halleyError('transport_failed', c.name + ' failed: ' + err.message,
          { transport: c.name, cause: err }));
        next = c.index + 1;
        if (next >= this.transports.length) {
          next = 0;
          delay = this._backoff();
        }
      }
      this._schedule(next, delay);
    }

    _backoff() {
      return backoffDelay(this._attempt++, this._opts.reconnect, this._env.random);
    }

    _schedule(index, delay) {
      if (this._timer) {
        this._env.clearTimeout(this._timer);
      }
      this._timer = this._env.setTimeout(() => {
        this._timer = null;
        if (!this._closed && !this._conn) {
          this._open(index, false);
        }
      }, delay);
    }

    /** A connection that stays silent longer than its heartbeat allows is dead. */
    _watch(c) {
      this._env.clearTimeout(c.watchTimer);
      if (!c.deadAfter || c !== this._conn) {
        return;
      }
      const idle = this._env.now() - c.lastActivity;
      if (idle >= c.deadAfter) {
        this._connFail(c, halleyError('silent', c.name + ': nothing received for ' + idle + ' ms', { silent: true }));
        return;
      }
      let next = c.deadAfter - idle;
      // half a heartbeat later than the server's own, so that it usually comes first
      const pingAfter = c.heartbeat * 1.5;
      if (c.pingWhenIdle && !c.pinged) {
        if (idle >= pingAfter) {
          c.pinged = true;
          // its reply is a frame like any other, which is all the watchdog needs
          this._outbox.push({ type: 'ping', id: this._nextId++ });
          this._flush();
        } else {
          next = Math.min(next, pingAfter - idle);
        }
      }
      c.watchTimer = this._env.setTimeout(() => this._watch(c), Math.max(next, 10));
    }

    _scheduleBest() {
      const c = this._conn;
      if (c && c.index > 0 && this._opts.retryBestAfter > 0 && !this._bestTimer && !this._probe) {
        this._bestTimer = this._env.setTimeout(() => {
          this._bestTimer = null;
          this._nextProbe(0);
        }, this._opts.retryBestAfter);
      }
    }

    _clearBest() {
      if (this._bestTimer) {
        this._env.clearTimeout(this._bestTimer);
        this._bestTimer = null;
      }
    }

    /** Tries the better transports, best first, while the current one carries on. */
    _nextProbe(index) {
      const c = this._conn;
      if (this._closed || !c || !c.established || this._probe) {
        return;
      }
      if (index >= c.index) {
        this._scheduleBest();
        return;
      }
      this._open(index, true);
    }

    _terminate(err) {
      this._closed = true;
      for (const t of [this._timer, this._bestTimer, this._ackTimer, this._tokenTimer]) {
        if (t) {
          this._env.clearTimeout(t);
        }
      }
      this._timer = this._bestTimer = this._ackTimer = this._tokenTimer = null;
      for (const c of [this._conn, this._probe]) {
        if (c) {
          this._drop(c);
        }
      }
      this._conn = this._probe = null;
      for (const request of Array.from(this._pending.values())) {
        this._settle(request);
        request.reject(err);
      }
      for (const entry of this._subs.values()) {
        if (!entry.settled) {
          entry.settled = true;
          entry.reject(err);
        }
      }
      this._outbox = [];
      this._setState('disconnected');
    }
  }

  const Halley = {
    version: VERSION,
    transports: TRANSPORTS.slice(),
    states: STATES.slice(),
    /** Connects to a Halley server: see the top of this file. */
    connect(options) {
      return new Client(options);
    },
    // for the library's own tests
    _internal: { backoffDelay, matches, isConcrete }
  };
  Object.freeze(Halley);
  root.Halley = Halley;
})();
