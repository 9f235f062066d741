#!/usr/bin/env node

// Runs the compiled CLI when the package is built; falls back to the TypeScript sources in a clone.
const path = require("node:path");
const fs = require("node:fs");
const compiled = path.join(__dirname, "..", "dist", "cli", "main.js");
if (fs.existsSync(compiled)) {
  require(compiled).main(process.argv);
} else {
  require("tsx/cjs");
  require(path.join(__dirname, "..", "src", "cli", "main.ts")).main(process.argv);
}
