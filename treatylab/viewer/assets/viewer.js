// treatylab run viewer: lays out the embedded JSON document. Every transcript text goes in
// through textContent (never innerHTML), so a statement holding markup shows as text.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("run-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var STAGES = ["prepare", "open", "clarify", "bargain", "draft", "finalize", "implement"];
  var STAGE_TITLE = {prepare: "Prepare", open: "Open", clarify: "Clarify", bargain: "Bargain",
    draft: "Draft", finalize: "Finalise", implement: "Implement"};
  var PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
  var events = D.events;
  var names = {mediator: "Mediator", protocol: "Protocol"};
  var colour = {mediator: "#111"};
  D.parties.forEach(function (p, i) { names[p.id] = p.name; colour[p.id] = PALETTE[i % PALETTE.length]; });
  var optionLabel = {};
  D.issues.forEach(function (issue) {
    issue.options.forEach(function (o) { optionLabel[issue.id + "/" + o.id] = o.label; });
  });
  var reveal = {};  // party id (or "mediator") -> true when its private material is shown
  var pos = 0;      // index into events

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function fmt(v) {
    if (v === null || v === undefined) return "n/a";
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(3);
    return String(v);
  }

  // -- visibility ------------------------------------------------------------------------
  function shown(ev) {
    if (ev.vis === "public") return true;
    if (reveal[ev.actor]) return true;
    if (ev.vis === "caucus") return !!(reveal.mediator || (ev.to && reveal[ev.to]));
    return false;
  }
  function anyRevealed() { return Object.keys(reveal).some(function (k) { return reveal[k]; }); }

  // -- position and stepping -------------------------------------------------------------
  function indexOfSeq(seq) {
    for (var i = 0; i < events.length; i++) if (events[i].seq >= seq) return i;
    return events.length - 1;
  }
  function step(dir) {
    var i = pos + dir;
    while (i >= 0 && i < events.length && !shown(events[i])) i += dir;
    if (i >= 0 && i < events.length) go(i);
  }
  function first() { pos = -1; step(1); }
  function last() { pos = events.length; step(-1); }
  function go(i) {
    pos = Math.max(0, Math.min(events.length - 1, i));
    var hash = "#e=" + events[pos].seq;
    if (location.hash !== hash) {
      try { history.replaceState(null, "", hash); } catch (e) { location.replace(hash); }
    }
    render();
  }
  function fromHash() {
    var m = /e=(\d+)/.exec(location.hash || "");
    if (m) { pos = indexOfSeq(parseInt(m[1], 10)); render(); } else { first(); }
  }

  // -- header, branch banner, timeline ---------------------------------------------------
  function header() {
    var h = document.getElementById("head");
    h.appendChild(el("h1", null, D.meta.title));
    var meta = el("span", "meta", "mediator: " + D.meta.mediator + " · seed " + D.meta.seed +
      " · " + D.meta.backends + " · run " + D.meta.run_id);
    h.appendChild(meta);
    var outcome = D.meta.status === "failed" ? "failed" : (D.meta.outcome || "");
    h.appendChild(el("span", "badge " + outcome, outcome));
    if (D.meta.recorded_from) h.title = "Recorded from " + D.meta.recorded_from;
  }
  function branchBanner() {
    var b = D.branch, box = document.getElementById("branch");
    if (!b) { box.remove(); return; }
    box.appendChild(el("strong", null, "What-if branch"));
    box.appendChild(el("span", null, " of " + b.parent_run + ": events before seq " + b.at +
      " replayed from the parent; from there on " + b.changes + "."));
    var t = el("table"), head = el("tr");
    ["", "parent", "branch"].forEach(function (x) { head.appendChild(el("th", null, x)); });
    t.appendChild(head);
    b.rows.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("th", null, r[0])); tr.appendChild(el("td", null, r[1])); tr.appendChild(el("td", null, r[2]));
      t.appendChild(tr);
    });
    box.appendChild(t);
  }
  var segments = [];
  function buildTimeline() {
    var bar = document.getElementById("timeline");
    STAGES.forEach(function (stage) {
      var idx = [];
      events.forEach(function (ev, i) { if (ev.stage === stage) idx.push(i); });
      if (!idx.length) return;
      var byRound = stage === "bargain" || stage === "implement";
      if (!byRound) { segments.push({label: STAGE_TITLE[stage], stage: stage, first: idx[0], last: idx[idx.length - 1], cls: "stage"}); return; }
      var rounds = [];
      idx.forEach(function (i) { if (rounds.indexOf(events[i].round) < 0) rounds.push(events[i].round); });
      rounds.forEach(function (r, k) {
        var inRound = idx.filter(function (i) { return events[i].round === r; });
        var label = (k === 0 ? STAGE_TITLE[stage] + " " : "") + (stage === "bargain" ? "R" : "P") + r;
        segments.push({label: label, stage: stage, round: r, first: inRound[0], last: inRound[inRound.length - 1],
          cls: k === 0 ? "stage" : ""});
      });
    });
    segments.forEach(function (s) {
      var button = el("button", "seg " + s.cls, s.label);
      button.type = "button";
      button.setAttribute("data-stage", s.stage);
      if (s.round !== undefined) button.setAttribute("data-round", s.round);
      button.title = "Jump to " + s.label;
      if (D.branch && events[s.first].seq <= D.branch.at && events[s.last].seq >= D.branch.at) button.className += " branchpoint";
      button.addEventListener("click", function () { pos = s.first - 1; step(1); });
      s.node = button;
      bar.appendChild(button);
    });
  }

  // -- privacy toggle --------------------------------------------------------------------
  function buildReveal() {
    var box = document.getElementById("reveal");
    var ids = ["all"].concat(D.parties.map(function (p) { return p.id; }), ["mediator"]);
    ids.forEach(function (id) {
      var label = el("label"), box2 = el("input");
      box2.type = "checkbox"; box2.id = "reveal-" + id; box2.value = id;
      label.appendChild(box2);
      label.appendChild(document.createTextNode(" " + (id === "all" ? "all" : names[id])));
      box.appendChild(label);
      box2.addEventListener("change", function () {
        if (id === "all") {
          ids.forEach(function (x) { if (x !== "all") { reveal[x] = box2.checked; document.getElementById("reveal-" + x).checked = box2.checked; } });
        } else { reveal[id] = box2.checked; }
        document.body.classList.toggle("revealing", anyRevealed());
        render();
      });
    });
  }

  // -- the current event and the log -----------------------------------------------------
  function where(ev) {
    var s = STAGE_TITLE[ev.stage];
    if (ev.stage === "bargain") s += ", round " + ev.round;
    if (ev.stage === "implement") s += ", period " + ev.round;
    return "#" + ev.seq + " · " + s + " · " + ev.kind.replace(/_/g, " ");
  }
  function privateTag(ev) {
    return ev.vis === "public" ? null : el("span", "private-tag",
      ev.vis === "caucus" ? "confidential to " + (ev.actor === "mediator" ? names[ev.to] || ev.to : "the mediator") : "private");
  }
  function packageTable(ev) {
    var t = el("table", "pkg"), head = el("tr");
    head.appendChild(el("th", null, "issue")); head.appendChild(el("th", null, "option"));
    t.appendChild(head);
    D.issues.forEach(function (issue) {
      var tr = el("tr");
      tr.appendChild(el("td", null, issue.title));
      tr.appendChild(el("td", null, optionLabel[issue.id + "/" + ev.package[issue.id]] || ev.package[issue.id]));
      t.appendChild(tr);
    });
    if (ev.points) {
      var pts = el("tr");
      pts.appendChild(el("th", null, "points"));
      var cell = el("td");
      D.parties.forEach(function (p) {
        var span = el("span", ev.points[p.id] < currentReservation(p.id, ev.round) ? "below" : null,
          names[p.id] + " " + ev.points[p.id] + "  ");
        span.title = "walk-away " + currentReservation(p.id, ev.round);
        cell.appendChild(span);
      });
      pts.appendChild(cell);
      t.appendChild(pts);
    }
    return t;
  }
  function notesFor(ev, into) {
    (D.annotations[String(ev.seq)] || []).forEach(function (n) {
      var box = el("div", "note", n);
      box.setAttribute("data-seq", ev.seq);
      into.appendChild(box);
    });
  }
  function renderCurrent() {
    var box = clear(document.getElementById("current-body")), ev = events[pos];
    box.setAttribute("data-seq", ev.seq);
    box.appendChild(el("div", "where", where(ev)));
    var who = el("div", "who", names[ev.actor] || ev.actor);
    if (ev.decision) who.appendChild(document.createTextNode(" — " + ev.decision.replace(/_/g, " ")));
    if (ev.result) who.appendChild(document.createTextNode(" — " + ev.result.toUpperCase()));
    if (ev.move) who.appendChild(document.createTextNode(" — " + ev.move.replace(/_/g, " ")));
    box.appendChild(who);
    if (!shown(ev)) {
      box.appendChild(el("div", "hidden-line", "Private material — reveal it with the private toggle above."));
    } else {
      var text = el("div", "text" + (ev.vis === "public" ? "" : " private-box"));
      var tag = privateTag(ev);
      if (tag) text.appendChild(tag);
      text.appendChild(document.createTextNode(ev.text || ""));
      box.appendChild(text);
      if (ev.package) box.appendChild(packageTable(ev));
      if (ev.responses) {
        box.appendChild(el("div", "where", "answers: " + Object.keys(ev.responses).map(function (r) { return r + " " + ev.responses[r]; }).join(", ")));
      }
    }
    notesFor(ev, box);
  }
  function renderLog() {
    var log = clear(document.getElementById("log")), now = null;
    for (var i = 0; i <= pos; i++) {
      var ev = events[i], row = el("div", "row" + (i === pos ? " now" : ""));
      row.setAttribute("data-seq", ev.seq);
      row.appendChild(el("span", "seq", ev.seq));
      row.appendChild(el("span", "actor", (names[ev.actor] || ev.actor) + ":"));
      if (shown(ev)) {
        var tag = privateTag(ev);
        if (tag) row.appendChild(tag);
        row.appendChild(document.createTextNode(ev.text || (ev.kind.replace(/_/g, " "))));
      } else {
        row.appendChild(el("span", "hidden-line", ev.vis === "caucus" ? "confidential message (hidden)" : (ev.kind === "private_note" ? "private note" : ev.kind.replace(/_/g, " ")) + " (hidden)"));
      }
      notesFor(ev, row);
      (function (k) { row.addEventListener("click", function () { go(k); }); })(i);
      log.appendChild(row);
      if (i === pos) now = row;
    }
    if (now) log.scrollTop = now.offsetTop - log.offsetTop - log.clientHeight + now.clientHeight + 20;
  }
  function renderBriefs() {
    var box = clear(document.getElementById("briefs-body")), any = false;
    D.parties.forEach(function (p) {
      if (!reveal[p.id]) return;
      any = true;
      var div = el("div", "brief private-box");
      div.appendChild(el("span", "private-tag", "confidential brief"));
      div.appendChild(el("strong", null, p.name + " (walk-away " + p.reservation + "): "));
      div.appendChild(document.createTextNode(p.brief));
      box.appendChild(div);
    });
    document.getElementById("briefs").hidden = !any;
  }

  // -- charts ----------------------------------------------------------------------------
  function currentReservation(party, round) {
    var value = null;
    (D.reservations[party] || []).forEach(function (s) { if (s[0] <= round) value = s[1]; });
    return value;
  }
  function renderPoints() {
    var box = clear(document.getElementById("points-body"));
    var seq = events[pos].seq, maxRound = Math.max(D.meta.rounds || 1, D.meta.max_rounds || 1, 1);
    var W = 240, H = 150, L = 28, B = 20, T = 8, R = 8;
    function x(r) { return L + (r - 0.5) / maxRound * (W - L - R); }
    function y(v) { return T + (100 - v) / 100 * (H - T - B); }
    D.parties.forEach(function (p) {
      var card = el("div", "chart");
      card.appendChild(el("h3", null, p.name));
      var s = svg("svg", {viewBox: "0 0 " + W + " " + H, width: "100%", role: "img",
        "aria-label": p.name + ": points of each offer over the rounds"});
      s.appendChild(svg("rect", {x: L, y: T, width: W - L - R, height: H - T - B, fill: "#fff", stroke: "#bbb"}));
      [0, 50, 100].forEach(function (v) {
        var t = svg("text", {x: L - 4, y: y(v) + 4, "text-anchor": "end", "font-size": 10, fill: "#555"}); t.textContent = v; s.appendChild(t);
      });
      for (var r = 1; r <= maxRound; r++) {
        var t = svg("text", {x: x(r), y: H - 6, "text-anchor": "middle", "font-size": 10, fill: "#555"}); t.textContent = "R" + r; s.appendChild(t);
      }
      var steps = D.reservations[p.id] || [], d = "";
      steps.forEach(function (st, k) {  // a step line: level until the shock's round, then the new level
        var x0 = k === 0 ? L : x(st[0]) - (W - L - R) / maxRound / 2;
        d += k === 0 ? "M" + x0 + "," + y(st[1]) : "H" + x0 + "V" + y(st[1]);
      });
      d += "H" + (W - R);
      s.appendChild(svg("path", {d: d, stroke: "#b00020", "stroke-width": 2, "stroke-dasharray": "5,3", fill: "none"}));
      var wl = svg("text", {x: W - R - 2, y: y(steps.length ? steps[0][1] : 0) - 3, "text-anchor": "end", "font-size": 9, fill: "#b00020"});
      wl.textContent = "walk-away"; s.appendChild(wl);
      var jitter = {};
      D.offers.forEach(function (o) {
        if (o.seq > seq) return;
        var k = o.round + "/" + o.proposer, n = jitter[o.round] = (jitter[o.round] || 0) + 1;
        var cx = x(o.round) + (n - 3) * 3, cy = y(o.points[p.id]);
        var mark = o.proposer === "mediator"
          ? svg("rect", {x: cx - 5, y: cy - 5, width: 10, height: 10, fill: "#111"})
          : svg("circle", {cx: cx, cy: cy, r: 4.5, fill: colour[o.proposer], stroke: "#fff"});
        var title = svg("title"); title.textContent = (names[o.proposer] || o.proposer) + ", round " + o.round + ": " + o.points[p.id] + " points";
        mark.appendChild(title); mark.setAttribute("data-ref", k);
        s.appendChild(mark);
      });
      var done = events.slice(0, pos + 1).some(function (e) { return e.kind === "outcome" && e.result === "agreement"; });
      if (done && D.space.agreement.points) {
        s.appendChild(svg("line", {x1: L, x2: W - R, y1: y(D.space.agreement.points[p.id]), y2: y(D.space.agreement.points[p.id]), stroke: "#1b7f3b", "stroke-width": 2}));
      }
      card.appendChild(s);
      box.appendChild(card);
    });
    var legend = clear(document.getElementById("points-legend"));
    D.parties.concat([{id: "mediator", name: "Mediator's text (square)"}]).forEach(function (p) {
      var span = el("span"), sw = el("span", "swatch");
      sw.style.background = colour[p.id];
      span.appendChild(sw); span.appendChild(document.createTextNode(p.name));
      legend.appendChild(span);
    });
    legend.appendChild(el("span", null, "dashed red: walk-away · green: agreement"));
  }
  function renderSpace() {
    var a = document.getElementById("party-a").value, b = document.getElementById("party-b").value;
    var box = clear(document.getElementById("space-body"));
    var key = a + "|" + b, swap = false, pair = D.space.pairs[key];
    if (!pair) { pair = D.space.pairs[b + "|" + a]; swap = true; }
    if (!pair) { box.appendChild(el("p", null, "Pick two different parties.")); return; }
    function xy(p) { return swap ? [p[1], p[0]] : p; }
    var W = 420, H = 320, L = 40, B = 36, T = 10, R = 10;
    function X(v) { return L + v / 100 * (W - L - R); }
    function Y(v) { return T + (100 - v) / 100 * (H - T - B); }
    var s = svg("svg", {viewBox: "0 0 " + W + " " + H, width: "100%", role: "img", "aria-label": "outcome space"});
    s.appendChild(svg("rect", {x: L, y: T, width: W - L - R, height: H - T - B, fill: "#fff", stroke: "#bbb"}));
    pair.cloud.forEach(function (p) { p = xy(p); s.appendChild(svg("circle", {cx: X(p[0]), cy: Y(p[1]), r: 1.6, fill: "#c8c8c8"})); });
    pair.pareto.forEach(function (p) { p = xy(p); s.appendChild(svg("circle", {cx: X(p[0]), cy: Y(p[1]), r: 2.4, fill: "#6baed6"})); });
    var front = pair.front.map(xy).sort(function (u, v) { return u[0] - v[0]; });
    s.appendChild(svg("polyline", {points: front.map(function (p) { return X(p[0]) + "," + Y(p[1]); }).join(" "), fill: "none", stroke: "#0b5cad", "stroke-width": 2}));
    var ra = currentReservation(a, 99), rb = currentReservation(b, 99);
    s.appendChild(svg("line", {x1: X(ra), x2: X(ra), y1: T, y2: H - B, stroke: "#b00020", "stroke-dasharray": "5,3"}));
    s.appendChild(svg("line", {x1: L, x2: W - R, y1: Y(rb), y2: Y(rb), stroke: "#b00020", "stroke-dasharray": "5,3"}));
    function marker(points, shape, fill, label) {
      if (!points) return;
      var cx = X(points[a]), cy = Y(points[b]), m;
      if (shape === "diamond") m = svg("polygon", {points: [cx, cy - 8, cx + 8, cy, cx, cy + 8, cx - 8, cy].join(","), fill: fill, stroke: "#000"});
      else m = svg("circle", {cx: cx, cy: cy, r: 7, fill: fill, stroke: "#000", "stroke-width": 1.5});
      var t = svg("title"); t.textContent = label + ": " + names[a] + " " + points[a] + ", " + names[b] + " " + points[b];
      m.appendChild(t); s.appendChild(m);
      var lab = svg("text", {x: cx + 10, y: cy - 6, "font-size": 12, fill: "#000", "font-weight": 700}); lab.textContent = label; s.appendChild(lab);
    }
    marker(D.space.nash.points, "diamond", "#ffcc00", "Nash");
    marker(D.space.agreement.points, "circle", "#1b7f3b", "agreement");
    var xl = svg("text", {x: (L + W) / 2, y: H - 6, "text-anchor": "middle", "font-size": 13}); xl.textContent = names[a] + " points"; s.appendChild(xl);
    var yl = svg("text", {x: 12, y: (T + H - B) / 2, "text-anchor": "middle", "font-size": 13, transform: "rotate(-90 12 " + (T + H - B) / 2 + ")"}); yl.textContent = names[b] + " points"; s.appendChild(yl);
    box.appendChild(s);
    box.appendChild(el("div", "legend", "grey: every package (" + D.space.packages + ") · blue: the " + D.space.frontier_size +
      " packages on the all-party Pareto frontier · line: the two-party frontier · dashed: walk-aways"));
  }
  function buildSpaceControls() {
    ["party-a", "party-b"].forEach(function (id, k) {
      var sel = document.getElementById(id);
      D.parties.forEach(function (p) { var o = el("option", null, p.name); o.value = p.id; sel.appendChild(o); });
      sel.value = D.parties[Math.min(k, D.parties.length - 1)].id;
      sel.addEventListener("change", renderSpace);
    });
  }
  function renderScorecard() {
    var t = clear(document.getElementById("scorecard-body"));
    D.scorecard.forEach(function (row) {
      var tr = el("tr"), name = el("td"), link = el("a", null, row.label);
      link.href = row.href; link.title = "formula in docs/metrics.md";
      name.appendChild(link);
      name.appendChild(el("div", "ex", row.explain));
      tr.appendChild(name); tr.appendChild(el("td", "v", fmt(row.value)));
      t.appendChild(tr);
    });
    var pay = el("tr"), td = el("td");
    td.appendChild(el("span", null, "points per party"));
    td.appendChild(el("div", "ex", "Each party's points for the outcome (its walk-away on breakdown), out of 100."));
    pay.appendChild(td);
    pay.appendChild(el("td", "v", D.parties.map(function (p) { return p.name.split(" ").pop() + " " + fmt(D.payoffs[p.id]); }).join(", ")));
    t.appendChild(pay);
  }

  function render() {
    var ev = events[pos];
    segments.forEach(function (s) {
      s.node.classList.toggle("now", pos >= s.first && pos <= s.last);
      s.node.classList.toggle("done", pos > s.last);
    });
    document.getElementById("position").textContent = "event " + ev.seq + " of " + events[events.length - 1].seq;
    renderCurrent(); renderLog(); renderBriefs(); renderPoints();
  }

  header(); branchBanner(); buildTimeline(); buildReveal(); buildSpaceControls(); renderSpace(); renderScorecard();
  document.getElementById("btn-first").addEventListener("click", first);
  document.getElementById("btn-prev").addEventListener("click", function () { step(-1); });
  document.getElementById("btn-next").addEventListener("click", function () { step(1); });
  document.getElementById("btn-last").addEventListener("click", last);
  document.addEventListener("keydown", function (e) {
    if (e.target && (e.target.tagName === "SELECT" || e.target.tagName === "INPUT") && e.key !== "Home" && e.key !== "End") {
      if (e.target.tagName === "SELECT") return;
    }
    if (e.key === "ArrowRight") { step(1); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { step(-1); e.preventDefault(); }
    else if (e.key === "Home") { first(); e.preventDefault(); }
    else if (e.key === "End") { last(); e.preventDefault(); }
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
