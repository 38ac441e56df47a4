// Widgets on a page without a kernel (loaded before the ipywidgets HTML manager, embed.js).
// 1. ipywidgets 8 typesets widget labels through MathJax 2's MathJax.Hub.Queue; the site
//    runs MathJax 3, which has typesetPromise instead, and which replaces window.MathJax
//    when it loads: whatever window.MathJax becomes gets the Hub.Queue the widgets call.
(function () {
  var hub = {
    Queue: function (job) {
      var element = job && job[2];
      if (element && current && current.typesetPromise) current.typesetPromise([element]).catch(function () {});
    }
  };
  function withHub(value) {
    if (value && typeof value === 'object' && !value.Hub) {
      Object.defineProperty(value, 'Hub', {value: hub, enumerable: false, configurable: true});
    }
    return value;
  }
  var current = withHub(window.MathJax);
  Object.defineProperty(window, 'MathJax', {
    configurable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); }
  });
})();
// 2. A slider's handle (noUiSlider) gets its widget's label as its accessible name, as a
//    screen reader needs (axe-core: aria-input-field-name).
(function () {
  function name(root) {
    root.querySelectorAll('.noUi-handle:not([aria-label])').forEach(function (handle) {
      var row = handle.closest('.widget-slider, .widget-inline-hbox');
      var label = row && row.querySelector('.widget-label');
      var text = label && label.textContent.trim();
      handle.setAttribute('aria-label', text || 'slider');
    });
  }
  new MutationObserver(function () { name(document); })
    .observe(document.documentElement, {childList: true, subtree: true});
})();
