// dynalite on a loopback port, for `python -m local_api serve --engine dynalite`.
// Usage: node server.js PORT [DATA_FOLDER]; without a folder the tables live in memory.
// Exits when its standard input closes, so a parent killed with kill -9 takes it along.
"use strict";
const dynalite = require("dynalite");

const [port, dataFolder] = process.argv.slice(2);
const fail = (error) => {
  console.error(`error: dynalite: ${error && error.message ? error.message : error}`);
  process.exit(2);
};
process.on("uncaughtException", fail);

const server = dynalite({
  path: dataFolder || undefined,
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
});
server.on("error", fail);
server.listen(Number(port), "127.0.0.1", () => {
  console.log(`dynalite listening on 127.0.0.1:${port}`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
// Every acknowledged write is already in LevelDB's log, so stopping at once loses none.
process.on("SIGTERM", () => process.exit(0));
