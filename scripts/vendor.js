// Copies pinned third-party assets from node_modules into static/vendor (git-ignored).
// Run by `make install`; nothing here is committed to the repository.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const vendor = path.join(root, "static", "vendor");
const files = [
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf", "fonts/DejaVuSans.ttf"],
  ["node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf", "fonts/DejaVuSans-Bold.ttf"],
  ["node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Oblique.ttf", "fonts/DejaVuSans-Oblique.ttf"],
];
for (const [src, dst] of files) {
  const from = path.join(root, src);
  const to = path.join(vendor, dst);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}
console.log(`vendored ${files.length} files into static/vendor`);
