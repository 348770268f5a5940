// gridlink pages: the review queue's keyboard shortcuts and its next-pair loading. Hand-written, no build.
// Every page works without this script (plain forms); with it, deciding a pair shows the next one at once.
(function () {
  'use strict';
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var review = document.getElementById('review');
  if (!review) return;

  var reason = review.getAttribute('data-reason') || '';
  var prefetched = null; // { item, html, remaining } for the pair after the one on screen
  var prefetching = null;
  var pending = 0; // decisions sent and not yet answered
  var lastDecisions = []; // ids of decisions taken on this page, newest last

  function pairEl() { return document.getElementById('pair'); }
  function currentItem() { var p = pairEl(); return p ? p.getAttribute('data-item') || '' : ''; }
  function statusEl() { var p = pairEl(); return p ? p.querySelector('.status') : null; }

  function say(text, isError) {
    var s = statusEl();
    var target = s || document.getElementById('remaining');
    if (!target) return;
    if (s) { s.textContent = text; s.className = 'status' + (isError ? ' error-text' : ''); }
    else if (isError) window.alert(text);
  }

  function api(method, url, body) {
    var headers = { 'accept': 'application/json', 'x-csrf-token': csrf };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(url, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          if (res.status === 401) { window.location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search); }
          if (!res.ok) throw new Error(data.error || ('请求失败（' + res.status + '）'));
          return data;
        });
      });
  }

  function showPair(html) {
    var old = pairEl();
    var holder = document.createElement('div');
    holder.innerHTML = html;
    var fresh = holder.firstElementChild;
    if (old && fresh) old.replaceWith(fresh);
    bindPair();
  }

  function setRemaining(n) {
    var el = document.getElementById('remaining');
    if (el && typeof n === 'number') { el.setAttribute('data-remaining', String(n)); el.textContent = '待复核 ' + n + ' 对'; }
  }

  function setRecent(html) {
    var old = document.getElementById('recent');
    if (!old || !html) return;
    var holder = document.createElement('div');
    holder.innerHTML = html;
    if (holder.firstElementChild) old.replaceWith(holder.firstElementChild);
    bindRecent();
  }

  function prefetch() {
    var item = currentItem();
    prefetched = null;
    if (!item) return;
    var url = '/api/review/next?exclude=' + encodeURIComponent(item) + (reason ? '&reason=' + encodeURIComponent(reason) : '');
    var p = prefetching = api('GET', url).then(function (data) {
      if (p === prefetching && currentItem() === item) prefetched = data;
    }).catch(function () { /* the decision's own answer brings the next pair */ });
  }

  function decideCurrent(verdict) {
    var item = currentItem();
    if (!item) return;
    var pair = pairEl();
    if (pair.classList.contains('busy')) return;
    var noteEl = pair.querySelector('textarea[name="note"]');
    var note = noteEl ? noteEl.value : '';
    var previousHtml = pair.outerHTML;
    var shownNext = null;
    if (prefetched && prefetched.item !== item) {
      // The next pair is already here: show it now, the decision is saved meanwhile.
      shownNext = prefetched;
      showPair(prefetched.html);
    } else {
      pair.classList.add('busy');
    }
    pending++;
    api('POST', '/api/review/items/' + encodeURIComponent(item) + '/decision', { verdict: verdict, note: note, reason: reason, exclude: shownNext && shownNext.item ? [shownNext.item] : [] })
      .then(function (data) {
        pending--;
        lastDecisions.push(data.decision.id);
        setRecent(data.recentHtml);
        if (!shownNext) showPair(data.next.html);
        setRemaining(data.next.remaining);
        say('已记录：' + ({ same: '是同一单位', different: '不是同一单位', skip: '跳过' })[verdict] + '（按 U 撤销）');
        prefetch();
      })
      .catch(function (err) {
        pending--;
        showPair(previousHtml);
        say(err.message, true);
        prefetch();
      });
  }

  function undoLast() {
    var id = lastDecisions.pop();
    var url = id ? '/api/review/decisions/' + encodeURIComponent(id) + '/undo' : '/api/review/undo-last';
    api('POST', url, { reason: reason })
      .then(function (data) {
        showPair(data.html);
        setRemaining(data.remaining);
        setRecent(data.recentHtml);
        say('已撤销上一个决定，可以重新判断。');
        prefetch();
      })
      .catch(function (err) { say(err.message, true); });
  }

  function bindPair() {
    var form = pairEl() && pairEl().querySelector('form.decide');
    if (!form) return;
    form.addEventListener('submit', function (event) {
      var button = event.submitter;
      if (!button || !button.value) return;
      event.preventDefault();
      decideCurrent(button.value);
    });
    var note = form.querySelector('textarea');
    if (note) note.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') { note.blur(); event.preventDefault(); }
    });
  }

  function bindRecent() {
    var forms = document.querySelectorAll('#recent form.undo-form');
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        var id = form.getAttribute('action').split('/')[3];
        lastDecisions = lastDecisions.filter(function (x) { return x !== id; });
        api('POST', '/api/review/decisions/' + encodeURIComponent(id) + '/undo', { reason: reason })
          .then(function (data) { showPair(data.html); setRemaining(data.remaining); setRecent(data.recentHtml); say('已撤销该决定，可以重新判断。'); prefetch(); })
          .catch(function (err) { say(err.message, true); });
      });
    });
  }

  document.addEventListener('keydown', function (event) {
    var t = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
    var key = event.key.toLowerCase();
    if (key === 's') decideCurrent('same');
    else if (key === 'd') decideCurrent('different');
    else if (key === 'k') decideCurrent('skip');
    else if (key === 'u') undoLast();
    else if (key === 'n') { var n = document.querySelector('#pair textarea[name="note"]'); if (n) n.focus(); }
    else return;
    event.preventDefault();
  });

  bindPair();
  bindRecent();
  prefetch();
})();
