(function(){
"use strict";
var cases=Array.prototype.slice.call(document.querySelectorAll("article.case"));
var box=document.getElementById("filter");
var buttons=Array.prototype.slice.call(document.querySelectorAll("button[data-filter]"));
var shown=document.getElementById("shown");
var active="all";
function matches(c,words){
  if(active==="failed"){if(c.getAttribute("data-expect")!=="failed")return false;}
  else if(active!=="all"&&c.getAttribute("data-verdict")!==active)return false;
  var hay=(c.getAttribute("data-search")||"").toLowerCase();
  for(var i=0;i<words.length;i++){if(hay.indexOf(words[i])<0)return false;}
  return true;
}
function apply(){
  var words=box.value.toLowerCase().split(/\s+/).filter(Boolean);
  var n=0;
  cases.forEach(function(c){var ok=matches(c,words);c.hidden=!ok;if(ok)n++;});
  shown.textContent=n+" of "+cases.length+" shown";
}
box.addEventListener("input",apply);
buttons.forEach(function(b){b.addEventListener("click",function(){
  active=b.getAttribute("data-filter");
  buttons.forEach(function(o){o.setAttribute("aria-pressed",String(o===b));});
  apply();
});});
document.addEventListener("click",function(e){
  var b=e.target.closest?e.target.closest("button.copy"):null;
  if(!b)return;
  var src=document.getElementById(b.getAttribute("data-copy"));
  if(!src)return;
  var text=src.textContent;
  function done(){b.textContent="copied";setTimeout(function(){b.textContent="copy";},1500);}
  if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(text).then(done,fallback);}else{fallback();}
  function fallback(){var r=document.createRange();r.selectNodeContents(src);var s=window.getSelection();s.removeAllRanges();s.addRange(r);try{document.execCommand("copy");done();}catch(err){}}
});
// A link to #case-N opens that case, so a report can point at one;
// ?open=case-N opens it where it stands in the list.
function openCase(id,scroll){
  var c=id?document.getElementById(id):null;
  if(!c||!c.classList.contains("case"))return;
  var d=c.querySelector("details");
  if(d)d.open=true;
  if(scroll)c.scrollIntoView();
}
function openTarget(){openCase(location.hash.slice(1),true);}
window.addEventListener("hashchange",openTarget);
apply();
openTarget();
var m=/[?&]open=([\w-]+)/.exec(location.search);
if(m)openCase(m[1],false);
})();
