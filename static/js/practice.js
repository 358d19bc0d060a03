/* The practice item page: keyboard shortcuts, the timed session's countdown, and focus after an
 * htmx swap. Plain JavaScript; everything here only speeds up what the forms and links already do
 * without it. */
(function () {
  "use strict";

  var OPTION_LETTERS = "abcdefgh";

  /* Keys typed into a text box, a text area or a select belong to that control. */
  function isTyping(target) {
    if (!(target instanceof Element)) {
      return false;
    }
    if (target.isContentEditable) {
      return true;
    }
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") {
      return true;
    }
    if (tag === "INPUT") {
      var type = (target.getAttribute("type") || "text").toLowerCase();
      return ["radio", "checkbox", "button", "submit", "reset"].indexOf(type) === -1;
    }
    return false;
  }

  function answerForm() {
    return document.getElementById("answer-form");
  }

  function choose(index) {
    var form = answerForm();
    var input = form && form.querySelectorAll("input[name='option']")[index];
    if (!input || input.disabled) {
      return false;
    }
    input.checked = true;
    input.focus();
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  function submitAnswer() {
    var form = answerForm();
    var button = form && form.querySelector("[data-submit-answer]");
    if (!button || !form.querySelector("input[name='option']:checked")) {
      return false;
    }
    // requestSubmit fires the submit event, so htmx (tutor mode) handles it like a click.
    form.requestSubmit(button);
    return true;
  }

  function press(selector) {
    var control = document.querySelector(selector);
    if (!control) {
      return false;
    }
    control.click();
    return true;
  }

  /* Enter submits from a chosen option or from the page itself; on a link, a button or a
   * summary it keeps its own meaning. */
  function entersAnswer(target) {
    if (!(target instanceof Element)) {
      return true;
    }
    if (target.matches("#answer-form input[name='option']")) {
      return true;
    }
    return !target.closest("a, button, summary, input, select, textarea, [contenteditable]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (!document.querySelector("[data-practice-item]") || isTyping(event.target)) {
      return;
    }
    var key = event.key;
    var lower = key.length === 1 ? key.toLowerCase() : key;
    var handled = false;
    if (/^[1-8]$/.test(key)) {
      handled = choose(Number(key) - 1);
    } else if (lower.length === 1 && OPTION_LETTERS.indexOf(lower) !== -1) {
      handled = choose(OPTION_LETTERS.indexOf(lower));
    } else if (key === "Enter") {
      handled = entersAnswer(event.target) && submitAnswer();
    } else if (lower === "n") {
      handled = press("[data-key-nav='next']");
    } else if (lower === "p") {
      handled = press("[data-key-nav='previous']");
    } else if (lower === "m") {
      handled = press("[data-key-mark]");
    }
    if (handled) {
      event.preventDefault();
    }
  });

  /* After a tutor-mode answer, move focus to the result so keyboard and screen-reader users
   * land on the feedback instead of the vanished submit button. */
  document.addEventListener("htmx:afterSettle", function () {
    var heading = document.querySelector("[data-focus-after-swap]");
    if (heading) {
      heading.removeAttribute("data-focus-after-swap");
      heading.focus();
    }
  });

  function clock(seconds) {
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = seconds % 60;
    var pad = function (n) {
      return (n < 10 ? "0" : "") + n;
    };
    return hours ? hours + ":" + pad(minutes) + ":" + pad(rest) : minutes + ":" + pad(rest);
  }

  function announce(text) {
    var region = document.getElementById("practice-status");
    if (region) {
      region.textContent = text;
    }
  }

  /* Count the timed session down from the server's deadline. The offset between the server's
   * clock and this one (data-now) is applied so a wrong device clock does not cut time short.
   * At zero the exam is handed in: the finish form goes to the server, which shows the results. */
  function startCountdown(timer) {
    var deadline = Date.parse(timer.getAttribute("data-deadline"));
    var serverNow = Date.parse(timer.getAttribute("data-now"));
    var text = timer.querySelector("[data-timer-text]");
    if (isNaN(deadline) || !text) {
      return;
    }
    var skew = isNaN(serverNow) ? 0 : Date.now() - serverNow;
    var warnings = { 300: "5 minutes left.", 60: "1 minute left." };
    var finished = false;
    var handle = null;

    function tick() {
      var left = Math.max(0, Math.round((deadline + skew - Date.now()) / 1000));
      text.textContent = clock(left);
      timer.classList.toggle("timer-low", left <= 60);
      Object.keys(warnings).forEach(function (mark) {
        if (left <= Number(mark) && left > Number(mark) - 5) {
          announce(warnings[mark]);
          delete warnings[mark];
        }
      });
      if (left === 0 && !finished) {
        finished = true;
        if (handle !== null) {
          window.clearInterval(handle);
        }
        announce("Time is up.");
        var finish = document.getElementById("finish-form");
        if (finish) {
          finish.submit();
        }
      }
    }

    tick();
    if (!finished) {
      handle = window.setInterval(tick, 1000);
    }
  }

  function init() {
    var timer = document.querySelector("[data-deadline]");
    if (timer) {
      startCountdown(timer);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
