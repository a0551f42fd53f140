// The Halley demo chat: one channel per room, demo.chat.<room>. Everything a user
// typed is put into the page with textContent, never as HTML.
(function () {
  'use strict';

  const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);

  const options = {};
  if (params.get('transports')) {
    options.transports = params.get('transports').split(',').map((t) => t.trim()).filter(Boolean);
  }
  if (params.get('token')) {
    options.token = params.get('token');
  }
  const halley = Halley.connect(options);
  // for a console or a headless browser driving the page
  window.halleyDemo = { halley };

  let room = null;
  let subscription = null;
  let nick = '';

  const stateEl = $('state');
  const transportEl = $('transport');
  const list = $('messages');

  function showState() {
    stateEl.textContent = halley.state;
    stateEl.dataset.state = halley.state;
    transportEl.textContent = halley.transport || '…';
  }
  halley.on('state', showState);
  halley.on('transport', showState);
  showState();

  function time(ms) {
    const d = new Date(typeof ms === 'number' ? ms : Date.now());
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  function append(li) {
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    list.appendChild(li);
    while (list.childElementCount > 500) {
      list.firstElementChild.remove();
    }
    if (atBottom) {
      list.scrollTop = list.scrollHeight;
    }
  }

  function notice(text) {
    const li = document.createElement('li');
    li.className = 'notice';
    li.textContent = '[' + time() + '] ' + text;
    append(li);
  }

  function show(msg) {
    const data = msg.data;
    const chat = data && typeof data === 'object' && !Array.isArray(data) ? data : null;
    const li = document.createElement('li');
    li.dataset.offset = String(msg.offset);
    const when = document.createElement('span');
    when.className = 'time';
    when.textContent = time(chat && typeof chat.ts === 'number' ? chat.ts : msg.ts);
    const who = document.createElement('span');
    who.className = 'nick';
    who.textContent = chat && typeof chat.nick === 'string' && chat.nick ? chat.nick : '(anonymous)';
    const what = document.createElement('span');
    what.className = 'text';
    what.textContent = chat && typeof chat.text === 'string' ? chat.text
      : (typeof data === 'string' ? data : JSON.stringify(data));
    if (chat && chat.nick === nick) {
      li.classList.add('mine');
    }
    li.append(when, who, what);
    append(li);
  }

  halley.on('gap', (gap) => {
    if (!room || !(gap.channel === room || gap.channel === 'demo.chat.' + room)) {
      return;
    }
    notice(gap.from === null
      ? 'some messages may have been missed while disconnected'
      : 'messages ' + gap.from + ' to ' + gap.to + ' could not be recovered');
  });

  halley.on('error', (err) => {
    console.warn('halley:', err.code, err.message);
    if (err.code === 'missed' || err.code === 'slow_consumer' || err.code === 'closed_by_admin') {
      notice('connection: ' + err.message);
    }
  });

  function join(newNick, newRoom) {
    if (!ROOM.test(newRoom)) {
      notice('a room name is 1 to 64 letters, digits, _ or -');
      return;
    }
    nick = newNick.trim().slice(0, 32);
    if (subscription && room === 'demo.chat.' + newRoom) {
      return;
    }
    if (subscription) {
      subscription.unsubscribe();
    }
    room = 'demo.chat.' + newRoom;
    list.replaceChildren();
    $('channel').textContent = room;
    subscription = halley.subscribe(room, show);
    subscription.ready.then(() => notice('joined ' + newRoom + ' as ' + nick),
      (err) => notice('could not join: ' + err.code));
    $('text').disabled = false;
    $('sendButton').disabled = false;
    $('text').focus();
    const url = new URL(location.href);
    url.searchParams.set('room', newRoom);
    history.replaceState(null, '', url);
    try {
      localStorage.setItem('halley.demo.nick', nick);
    } catch (e) {
      // private mode: the nickname is simply not remembered
    }
  }

  $('join').addEventListener('submit', (event) => {
    event.preventDefault();
    join($('nick').value, $('room').value.trim());
  });

  $('send').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('text');
    const text = input.value;
    if (!room || !text.trim()) {
      return;
    }
    input.value = '';
    halley.publish(room, { nick, text, ts: Date.now() })
      .catch((err) => notice('not sent (' + err.code + '): ' + text));
  });

  let savedNick = '';
  try {
    savedNick = localStorage.getItem('halley.demo.nick') || '';
  } catch (e) {
    // no storage
  }
  $('nick').value = params.get('nick') || savedNick || 'guest-' + Math.floor(Math.random() * 10000);
  $('room').value = params.get('room') || 'lobby';
  if (params.get('room')) {
    join($('nick').value, $('room').value);
  }
})();
