/**
 * Prettier (with @prettier/plugin-xml): the XML view, data and JS formatter of OCA's 18.0
 * template, same options. scripts/env.sh installs both npm packages into .venv/node (pinned
 * there), so the plugin is looked up in ./node_modules first, then in .venv/node.
 * `make lint` only checks (prettier --check); `make fmt` rewrites.
 * @type {import('prettier').Config}
 */
const path = require("path");

function resolvePlugin(name) {
    try {
        return require.resolve(name);
    } catch {
        return require.resolve(name, {paths: [path.join(__dirname, ".venv", "node")]});
    }
}

const config = {
    plugins: [resolvePlugin("@prettier/plugin-xml")],
    bracketSpacing: false,
    printWidth: 88,
    proseWrap: "always",
    semi: true,
    trailingComma: "es5",
    xmlWhitespaceSensitivity: "preserve",
};

module.exports = config;
