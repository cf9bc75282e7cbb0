// Move keyboard and screen-reader focus to what just changed: the message, the answer, or the card.
document.addEventListener("DOMContentLoaded", function () {
  var answer = document.getElementById("answer");
  var flash = document.getElementById("flash");
  if (answer) { answer.focus(); return; }
  if (location.hash.length > 1) {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) { target.focus(); }
  }
  if (flash && !flash.hidden && !location.hash) { flash.focus(); }
});
