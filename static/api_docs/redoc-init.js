"use strict";
// Starts ReDoc on templates/api_docs/redoc.html. The styles ReDoc writes into the page
// carry this script's CSP nonce, so the policy needs no 'unsafe-inline'.
(function () {
  const container = document.getElementById("redoc-container");
  const options = JSON.parse(container.dataset.settings || "{}");
  options.nonce = document.currentScript.nonce;
  Redoc.init(container.dataset.schemaUrl, options, container);
})();
