// The secrecy review: selecting text in a record fills its redaction form
// with the selection's start and end in Unicode code points (the unit the
// server counts in). Without JavaScript the form takes the passage typed
// as it stands, or the numbers typed by hand.
(function () {
  "use strict";
  function codePoints(s) { return Array.from(s).length; }
  function offset(box, node, off) {
    var r = document.createRange();
    r.setStart(box, 0);
    r.setEnd(node, off);
    return codePoints(r.toString());
  }
  document.addEventListener("mouseup", fill);
  document.addEventListener("keyup", fill);
  function fill() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return; }
    var range = sel.getRangeAt(0);
    var box = range.commonAncestorContainer;
    while (box && !(box.classList && box.classList.contains("record-text"))) { box = box.parentNode; }
    if (!box) { return; }
    var form = document.querySelector('form.redact-form[data-seq="' + box.dataset.seq + '"]');
    if (!form) { return; }
    var start = offset(box, range.startContainer, range.startOffset);
    var end = offset(box, range.endContainer, range.endOffset);
    form.elements.start.value = String(start);
    form.elements.end.value = String(end);
    form.elements.passage.value = "";
  }
})();
