// Runs the search page's own query code (layouts/site/static/search.js) under node over the
// index files in a folder: `node search_query.js DIR` with a JSON list of queries on stdin;
// prints, per query, the hits in rank order as [rank, occurrences, parts in the title].
"use strict";
const fs = require("fs");
const path = require("path");
const api = require(path.join(__dirname, "..", "layouts", "site", "static", "search.js"));

const dir = process.argv[2];
const queries = JSON.parse(fs.readFileSync(0, "utf8"));
const search = new api.Search(async (name, kind) => {
  const data = fs.readFileSync(path.join(dir, name));
  return kind === "json" ? JSON.parse(data.toString("utf8")) : new Uint8Array(data);
});
(async () => {
  const out = [];
  for (const q of queries) {
    const result = await search.query(q);
    out.push(result.hits.map((h) => [h.rank, h.count, h.title]));
  }
  process.stdout.write(JSON.stringify(out));
})();
