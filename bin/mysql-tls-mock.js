#!/usr/bin/env node

// In a clone the TypeScript sources run directly (through tsx), so a stale dist/ never shadows
// them; an installed package ships only dist/.
const path = require("node:path");
const fs = require("node:fs");
const source = path.join(__dirname, "..", "src", "cli", "main.ts");
if (fs.existsSync(source)) {
  require("tsx/cjs");
  require(source).main(process.argv);
} else {
  require(path.join(__dirname, "..", "dist", "cli", "main.js")).main(process.argv);
}
