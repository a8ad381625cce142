// Site search over the static index written by xindelu/search.py (format described there).
// The core (fold, query) also runs under node for the tests; the page part runs in a browser.
(function (root) {
  "use strict";
  var PAIR = 2097152; // 2^21: a pair's key is c0 * PAIR + c1
  var PAGE = 10;
  var SPACES = [0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff];

  // The same folding as xindelu.search.normalize: full-width ASCII forms to ASCII, Latin
  // capitals to small, white space and control characters to a space; one unit for one.
  function foldCode(c) {
    if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
    if (c >= 0x41 && c <= 0x5a) return c + 32;
    if (c <= 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x2000 && c <= 0x200a) || SPACES.indexOf(c) >= 0) return 0x20;
    return c;
  }
  // Surrogates are left as they are, so folding code units equals folding code points.
  function fold(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) out += String.fromCharCode(foldCode(text.charCodeAt(i)));
    return out;
  }
  function parts(query) {
    return fold(query).split(" ").filter(function (p) { return p.length > 0; });
  }
  function codePoints(text) {
    return Array.from(text).map(function (ch) { return ch.codePointAt(0); });
  }
  function shardOf(codes, shards) {
    var h = 2166136261;
    for (var i = 0; i < codes.length; i++) h = Math.imul(h ^ codes[i], 16777619) >>> 0;
    return h % shards;
  }
  function Reader(bytes, at) { this.b = bytes; this.i = at || 0; }
  Reader.prototype.next = function () {
    var x = 0, mul = 1, c;
    do { c = this.b[this.i++]; x += (c & 127) * mul; mul *= 128; } while (c & 128);
    return x;
  };

  // The terms that cover a part: the single character, or pairs at offsets 0, 2, 4 … and L-2.
  function cover(codes) {
    if (codes.length === 1) return [{ key: codes[0], offset: 0, codes: codes }];
    var terms = [];
    for (var o = 0; o < codes.length - 1; o += 2) terms.push(o);
    if (terms[terms.length - 1] !== codes.length - 2) terms.push(codes.length - 2);
    return terms.map(function (o) {
      return { key: codes[o] * PAIR + codes[o + 1], offset: o, codes: [codes[o], codes[o + 1]] };
    });
  }

  // One shard file: per group, where its postings of ``key`` are (or null).
  function lookup(bytes, key) {
    var r = new Reader(bytes);
    var groups = r.next(), sizes = [];
    for (var g = 0; g < groups; g++) sizes.push(r.next());
    var found = [], at = r.i;
    for (g = 0; g < groups; g++) {
      var b = new Reader(bytes, at), n = b.next(), k = 0, off = 0, hit = null;
      for (var t = 0; t < n; t++) {
        k += b.next();
        var size = b.next();
        if (k === key) hit = [off, size];
        off += size;
      }
      found.push(hit ? [b.i + hit[0], b.i + hit[0] + hit[1]] : null);
      at += sizes[g];
    }
    return found;
  }
  function positions(bytes, range) {
    var r = new Reader(bytes, range[0]), out = [], p = 0, first = true;
    while (r.i < range[1]) { p = first ? r.next() : p + r.next(); first = false; out.push(p); }
    return out;
  }

  function parseDocs(bytes, groups) {
    var r = new Reader(bytes), docs = [];
    for (var g = 0; g < groups; g++) {
      var n = r.next(), group = { rank: [], tlen: [], start: [], combo: [] }, start = 0, rank = 0;
      for (var i = 0; i < n; i++) {
        rank += r.next();
        group.rank.push(rank); group.tlen.push(r.next());
        var len = r.next();
        group.combo.push(r.next()); group.start.push(start);
        start += len + 1;
      }
      docs.push(group);
    }
    return docs;
  }

  // The search: ``load(path, kind)`` returns a promise of bytes ("bin") or a parsed object ("json").
  function Search(load) {
    this.load = load;
    this.shards = {};
    this.ready = Promise.all([load("meta.json", "json"), load("docs.bin", "bin")]).then(function (got) {
      this.meta = got[0];
      this.docs = parseDocs(got[1], got[0].groups);
      return this;
    }.bind(this));
  }
  Search.prototype.shard = function (s) {
    if (!this.shards[s]) this.shards[s] = this.load("s/" + s + ".bin", "bin");
    return this.shards[s];
  };
  // Every article whose title or text contains every part: {g, r, rank, count, title, combo},
  // ranked: more parts in the title first, then more occurrences, then newest.
  Search.prototype.query = function (text) {
    var self = this;
    return this.ready.then(function () {
      var ps = parts(text);
      if (!ps.length) return { parts: ps, hits: [] };
      var meta = self.meta;
      var covers = ps.map(function (p) { return cover(codePoints(p)); });
      var needed = {};
      covers.forEach(function (c) { c.forEach(function (t) { needed[shardOf(t.codes, meta.shards)] = true; }); });
      var list = Object.keys(needed);
      return Promise.all(list.map(function (s) { return self.shard(s); })).then(function (files) {
        var byShard = {};
        list.forEach(function (s, i) { byShard[s] = files[i]; });
        var hits = null;
        covers.forEach(function (terms, n) {
          var found = self.match(terms, byShard);
          if (hits === null) { hits = found; return; }
          var both = {};
          Object.keys(found).forEach(function (id) {
            var a = hits[id];
            if (!a) return;
            var b = found[id];
            both[id] = { g: a.g, r: a.r, count: a.count + b.count, title: a.title + b.title };
          });
          hits = both;
        });
        var out = Object.keys(hits).map(function (id) {
          var h = hits[id], group = self.docs[h.g];
          h.rank = group.rank[h.r]; h.combo = group.combo[h.r];
          return h;
        });
        out.sort(function (a, b) { return b.title - a.title || b.count - a.count || a.rank - b.rank; });
        return { parts: ps, hits: out };
      });
    });
  };
  // Articles containing one part: id → {g, r, count, title: 1 if in the title}.
  Search.prototype.match = function (terms, byShard) {
    var meta = this.meta, out = {};
    var where = terms.map(function (t) { return lookup(byShard[shardOf(t.codes, meta.shards)], t.key); });
    for (var g = 0; g < meta.groups; g++) {
      var group = this.docs[g], ranges = where.map(function (w) { return w[g]; });
      if (ranges.some(function (x) { return x === null; })) continue;
      var bytes = terms.map(function (t) { return byShard[shardOf(t.codes, meta.shards)]; });
      if (terms[0].codes.length === 1) {
        var r = new Reader(bytes[0], ranges[0][0]), doc = 0, first = true;
        while (r.i < ranges[0][1]) {
          doc = first ? r.next() : doc + r.next(); first = false;
          var v = r.next();
          out[g * 65536 + doc] = { g: g, r: doc, count: v >> 1, title: v & 1 };
        }
        continue;
      }
      var lists = terms.map(function (t, k) { return positions(bytes[k], ranges[k]); });
      var at = lists.map(function () { return 0; }), d = 0, starts = group.start;
      var base = lists[0];
      for (var i = 0; i < base.length; i++) {
        var p = base[i], ok = true;
        for (var k = 1; k < lists.length && ok; k++) {
          var want = p + terms[k].offset, l = lists[k];
          while (at[k] < l.length && l[at[k]] < want) at[k]++;
          ok = at[k] < l.length && l[at[k]] === want;
        }
        if (!ok) continue;
        while (d + 1 < starts.length && starts[d + 1] <= p) d++;
        var id = g * 65536 + d, hit = out[id];
        if (!hit) hit = out[id] = { g: g, r: d, count: 0, title: 0 };
        hit.count++;
        if (p - starts[d] < group.tlen[d]) hit.title = 1;
      }
    }
    return out;
  };

  var api = { fold: fold, parts: parts, shardOf: shardOf, Search: Search };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.XindeluSearch = api;
  if (typeof document === "undefined") return;

  // ---- The page --------------------------------------------------------------------------
  var box = document.getElementById("search");
  if (!box) return;
  var index = box.getAttribute("data-index"), base = box.getAttribute("data-base");
  var input = document.getElementById("q-nav");
  var form = input && input.form;
  var status = box.querySelector(".search-status"), filters = box.querySelector(".search-filters");
  var list = box.querySelector(".search-results"), more = box.querySelector(".search-more");
  var search = new Search(function (path, kind) {
    return fetch(index + path).then(function (r) {
      if (!r.ok) throw new Error(path + ": " + r.status);
      return kind === "json" ? r.json() : r.arrayBuffer().then(function (b) { return new Uint8Array(b); });
    });
  });
  var texts = {}, state = null, serial = 0, renders = 0;
  // data-done counts finished renders (the tests wait on it).
  function finished(mine) { if (mine === serial) box.setAttribute("data-done", String(++renders)); }

  function esc(s) {
    return s.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }
  // ``text`` with every occurrence of the parts in <mark>, as HTML.
  function marked(text, ps) {
    var f = fold(text), out = "", i = 0;
    while (i < text.length) {
      var best = -1, len = 0;
      ps.forEach(function (p) {
        var j = f.indexOf(p, i);
        if (j >= 0 && (best < 0 || j < best || (j === best && p.length > len))) { best = j; len = p.length; }
      });
      if (best < 0) break;
      out += esc(text.slice(i, best)) + "<mark>" + esc(text.slice(best, best + len)) + "</mark>";
      i = best + len;
    }
    return out + esc(text.slice(i));
  }
  // Around the first match in the text (one block: a heading is never run into its paragraph).
  function excerpt(blocks, ps) {
    var at = 0, where = -1;
    for (var b = 0; b < blocks.length && where < 0; b++) {
      var f = fold(blocks[b]);
      ps.forEach(function (p) { var j = f.indexOf(p); if (j >= 0 && (where < 0 || j < where)) { where = j; at = b; } });
    }
    var text = blocks[at] || "";
    var start = Math.max(0, where - 24), end = Math.min(text.length, start + 96);
    if (start > 0 && /[\udc00-\udfff]/.test(text.charAt(start))) start--;
    if (end < text.length && /[\ud800-\udbff]/.test(text.charAt(end - 1))) end++;
    return (start > 0 ? "……" : "") + marked(text.slice(start, end), ps) + (end < text.length ? "……" : "");
  }
  function doc(h) {
    var key = h.g + "-" + h.r;
    if (!texts[key]) texts[key] = search.load("d/" + key + ".json", "json");
    return texts[key];
  }
  function facetNames(combo) {
    var values = search.meta.combos[combo];
    return search.meta.facets.map(function (f, n) { return values[n] ? f.values[values[n] - 1] : ""; });
  }
  function shown() {
    var chosen = state.chosen;
    return state.hits.filter(function (h) {
      var values = search.meta.combos[h.combo];
      return chosen.every(function (v, n) { return !v || values[n] === v; });
    });
  }
  function drawFilters() {
    var meta = search.meta, html = "";
    meta.facets.forEach(function (f, n) {
      var counts = {};
      state.hits.forEach(function (h) { var v = meta.combos[h.combo][n]; if (v) counts[v] = (counts[v] || 0) + 1; });
      var values = Object.keys(counts).map(Number).sort(function (a, b) { return a - b; });
      if (values.length < 2 && !state.chosen[n]) return;
      html += '<label><span>' + esc(f.label) + '</span><select data-facet="' + n + '"><option value="0">全部</option>';
      values.forEach(function (v) {
        html += '<option value="' + v + '"' + (state.chosen[n] === v ? " selected" : "") + ">" +
          esc(f.values[v - 1]) + "（" + counts[v] + "）</option>";
      });
      html += "</select></label>";
    });
    filters.innerHTML = html;
    filters.hidden = !html;
  }
  function drawMore() {
    var hits = shown(), upto = state.page * PAGE, mine = serial;
    status.textContent = hits.length
      ? "找到 " + hits.length + " 篇" + (hits.length < state.hits.length ? "（共 " + state.hits.length + " 篇，已筛选）" : "")
      : state.hits.length ? "没有找到符合筛选条件的文章。" : "没有找到含“" + state.query + "”的文章。";
    var page = hits.slice(upto - PAGE, upto);
    more.hidden = true;
    return Promise.all(page.map(doc)).then(function (docs) {
      if (mine !== serial) return;
      docs.forEach(function (d, i) {
        var names = facetNames(page[i].combo).filter(Boolean);
        var li = document.createElement("li");
        li.className = "hit";
        li.innerHTML = '<h2 class="hit-title"><a href="' + esc(base + d.u) + '">' + marked(d.t, state.parts) + "</a></h2>" +
          '<p class="hit-meta">' + esc(names.slice(0, 3).join(" · ")) + ' · <time>' + esc(d.d) + "</time></p>" +
          '<p class="hit-excerpt">' + excerpt(d.x, state.parts) + "</p>";
        list.appendChild(li);
      });
      more.hidden = upto >= hits.length;
    });
  }
  function run(query) {
    var mine = ++serial;
    list.innerHTML = "";
    filters.hidden = true;
    more.hidden = true;
    if (!parts(query).length) {
      status.textContent = "请在上方搜索框输入要找的字词。";
      finished(mine);
      return Promise.resolve();
    }
    status.textContent = "正在搜索……";
    var started = performance.now();
    return search.query(query).then(function (result) {
      if (mine !== serial) return;
      state = { query: query.trim(), parts: result.parts, hits: result.hits, page: 1,
        chosen: search.meta.facets.map(function () { return 0; }), ms: performance.now() - started };
      box.setAttribute("data-ms", String(Math.round(state.ms)));
      drawFilters();
      return drawMore();
    }).catch(function () {
      if (mine === serial) status.textContent = "搜索索引加载失败，请刷新页面重试。";
    }).then(function () { finished(mine); });
  }
  filters.addEventListener("change", function (e) {
    var n = Number(e.target.getAttribute("data-facet"));
    state.chosen[n] = Number(e.target.value);
    state.page = 1;
    serial++;
    list.innerHTML = "";
    var mine = serial;
    drawMore().then(function () { finished(mine); });
  });
  more.addEventListener("click", function () {
    state.page++;
    var mine = serial;
    drawMore().then(function () { finished(mine); });
  });
  var q = new URLSearchParams(window.location.search).get("q") || "";
  if (input) input.value = q;
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var url = new URL(window.location.href);
      url.searchParams.set("q", input.value);
      history.replaceState(null, "", url);
      run(input.value);
    });
  }
  run(q);
})(this);
