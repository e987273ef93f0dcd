(function(){
"use strict";
var fields=["origin","url","method","api","credentials","mode","headers","body"];
var defaults={method:"GET",api:"fetch",credentials:"same-origin",mode:"cors",headers:"",body:""};
function el(id){return document.getElementById(id);}
function form(){var o={};fields.forEach(function(n){o[n]=el(n).value;});return o;}
// The share link holds the request in its fragment, which never reaches a
// server, and not the token, which is this page's alone.
function fragment(){
  var p=new URLSearchParams();
  fields.forEach(function(n){var v=el(n).value;if(v!==""&&v!==defaults[n])p.set(n,v);});
  return p.toString();
}
function update(){
  el("share-link").textContent=location.origin+"/#"+fragment();
  el("mode").disabled=el("api").value!=="fetch";
}
function fill(){
  var h=location.hash.slice(1);
  if(!h)return;
  var p=new URLSearchParams(h);
  fields.forEach(function(n){if(p.has(n))el(n).value=p.get(n);});
}
function setStatus(state,text){var s=el("status");s.setAttribute("data-state",state);s.textContent=text;}
function show(a){
  var probs=el("problems");
  probs.textContent="";
  (a.problems||[]).forEach(function(p){var li=document.createElement("li");li.textContent=p;probs.appendChild(li);});
  if(a.error){setStatus("error","error: "+a.error);return;}
  if(a.problems){setStatus("invalid","fix the form");return;}
  // The card is the HTML report's, escaped by the server's templates.
  el("cases").innerHTML=a.card;
  el("suite-case").textContent=a.suite_case;
  el("probe-cmd").textContent=a.probe;
  Array.prototype.forEach.call(document.querySelectorAll(".after-run"),function(r){r.hidden=false;});
  setStatus("done",a.verdict+(a.cors_error?" · "+a.cors_error:""));
  history.replaceState(null,"","#"+fragment());
}
function run(){
  var b=el("run");
  b.disabled=true;
  setStatus("running","running in the browser…");
  fetch("run",{method:"POST",headers:{"Content-Type":"application/json"},body:JSON.stringify(form())})
    .then(function(r){return r.json();})
    .then(show,function(err){setStatus("error","error: "+err);})
    .then(function(){b.disabled=false;});
}
el("request").addEventListener("input",update);
el("request").addEventListener("change",update);
el("request").addEventListener("submit",function(e){e.preventDefault();run();});
document.addEventListener("click",function(e){
  var b=e.target.closest?e.target.closest("button.copy"):null;
  if(!b)return;
  var src=el(b.getAttribute("data-copy"));
  if(!src)return;
  var label=b.textContent;
  function done(){b.textContent="copied";setTimeout(function(){b.textContent=label;},1500);}
  function fallback(){var r=document.createRange();r.selectNodeContents(src);var s=window.getSelection();s.removeAllRanges();s.addRange(r);try{document.execCommand("copy");done();}catch(err){}}
  if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(src.textContent).then(done,fallback);}else{fallback();}
});
fill();
update();
})();
