/* 公众号版: the "复制到公众号" button puts the inline-styled block on the clipboard as text/html
   (what the WeChat editor pastes with its styles) with a text/plain fallback. Where the
   Clipboard API cannot write HTML (an old browser, a file:// page that is not a secure
   context), the block is selected and copied with execCommand('copy'). No network needed. */
(function () {
  "use strict";
  var button = document.querySelector(".wechat-copy");
  if (!button) return;
  var block = document.getElementById(button.getAttribute("data-target"));
  var toast = document.querySelector(".wechat-toast");
  var timer = 0;

  function say(text) {
    toast.textContent = text;
    clearTimeout(timer);
    timer = setTimeout(function () { toast.textContent = ""; }, 6000);
  }
  function copied() { say("已复制，可直接粘贴到公众号编辑器"); }
  function bySelection() {
    var selection = window.getSelection();
    var range = document.createRange();
    range.selectNodeContents(block);
    selection.removeAllRanges();
    selection.addRange(range);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    selection.removeAllRanges();
    if (ok) copied();
    else say("没能自动复制：请手动选中下面的全部内容后复制（电脑上按 Ctrl+C，手机上长按选择）");
  }

  button.addEventListener("click", function () {
    var markup = block.innerHTML.trim();
    var text = block.innerText.trim();
    if (navigator.clipboard && navigator.clipboard.write && window.ClipboardItem) {
      var item;
      try {
        item = new ClipboardItem({
          "text/html": new Blob([markup], { type: "text/html" }),
          "text/plain": new Blob([text], { type: "text/plain" })
        });
      } catch (e) { bySelection(); return; }
      navigator.clipboard.write([item]).then(copied, bySelection);
    } else {
      bySelection();
    }
  });
})();
