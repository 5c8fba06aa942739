// Validates unified manifests offline with Microsoft's own validator (@microsoft/app-manifest, which bundles the
// schemas). Usage: node validate.cjs FILE...; prints {"FILE": ["problem", ...]} and exits 0 once every file was read
// (an empty list: valid), 1 when the validator itself could not run.
const path = require('path');
const fs = require('fs');
const modules = process.env.OFU_NODE_MODULES || path.join(__dirname, '..', 'browser', 'node_modules');
const { AppManifestUtils } = require(path.join(modules, '@microsoft', 'app-manifest'));

async function main(files) {
  const found = {};
  for (const file of files) {
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    // The schema comes from the package (its $schema names one it bundles); a schema it does not bundle would be
    // fetched from the network, which the tests never reach: that is reported, not waited for.
    found[file] = await AppManifestUtils.validateAgainstSchema(manifest).catch((error) => [`validator: ${error.message}`]);
  }
  process.stdout.write(JSON.stringify(found));
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`validate.cjs: ${error.message}\n`);
  process.exit(1);
});
