/* What table.html's inline script did: tell Datasette's table.js whether facets may be
   added from the column menus (the value comes from the script element's data attribute,
   so that no inline script is needed and the CSP can forbid it). */
window.DATASETTE_ALLOW_FACET = document.currentScript.dataset.allowFacet === "true";
