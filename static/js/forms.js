// Form helpers, after the GOV.UK Design System's error summary and character count.
// Loaded on every page, deferred; the pages work without it (summary links still jump,
// the server still refuses text over its limit and says so).
(function () {
  "use strict";

  // --- Error summary -------------------------------------------------------------
  // The field a link names: its label (or its group's legend) is scrolled into view
  // so the question is seen with the input, then the input takes focus.
  function labelFor(input) {
    var fieldset = input.closest("fieldset");
    if (fieldset && (input.type === "radio" || input.type === "checkbox") && input.name) {
      var group = fieldset.querySelectorAll('input[name="' + CSS.escape(input.name) + '"]');
      if (group.length > 1 || input.closest(".form-check") === null) {
        return fieldset.querySelector("legend") || fieldset;
      }
    }
    if (input.id) {
      var label = document.querySelector('label[for="' + CSS.escape(input.id) + '"]');
      if (label) {
        return label;
      }
    }
    return input;
  }

  function focusField(id) {
    var input = document.getElementById(id);
    if (!input) {
      return false;
    }
    labelFor(input).scrollIntoView();
    input.focus({ preventScroll: true });
    return true;
  }

  function setUpSummary(summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#"]');
      if (!link || !summary.contains(link)) {
        return;
      }
      if (focusField(decodeURIComponent(link.getAttribute("href").slice(1)))) {
        event.preventDefault();
      }
    });
  }

  var summaries = document.querySelectorAll("[data-error-summary]");
  summaries.forEach(setUpSummary);
  if (summaries.length) {
    summaries[0].focus();
  }

  // --- Character count -----------------------------------------------------------
  // No maxlength on the field (the browser would cut pasted text off unseen): people
  // may type past the limit and are told by how much.
  function plural(n) {
    return n === 1 ? "character" : "characters";
  }

  function setUpCount(field) {
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    var message = document.getElementById(field.id + "_count");
    if (!limit || !message) {
      return;
    }
    function update() {
      var remaining = limit - field.value.length;
      var over = remaining < 0;
      message.textContent = over
        ? "You have " + -remaining + " " + plural(-remaining) + " too many"
        : "You have " + remaining + " " + plural(remaining) + " remaining";
      message.classList.toggle("text-danger", over);
      message.classList.toggle("fw-bold", over);
      field.classList.toggle("is-invalid", over || field.getAttribute("aria-invalid") === "true");
    }
    field.addEventListener("input", update);
    update();
    // Live only from now on: the first count, written as the page loads, is not announced for
    // every text area on the page; what changes as the person types is.
    message.setAttribute("aria-live", "polite");
  }

  document.querySelectorAll("textarea[data-maxlength], input[data-maxlength]").forEach(setUpCount);
})();
