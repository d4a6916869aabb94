// Browser time zone detection and the offer to save it. Loaded on every page, deferred.
// The cookie lets the server print "your time" for visitors who have not chosen a zone;
// the server checks it against the zones it knows, so a forged value changes nothing.
(function () {
  "use strict";

  var COOKIE = "cn_browser_tz";
  var ZONE_SHAPE = /^[A-Za-z0-9_+\-\/]{1,64}$/;

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function abbreviation(zone) {
    try {
      var parts = new Intl.DateTimeFormat("en-GB", { timeZone: zone, timeZoneName: "short" }).formatToParts(new Date());
      for (var i = 0; i < parts.length; i += 1) {
        if (parts[i].type === "timeZoneName") {
          return parts[i].value;
        }
      }
    } catch (error) {
      // An engine without formatToParts: the zone's name alone is enough.
    }
    return "";
  }

  var zone = browserZone();
  if (!ZONE_SHAPE.test(zone)) {
    return;
  }
  // One year, the whole site, not sent on cross-site subrequests.
  document.cookie = COOKIE + "=" + zone + "; path=/; max-age=31536000; SameSite=Lax" +
    (window.location.protocol === "https:" ? "; Secure" : "");

  var offer = document.getElementById("tz-offer");
  if (!offer) {
    return;
  }
  if (zone === offer.getAttribute("data-saved-zone")) {
    offer.hidden = true;
    return;
  }
  if (zone !== offer.getAttribute("data-browser-zone")) {
    // First visit (no cookie yet) or the browser has moved: say what the browser says now.
    offer.querySelectorAll("[data-tz-name]").forEach(function (element) {
      element.textContent = zone;
    });
    var short = abbreviation(zone);
    offer.querySelectorAll("[data-tz-abbreviation]").forEach(function (element) {
      element.textContent = short ? "(" + short + ")" : "";
    });
    offer.querySelector("[data-tz-use]").value = zone;
  }
  offer.hidden = false;
})();
