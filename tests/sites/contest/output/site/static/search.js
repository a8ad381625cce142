// Pagefind's default UI in Chinese; runs the query passed as ?q= from the header form.
(function () {
  var CJK = /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])/g;
  // Split Chinese into single characters: the index gives every character a word of its
  // own (xindelu/search.py, index_terms), so 调研 also finds 深入调研.
  window.xindeluTerm = function (term) {
    return term.replace(CJK, " $1 ").replace(/\s+/g, " ").trim();
  };
  // An excerpt taken from that character block reads as noise: show the summary instead.
  var NOISE = /(?:[\u3400-\u9fff](?:<\/?mark>)*\s+){6}/;
  function tidy(result) {
    var summary = result.meta && result.meta.summary;
    if (result.meta) delete result.meta.summary;
    if (summary && NOISE.test(result.excerpt)) result.excerpt = summary;
    (result.sub_results || []).forEach(function (sub) {
      if (summary && NOISE.test(sub.excerpt)) sub.excerpt = summary;
    });
    return result;
  }
  window.xindeluTidy = tidy;
  var box = document.getElementById("search");
  if (!box) return;
  if (typeof PagefindUI === "undefined") {
    // No index: nothing is published yet (or the index did not load).
    box.innerHTML = '<p class="empty">暂无可搜索的文章。</p>';
    return;
  }
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: box.getAttribute("data-bundle"),
    showSubResults: false,
    showImages: false,
    processTerm: window.xindeluTerm,
    processResult: tidy,
    translations: {
      placeholder: "输入关键词，如 调研",
      clear_search: "清除",
      load_more: "加载更多结果",
      search_label: "搜索本站",
      filters_label: "筛选",
      zero_results: "没有找到与“[SEARCH_TERM]”相关的文章",
      many_results: "找到 [COUNT] 篇与“[SEARCH_TERM]”相关的文章",
      one_result: "找到 [COUNT] 篇与“[SEARCH_TERM]”相关的文章",
      alt_search: "没有找到“[SEARCH_TERM]”，以下是“[DIFFERENT_TERM]”的结果",
      search_suggestion: "没有找到“[SEARCH_TERM]”，可以试试：",
      searching: "正在搜索“[SEARCH_TERM]”……"
    }
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) ui.triggerSearch(q);
})();
