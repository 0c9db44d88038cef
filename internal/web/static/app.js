// Tilltal works without JavaScript; this file only adds comfort.
// Move focus to the first error message after a failed form, so that
// screen-reader users hear it at once.
document.addEventListener("DOMContentLoaded", function () {
  var err = document.querySelector("main [role=alert]");
  if (err) { err.setAttribute("tabindex", "-1"); err.focus(); }
});
