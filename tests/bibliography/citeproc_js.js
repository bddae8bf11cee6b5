// citeproc-js (the CSL processor of Zotero and Mendeley) formatting CSL-JSON items,
// for the bibliography tests: reads {"style": XML, "locales": DIR, "lang": "en-US",
// "items": [...]} on stdin, prints {"id": "plain text entry", ...} on stdout.
"use strict";
const fs = require("fs");
const path = require("path");
const CSL = require(process.env.CITEPROC_JS_MODULE);

const input = JSON.parse(fs.readFileSync(0, "utf-8"));
const items = Object.fromEntries(input.items.map((item) => [item.id, item]));
const sys = {
  retrieveLocale: (lang) => {
    const file = path.join(input.locales, `locales-${lang}.xml`);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf-8") : false;
  },
  retrieveItem: (id) => items[id],
};
const engine = new CSL.Engine(sys, input.style, input.lang || "en-US");
engine.setOutputFormat("text");
const out = {};
for (const item of input.items) {  // one at a time: no disambiguation between items
  engine.updateItems([item.id]);
  const [meta, entries] = engine.makeBibliography();
  out[item.id] = entries.join("").replace(/^\s*\d+\.\s*/, "").trim();
}
process.stdout.write(JSON.stringify(out));
