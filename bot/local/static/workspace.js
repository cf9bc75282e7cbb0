// Move keyboard and screen-reader focus to what just changed: the message, the answer, or the card (opening
// a folded card first, so the one just acknowledged or answered is in view).
document.addEventListener("DOMContentLoaded", function () {
  var answer = document.getElementById("answer");
  var flash = document.getElementById("flash");
  if (answer) { answer.focus(); return; }
  if (location.hash.length > 1) {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      for (var fold = target; fold; fold = fold.parentElement) {
        if (fold.tagName === "DETAILS") { fold.open = true; }
      }
      if (target.tagName === "DETAILS") { target.querySelector("summary").focus(); } else { target.focus(); }
      return;
    }
  }
  if (flash && !flash.hidden) { flash.focus(); }
});
