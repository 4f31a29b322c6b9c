// Loaded by Pulumi's run-plugin, which leaves the engine's arguments in process.argv from index 2.
require("../dist/provider/native/main.js").main(process.argv.slice(2));
