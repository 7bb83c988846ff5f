// The admin's only CSS and JavaScript, served by coordo itself (no CDN).
export const ADMIN_CSS = `
:root{--bg:#f6f7f9;--fg:#1d2430;--muted:#5b6474;--line:#d9dde4;--brand:#1f6f5c;--brand2:#e8f3ef;--warn:#a15c00;--bad:#b3261e;--ok:#1f6f3a;--card:#fff}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--brand)}
header.top{background:var(--brand);color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem}
header.top .brand{font-weight:700;color:#fff;text-decoration:none;margin-right:auto}
header.top .who{font-size:.85rem;opacity:.9}
header.top form{display:inline}
header.top button{background:transparent;border:1px solid #fff8;color:#fff;padding:.2rem .6rem;border-radius:4px;cursor:pointer}
nav.main{background:#fff;border-bottom:1px solid var(--line);display:flex;flex-wrap:wrap;padding:0 .5rem}
nav.main a{display:inline-block;padding:.55rem .7rem;text-decoration:none;color:var(--fg);border-bottom:3px solid transparent;white-space:nowrap}
nav.main a.on{border-bottom-color:var(--brand);font-weight:600}
.skip{position:absolute;left:-9999px;top:0;background:#fff;color:#000;padding:.5rem .8rem;z-index:10}.skip:focus{left:.5rem}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible,iframe:focus-visible,[tabindex]:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
main{max-width:1150px;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.3rem 0 1rem}
h2{font-size:1.1rem;margin:0 0 .6rem}
h3{font-size:1rem;margin:.8rem 0 .4rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;margin-bottom:1rem;min-width:0}
.kpi{font-size:2rem;font-weight:700;color:var(--brand)}
.muted{color:var(--muted);font-size:.9rem}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}
td input[type=date]{width:9.25rem;font-size:.875rem;padding:.3rem .35rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#f0f2f5;font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap}
form.stack label{display:block;margin:.5rem 0 .15rem;font-weight:600;font-size:.9rem}
form.stack label.check{font-weight:400;margin:.25rem 0}
fieldset{border:1px solid var(--line);border-radius:6px;margin:.8rem 0;padding:.4rem .8rem}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
form.inline label{font-size:.85rem;display:flex;flex-direction:column;gap:.15rem}
input,select,textarea{font:inherit;padding:.4rem .5rem;border:1px solid #b8bfca;border-radius:5px;background:#fff;max-width:100%}
form.stack input:not([type=checkbox]),form.stack select,form.stack textarea{width:100%}
textarea{min-height:8rem}
button,.btn{font:inherit;background:var(--brand);color:#fff;border:0;border-radius:5px;padding:.45rem .9rem;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.btn.secondary{background:#fff;color:var(--brand);border:1px solid var(--brand)}
button.danger{background:var(--bad)}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.8rem}
.err{color:var(--bad);font-size:.85rem;display:block;margin-top:.15rem}
.invalid{border-color:var(--bad)!important;background:#fff6f5}
.flash{padding:.6rem .8rem;border-radius:6px;margin-bottom:1rem}
.flash.ok{background:#e5f4ea;border:1px solid #9ccfab}
.flash.bad{background:#fdecea;border:1px solid #efa39c}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:10px;font-size:.8rem;background:#eceff3;white-space:nowrap}
.badge.ok{background:#e1f3e6;color:var(--ok)}.badge.warn{background:#fff1dc;color:var(--warn)}.badge.bad{background:#fde4e2;color:var(--bad)}
tr.bad td{background:#fff6f5}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.bars{font-size:.875rem;margin:.4rem 0;display:grid;grid-template-columns:minmax(0,10rem) minmax(3rem,1fr) auto;align-items:center;gap:.25rem .6rem}
.chart.wide .bars{max-width:760px}
.bar-row{display:contents}
.chart-label{overflow-wrap:anywhere}
.chart-value{white-space:nowrap;font-variant-numeric:tabular-nums}
.bar-svg{display:block;width:100%;height:14px}
.bars.grouped{display:block}
.bar-group{display:grid;grid-template-columns:minmax(3rem,1fr) minmax(6.5rem,auto);align-items:center;gap:.25rem .6rem;margin:.5rem 0}
.bar-group>.chart-label{grid-column:1/-1;font-weight:600}
.legend{list-style:none;padding:0;margin:0 0 .4rem;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem}
.legend li{display:flex;align-items:center;gap:.4rem}
.swatch{width:12px;height:12px;flex:0 0 12px}
.chart-data{margin:.4rem 0}
.chart-data summary{font-weight:600}
.timeline{list-style:none;padding:0;margin:0}
.timeline li{border-left:3px solid var(--line);padding:.3rem 0 .6rem .8rem;position:relative}
.timeline li.en_retard{border-color:var(--bad)}.timeline li.imminent{border-color:var(--warn)}.timeline li.fait{border-color:var(--ok)}
.ical-url{width:100%;font-family:ui-monospace,monospace;font-size:.85rem}
.login{max-width:380px;margin:8vh auto;padding:0 1rem}
.preview{border:1px solid var(--line);background:#fff;padding:1rem;max-height:420px;overflow:auto}
iframe.preview{display:block;width:100%;padding:0;height:70vh;min-height:420px;max-height:none}
pre{white-space:pre-wrap;overflow-wrap:anywhere;max-width:100%}
details summary{cursor:pointer;font-weight:600}
@media (max-width:600px){
  nav.main{padding:0 .25rem}
  nav.main a{padding:.4rem .45rem;font-size:.85rem;border-bottom-width:2px}
  header.top .who{display:none}
  main{padding:.6rem}
  h1{font-size:1.2rem}
  .card{padding:.75rem}
  .grid{grid-template-columns:1fr}
  form.inline{flex-direction:column;align-items:stretch}
  form.inline input,form.inline select,form.inline button{width:100%}
  table.cards,table.cards tbody{display:block;width:100%}
  table.cards thead{display:none}
  table.cards tr{display:block;border-bottom:1px solid var(--line);padding:.3rem 0}
  table.cards td{display:flex;justify-content:space-between;gap:.8rem;border:0;padding:.15rem .2rem;text-align:right;overflow-wrap:anywhere;min-width:0}
  table.cards td::before{content:attr(data-label);font-weight:600;color:var(--muted);text-align:left;flex:0 0 auto;max-width:45%}
  table.cards td>*{min-width:0}
  iframe.preview{height:80vh}
  .bars{grid-template-columns:minmax(0,7.5rem) minmax(2.5rem,1fr) auto;gap:.25rem .4rem}
}
`;

export const ADMIN_JS = `
(function(){
  // Live recipient count of the newsletter form.
  var f=document.querySelector('[data-audience-form]');
  if(f){
    var out=document.getElementById('audience-count');
    var update=function(){
      var p=new URLSearchParams();
      var a=f.querySelector('[name=audience]');p.set('audience',a?a.value:'ADHERENTS');
      f.querySelectorAll('[name=professions]:checked').forEach(function(x){p.append('professions',x.value)});
      fetch(f.getAttribute('data-audience-form')+'?'+p.toString(),{headers:{accept:'application/json'},credentials:'same-origin'})
        .then(function(r){return r.json()}).then(function(j){if(out)out.textContent=j.label});
    };
    f.addEventListener('change',update);update();
  }
  // Member search fields: at most 20 suggestions from the server as the coordinator types.
  document.querySelectorAll('[data-member-search]').forEach(function(i){
    var l=document.getElementById(i.getAttribute('list')||'');var t=0;var last='';
    i.addEventListener('input',function(){
      clearTimeout(t);var q=i.value.trim();
      if(q.length<2||q===last||!l)return;
      t=setTimeout(function(){
        last=q;
        fetch(i.getAttribute('data-member-search')+'?q='+encodeURIComponent(q),{headers:{accept:'application/json'},credentials:'same-origin'})
          .then(function(r){return r.json()}).then(function(j){
            l.textContent='';
            (j.suggestions||[]).forEach(function(s){var o=document.createElement('option');o.value=s.label;l.appendChild(o)});
          }).catch(function(){});
      },200);
    });
  });
  // Confirmation on destructive buttons.
  document.querySelectorAll('[data-confirm]').forEach(function(b){
    b.addEventListener('click',function(e){if(!confirm(b.getAttribute('data-confirm')))e.preventDefault()});
  });
})();
`;
